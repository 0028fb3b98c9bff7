"""Where `make bench` finds the ICEWS 2014 files: --icews, then $KG_ICEWS14_DIR, with either naming."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.data import ICEWS_SETTING, icews_files


def _release(folder: Path, pattern: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / pattern.format(part) for part in ("train", "valid", "test")]
    for path in paths:
        path.write_text("Iran\tMake statement\tChina\t2014-01-01\n", encoding="utf-8")
    return paths


@pytest.mark.parametrize("pattern", ["{}.txt", "icews_2014_{}.txt"])
def test_icews_files_found_under_either_name(tmp_path: Path, pattern: str) -> None:
    expected = _release(tmp_path, pattern)
    assert icews_files(tmp_path) == expected


def test_icews_files_folder_from_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _release(tmp_path / "icews14", "{}.txt")
    monkeypatch.setenv(ICEWS_SETTING, str(tmp_path / "icews14"))
    assert icews_files() == expected


def test_icews_files_missing_names_the_source_and_the_setting(tmp_path: Path) -> None:
    (tmp_path / "train.txt").touch()
    with pytest.raises(SystemExit) as stopped:
        icews_files(tmp_path)
    message = str(stopped.value)
    assert f"no ICEWS14 valid file in {tmp_path}" in message
    assert "github.com/mniepert/mmkb" in message and "BSD-3-Clause" in message
    assert "--icews DIR" in message and "KG_ICEWS14_DIR=DIR" in message
