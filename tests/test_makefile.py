"""The Makefile's promises: settings from the environment reach `make serve`, a `.venv` from an old
Python is caught with advice, and `make clean` leaves nothing it made behind."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT

MADE_BY_MAKE_AND_TOOLS = [
    ".venv",
    ".venv-lowest",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    ".mypy_cache",
    ".schemathesis",
    "build",
    "dist",
    "bilateral_kg.egg-info",
    "bench/.work",
    "bench/data",
    "app/__pycache__",
    "tests/__pycache__",
    "app/explorer/node_modules",
    "app/explorer/static/vendor",
]


def _make(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A folder with the Makefile and the files its targets depend on, installed or not."""
    shutil.copy(ROOT / "Makefile", tmp_path)
    for name in (
        "pyproject.toml",
        "requirements-dev.lock",
        "requirements-lowest.lock",
        "app/explorer/package-lock.json",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    return tmp_path


def _serve_line(result: subprocess.CompletedProcess[str]) -> str:
    (line,) = [line for line in result.stdout.splitlines() if " serve" in line and "kg" in line]
    return line


def test_make_serve_leaves_host_and_port_to_the_settings(checkout: Path) -> None:
    line = _serve_line(_make(checkout, "-n", "serve", KG_PORT="8004", KG_HOST="0.0.0.0"))
    assert line.split() == [".venv/bin/kg", "serve"]  # so kg reads KG_HOST and KG_PORT


def test_make_serve_passes_port_and_host_given_to_make(checkout: Path) -> None:
    line = _serve_line(_make(checkout, "-n", "serve", "PORT=9000", "HOST=0.0.0.0", KG_PORT="8004"))
    assert line.split() == [".venv/bin/kg", "serve", "--host", "0.0.0.0", "--port", "9000"]


def test_make_bench_compare_needs_a_commit_and_passes_it_on(checkout: Path) -> None:
    installed = checkout / ".venv" / "bin" / ".installed"
    installed.parent.mkdir(parents=True)
    installed.touch()  # newer than what it depends on: nothing to install
    refused = _make(checkout, "bench-compare")
    assert refused.returncode == 2
    assert "make bench-compare REF=<commit>" in refused.stderr
    planned = _make(checkout, "-n", "bench-compare", "REF=22a13f0")
    assert planned.stdout.splitlines()[-1] == ".venv/bin/python -m bench.compare '22a13f0'"


def _fake_python(path: Path, version: str) -> Path:
    """A stand-in interpreter that reports ``version`` and fails the 3.11 check as an old one would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\n[ "$1" = --version ] && echo "Python {version}"\nexit 1\n')
    path.chmod(0o755)
    return path


def test_make_refuses_an_old_python_and_names_a_way_out(checkout: Path) -> None:
    old = _fake_python(checkout / "old" / "python3", "3.9.2")
    result = _make(checkout, ".venv/bin/.installed", f"PYTHON={old}")
    assert result.returncode != 0
    assert "needs Python 3.11 or newer" in result.stdout and "3.9.2" in result.stdout
    assert "make PYTHON=python3.12" in result.stdout
    assert not (checkout / ".venv").exists()


def test_make_spots_a_venv_left_by_an_old_python_and_says_make_clean(checkout: Path) -> None:
    _fake_python(checkout / ".venv" / "bin" / "python", "3.9.2")
    result = _make(checkout, ".venv/bin/.installed", f"PYTHON={shutil.which('python3')}")
    assert result.returncode != 0
    assert "make clean" in result.stdout and ".venv is left from an install that failed" in result.stdout


def test_make_clean_removes_what_make_and_the_tools_create_and_nothing_else(checkout: Path) -> None:
    for name in MADE_BY_MAKE_AND_TOOLS:
        (checkout / name).mkdir(parents=True)
        (checkout / name / "inside").touch()
    kept = ["app/main.py", "bench/RESULTS.md", "graph_data/entities.yaml", "tests/test_x.py", "README.md"]
    for name in kept:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).touch()
    assert _make(checkout, "clean").returncode == 0
    assert [name for name in MADE_BY_MAKE_AND_TOOLS if (checkout / name).exists()] == []
    assert [name for name in kept if not (checkout / name).exists()] == []


@pytest.mark.parametrize("name", MADE_BY_MAKE_AND_TOOLS)
def test_what_make_clean_removes_git_ignores(name: str) -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", f"{name}/inside"], cwd=ROOT)
    assert ignored.returncode == 0, f"{name}/ is not in .gitignore"
