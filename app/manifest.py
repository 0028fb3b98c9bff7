"""``manifest.json``: what a dataset folder held when it was written, checked when it is loaded.

The importers write the bulk files of a folder and then its manifest: for each file its size,
lines, data rows and SHA-256. A file cut on a line boundary (half the relations) or emptied to
its header parses as well-formed CSV; only the manifest can tell. Hand-edited folders (YAML)
have none, and are not checked.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "relations.csv").write_text("id,type\\nr1,visit\\nr2,visit\\n")
>>> write_manifest(folder, ["relations.csv"])
>>> check_manifest(folder)
[]
>>> _ = (folder / "relations.csv").write_text("id,type\\nr1,visit\\n")
>>> [message for _, message in check_manifest(folder)]
['holds 1 data row(s) where manifest.json says 2 were written: cut or changed since (its SHA-256 differs)']
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST", "check_manifest", "describe", "write_manifest"]

MANIFEST = "manifest.json"
_CHUNK = 1 << 20


def describe(path: Path) -> dict[str, Any]:
    """Size, lines, data rows (lines after a CSV header) and SHA-256 of a file, read once."""
    digest, size, lines = hashlib.sha256(), 0, 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    facts: dict[str, Any] = {"bytes": size, "lines": lines, "sha256": digest.hexdigest()}
    if path.suffix == ".csv":
        facts["rows"] = max(lines - 1, 0)
    return facts


def write_manifest(folder: Path, files: Iterable[str]) -> None:
    manifest = {"format": 1, "files": {name: describe(folder / name) for name in sorted(files)}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def check_manifest(folder: Path) -> list[tuple[str, str]]:
    """``(file, message)`` for each file that differs from what the manifest says; none without one."""
    path = folder / MANIFEST
    if not path.is_file():
        return []
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))["files"]
        assert isinstance(listed, dict)
    except (ValueError, KeyError, TypeError, AssertionError) as exc:
        return [(MANIFEST, f"cannot be read: {exc!r}")]
    problems = []
    for name, written in listed.items():
        file = folder / name
        if not file.is_file():
            problems.append((name, f"is missing: {MANIFEST} lists it"))
            continue
        found = describe(file)
        if found["sha256"] == written.get("sha256"):
            continue
        if "rows" in found and found["rows"] != written.get("rows"):
            problems.append(
                (
                    name,
                    f"holds {found['rows']:,} data row(s) where {MANIFEST} says {written.get('rows'):,} "
                    "were written: cut or changed since (its SHA-256 differs)",
                )
            )
        else:
            problems.append((name, f"changed since it was written: its SHA-256 differs from {MANIFEST}"))
    return problems
