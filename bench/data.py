"""The benchmark datasets, as dataset folders the service loads (``bench/data/``, gitignored).

- ``icews14``: the 90,730 facts of ICEWS14 in the bulk CSV layout, made by the
  project's importer (``app.io.icews.import_icews``) when it exists, else by the
  minimal converter below. Mediations are topped up to one per 200 facts with
  synthetic ones (with their two parties) where the importer derived fewer.
- ``synthetic-<N>``: N facts "with the same shape", resampled from that folder
  (see ``bench/resample.py``).

``python -m bench.data 90k,500k`` builds them; the benchmark calls ``ensure``.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from app.loader import ENTITY_COLUMNS, RELATION_COLUMNS
from app.resolve import fold
from app.vocabulary import MEDIATION_TYPES, VOCABULARY

from .resample import add_mediations, resample

__all__ = ["DATA", "ICEWS18_ACTORS", "ICEWS18_FACTS", "ICEWS_FILES", "ensure", "ensure_icews18_like", "parse_size"]

DATA = Path(__file__).resolve().parent / "data"
ICEWS_DIR = Path("/work/shared/datasets/icews14")
ICEWS_FILES = [ICEWS_DIR / f"{part}.txt" for part in ("train", "valid", "test")]
ICEWS_SIZE = 90_730
SOURCES_YAML = """\
- id: icews14
  title: "ICEWS 2014 (Garcia-Duran et al. 2018 release)"
  kind: dataset
"""


def parse_size(text: str) -> int:
    """``90k`` -> 90000, ``1.5m`` -> 1500000, ``1234`` -> 1234."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", text.strip().lower())
    if not match:
        raise ValueError(f"not a size: {text!r}")
    return int(float(match[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2]])


def ensure(sizes: Sequence[str], *, root: Path = DATA, log: Callable[[str], None] = print) -> dict[str, Path]:
    """Build what is missing; return ``{size label: dataset folder}``."""
    base = root / "icews14"
    if not (base / "relations.csv").exists():
        log(f"building {base} ...")
        importer = _importer()
        if importer is not None:
            importer(ICEWS_FILES, base)
            log("  (with app.io.icews.import_icews)")
        else:
            convert_icews(ICEWS_FILES, base)
            log("  (with bench.data.convert_icews: app.io.icews.import_icews is not available)")
        add_mediations(base, per=200, seed=14)
    found = {}
    for label in sizes:
        size = parse_size(label)
        if size <= ICEWS_SIZE * 1.1:
            found[label] = base
            continue
        folder = root / f"synthetic-{label}"
        if not (folder / "relations.csv").exists():
            log(f"building {folder} ({size:,} facts) ...")
            resample(base, folder, size=size, seed=size)
        found[label] = folder
    return found


ICEWS18_FACTS = 468_000
ICEWS18_ACTORS = 23_000


def ensure_icews18_like(*, root: Path = DATA, log: Callable[[str], None] = print) -> Path:
    """A folder the size of ICEWS 2018 (468k facts, about 23k actors), resampled from ICEWS14."""
    base = ensure(["90k"], root=root, log=log)["90k"]
    folder = root / "icews18-like"
    if not (folder / "relations.csv").exists():
        log(f"building {folder} ({ICEWS18_FACTS:,} facts, about {ICEWS18_ACTORS:,} actors) ...")
        resample(base, folder, size=ICEWS18_FACTS, seed=2018, actors=ICEWS18_ACTORS)
    return folder


def builder_name(folder: Path) -> str:
    """Which tool made the ICEWS14 folder, as recorded next to it."""
    stamp = folder / "BUILT_WITH"
    return stamp.read_text().strip() if stamp.exists() else "unknown"


def _importer() -> Callable[[Sequence[Path], Path], Any] | None:
    try:
        module = importlib.import_module("app.io.icews")
    except ImportError:
        return None
    function = getattr(module, "import_icews", None)
    if function is None:
        return None

    def run(files: Sequence[Path], out: Path) -> None:
        names = list(inspect.signature(function).parameters)
        if "out" in names:
            function(list(files), out=out)
        else:
            function(list(files), out)
        (out / "BUILT_WITH").write_text("app.io.icews.import_icews\n")

    return run


# -- the minimal converter ------------------------------------------------------------

def _slug(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") or "actor"


def _kind(name: str) -> str:
    if name.endswith(")"):
        return "organization"  # "Sector (Country)"
    try:
        import pycountry

        pycountry.countries.lookup(name)
    except (LookupError, ImportError):
        return "person"
    return "state"


def _cameo(event: str) -> tuple[str, str, dict[str, Any], bool]:
    """Type, polarity, attributes and whether subject and object swap, for an event name."""
    try:
        from app.io.cameo import lookup
    except ImportError:
        return "event", "neutral", {"event": event}, False
    code = lookup(event)
    type_ = "event" if code.type in MEDIATION_TYPES else code.type  # no second party in ICEWS
    return type_, code.polarity, code.attributes(), code.swapped


def convert_icews(files: Iterable[Path], out: Path) -> None:
    """ICEWS14 text files to a dataset folder: entities.csv, relations.csv, sources.yaml."""
    out.mkdir(parents=True, exist_ok=True)
    ids: dict[str, str] = {}  # actor name -> entity id
    keys: dict[str, str] = {}  # folded id or name -> entity id (the loader's name index)
    entities: list[list[str]] = []

    def entity(name: str) -> str:
        if name not in ids:
            key = fold(name)
            if key in keys:  # names differing only in case or punctuation name one entity
                ids[name] = keys[key]
                return ids[name]
            slug = base = _slug(name)
            n = 1
            while fold(slug) in keys:
                n += 1
                slug = f"{base}-{n}"
            keys[key] = keys[fold(slug)] = ids[name] = slug
            entities.append([slug, name, _kind(name), "", ""])
        return ids[name]

    cache: dict[str, tuple[str, str, str, bool]] = {}
    with (out / "relations.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RELATION_COLUMNS)
        count = 0
        for path in files:
            for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                subject, event, obj, day = line.split("\t")
                if event not in cache:
                    type_, polarity, attributes, swapped = _cameo(event)
                    text = json.dumps(attributes, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                    cache[event] = (type_, polarity, text, swapped)
                type_, polarity, text, swapped = cache[event]
                source, target = entity(subject), entity(obj)
                if swapped:
                    source, target = target, source
                end = day if VOCABULARY[type_].kind == "state" else ""
                count += 1
                writer.writerow([f"icews14-{count}", type_, source, target, day, end, polarity, "",
                                 "icews14", f"{path.name}:{line_no}", text])
    with (out / "entities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ENTITY_COLUMNS)
        writer.writerows(entities)
    (out / "sources.yaml").write_text(SOURCES_YAML, encoding="utf-8")
    (out / "BUILT_WITH").write_text("bench.data.convert_icews\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    for label, folder in ensure((args[0] if args else "90k,500k").split(",")).items():
        print(f"{label}: {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
