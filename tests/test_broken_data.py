"""Broken dataset folders: one clear problem naming file, line and field, causes first, floods capped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import DataError
from app.io.icews import import_icews
from app.loader import load_graph

from .conftest import MINI, ROOT

SLICE = ROOT / "tests" / "data" / "icews14-slice.txt"
RELATIONS_HEADER = "id,type,source,target,start,end,polarity,description,source_id,locator,attributes\n"


def bulk_folder(root: Path, relations: int = 2) -> Path:
    """A hand-made bulk folder: two states, ``relations`` visits between them."""
    folder = root / "bulk"
    folder.mkdir()
    (folder / "sources.yaml").write_text("- {id: s1, title: Test source}\n")
    entities = "id,name,kind,aliases,attributes\nalpha,Alpha,state,Alfa,\nbeta,Beta,state,,\n"
    (folder / "entities.csv").write_text(entities)
    rows = "".join(f"r{n},visit,alpha,beta,2020-01-{n % 28 + 1:02d},,,,s1,x:{n},\n" for n in range(1, relations + 1))
    (folder / "relations.csv").write_text(RELATIONS_HEADER + rows)
    return folder


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


def make_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def cut_after(path: Path, lines: int) -> None:
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:lines]))


Breakage = Callable[[Path], None]

CASES: list[tuple[str, Breakage, str]] = [
    (
        "relations-not-utf8",
        lambda f: append(f / "relations.csv", b"r9,visit,alpha,beta,2020,,,caf\xe9,s1,x:9,\n"),
        "relations.csv: entry line 4: field description: not UTF-8 text: byte 0xe9 at byte 31 of the line",
    ),
    (
        "entities-not-utf8",
        lambda f: append(f / "entities.csv", b"gamma,Gam\xe9,state,,\n"),
        "entities.csv: entry line 4: field name: not UTF-8 text: byte 0xe9 at byte 10 of the line",
    ),
    (
        "relations-huge-field",
        lambda f: append(f / "relations.csv", b"r9,visit,alpha,beta,2020,,," + b"x" * 20_000_000 + b",s1,x:9,\n"),
        "relations.csv: entry line 4: field description: a row of 20,000,036 bytes: "
        "longer than the 8 MiB a row may hold",
    ),
    (
        "entities-huge-field",
        lambda f: append(f / "entities.csv", b"gamma," + b"G" * 20_000_000 + b",state,,\n"),
        "entities.csv: entry line 4: field name: a row of 20,000,015 bytes: longer than the 8 MiB a row may hold",
    ),
    (
        "relations-a-directory",
        lambda f: make_directory(f / "relations.csv"),
        "relations.csv: entry -: field -: is a directory (or another non-file), not a data file",
    ),
    (
        "entities-a-directory",
        lambda f: make_directory(f / "entities.csv"),
        "entities.csv: entry -: field -: is a directory (or another non-file), not a data file",
    ),
    (
        "yaml-a-directory",
        lambda f: (f / "entities-more.yaml").mkdir(),
        "entities-more.yaml: entry -: field -: is a directory (or another non-file), not a data file",
    ),
    (
        "entities-yaml-not-utf8",
        lambda f: (f / "entities-more.yaml").write_bytes(b"- id: gamma\n  name: Gam\xe9\n"),
        "entities-more.yaml: entry line 2: field -: not UTF-8 text: byte 0xe9",
    ),
    (
        "entities-missing",
        lambda f: (f / "entities.csv").unlink(),
        "entities.csv: entry -: field -: missing: no entities.csv or entities*.yaml in",
    ),
    (
        "relations-header-only",
        lambda f: cut_after(f / "relations.csv", 1),
        "relations.csv: entry -: field -: has a header and no rows: cut, or written empty?",
    ),
]


@pytest.mark.parametrize(("breakage", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_broken_bulk_folder_is_one_clear_problem(tmp_path: Path, breakage: Breakage, expected: str) -> None:
    folder = bulk_folder(tmp_path)
    breakage(folder)
    with pytest.raises(DataError) as caught:
        load_graph([folder])
    first = str(caught.value).splitlines()[1]
    assert first == f"  - {folder}/{expected}" or first.startswith(f"  - {folder}/{expected}"), str(caught.value)[:2000]


def test_missing_entities_name_the_cause_first_and_cap_the_flood(tmp_path: Path) -> None:
    folder = bulk_folder(tmp_path, relations=400)
    (folder / "entities.csv").unlink()
    with pytest.raises(DataError) as caught:
        load_graph([folder])
    lines = str(caught.value).splitlines()
    assert lines[0] == "801 problem(s) in the data:"
    assert lines[1] == (
        f"  - {folder}/entities.csv: entry -: field -: missing: no entities.csv or entities*.yaml "
        f"in {folder}, and 800 references of its relations name no entity of the folders before it"
    )
    assert lines[-2:] == [
        f"  - ... and 395 more in {folder}/relations.csv, field source",
        f"  - ... and 395 more in {folder}/relations.csv, field target",
    ]
    assert len(lines) == 1 + 1 + 5 + 5 + 2
    assert len(caught.value.problems) == 801  # all kept for whoever reads them


def test_broken_sources_come_first_and_their_consequences_are_counted(tmp_path: Path) -> None:
    folder = bulk_folder(tmp_path, relations=300)
    (folder / "sources.yaml").write_text("- {id: s1, title: [unclosed\n")
    with pytest.raises(DataError) as caught:
        load_graph([folder])
    lines = str(caught.value).splitlines()
    assert lines[1].startswith(f"  - {folder}/sources.yaml: entry -: field -: cannot be read as YAML")
    assert lines[-1] == f"  - ... and 295 more in {folder}/relations.csv, field source_id"
    assert len(lines) < 10


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    out = tmp_path / "imported"
    import_icews([SLICE], out, progress=False)
    return out


def test_the_importer_writes_a_manifest_the_loader_accepts(imported: Path) -> None:
    import json

    manifest = json.loads((imported / "manifest.json").read_text())
    rows = len((imported / "relations.csv").read_text().splitlines()) - 1
    assert manifest["files"]["relations.csv"]["rows"] == rows > 0
    assert set(manifest["files"]) == {"entities.csv", "relations.csv", "sources.yaml"}
    assert len(load_graph([imported]).relations) == rows


@pytest.mark.parametrize("kept", [1, 40], ids=["header-only", "cut-on-a-line-boundary"])
def test_a_cut_import_is_refused_by_its_manifest(imported: Path, kept: int) -> None:
    rows = len((imported / "relations.csv").read_text().splitlines()) - 1
    cut_after(imported / "relations.csv", kept)
    with pytest.raises(DataError) as caught:
        load_graph([imported])
    assert str(caught.value).splitlines()[1] == (
        f"  - {imported}/relations.csv: entry -: field -: holds {kept - 1:,} data row(s) where manifest.json says "
        f"{rows:,} were written: cut or changed since (its SHA-256 differs)"
    )


def test_a_file_the_manifest_lists_must_be_there(imported: Path) -> None:
    (imported / "entities.csv").unlink()
    with pytest.raises(DataError) as caught:
        load_graph([imported])
    assert f"{imported}/entities.csv: entry -: field -: is missing: manifest.json lists it" in str(caught.value)


def test_one_id_of_two_kinds_across_folders_is_refused(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "entities.yaml").write_text("- {id: alpha, name: Alpha Person, kind: person}\n")
    with pytest.raises(DataError) as caught:
        load_graph([MINI, extra])
    assert str(caught.value).splitlines()[1] == (
        f"  - {extra}/entities.yaml: entry #1 (alpha): field kind: person, but entity 'alpha' of an earlier "
        "folder is a state: one id names one entity"
    )


def test_a_name_shared_across_kinds_names_two_entities(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "entities.yaml").write_text("- {id: alpha-person, name: Alpha, kind: person}\n")
    kg = load_graph([MINI, extra])
    assert kg.entity(kg.resolve("alpha-person")).kind == "person"
    assert kg.entity(kg.resolve("alpha")).kind == "state"


@pytest.mark.parametrize("command", [["-m", "app", "validate", "--data"], ["-m", "uvicorn", "app.main:app"]])
def test_unreadable_data_is_a_message_not_a_traceback(tmp_path: Path, command: list[str]) -> None:
    folder = bulk_folder(tmp_path)
    append(folder / "relations.csv", b"r9,visit,alpha,beta,2020,,,caf\xe9,s1,x:9,\n")
    arguments = [*command, str(folder)] if "validate" in command else [*command, "--port", "8997"]
    run = subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "KG_DATA": str(folder)},
    )
    assert run.returncode != 0
    assert "relations.csv: entry line 4: field description: not UTF-8 text" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_clean_bulk_folder_loads(tmp_path: Path) -> None:
    kg = load_graph([bulk_folder(tmp_path)])
    assert (len(kg.entities), len(kg.relations)) == (2, 2)
    shutil.rmtree(tmp_path / "bulk")
