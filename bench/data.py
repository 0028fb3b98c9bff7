"""The benchmark datasets, as dataset folders the service loads (``bench/data/``, gitignored).

- ``icews14``: the 90,730 facts of ICEWS14 in the bulk CSV layout, made by the
  project's importer (``app.io.icews.import_icews``) when it exists, else by the
  minimal converter below. Mediations are topped up to one per 200 facts with
  synthetic ones (with their two parties) where the importer derived fewer.
- ``synthetic-<N>``: N facts "with the same shape", resampled from that folder
  (see ``bench/resample.py``).

ICEWS14 itself is not in the repository: it is the research release of Garcia-Duran et al. 2018
(github.com/mniepert/mmkb, folder ``TemporalKGs/icews14``; BSD-3-Clause, NEC Laboratories Europe).
Point ``--icews DIR`` or ``KG_ICEWS14_DIR`` at the folder holding its three files; the default is
``datasets/icews14`` in the ``shared/`` folder beside the checkout.

``python -m bench.data 90k,500k [--icews DIR]`` builds them; the benchmark calls ``ensure``.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import inspect
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from app.loader import ENTITY_COLUMNS, RELATION_COLUMNS
from app.resolve import fold
from app.vocabulary import MEDIATION_TYPES, VOCABULARY

from .resample import add_mediations, resample

__all__ = [
    "DATA",
    "ICEWS18_ACTORS",
    "ICEWS18_FACTS",
    "ensure",
    "ensure_icews18_like",
    "icews_files",
    "parse_size",
]

DATA = Path(__file__).resolve().parent / "data"
ICEWS_SETTING = "KG_ICEWS14_DIR"
DEFAULT_ICEWS_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "icews14"
ICEWS_PARTS = ("train", "valid", "test")
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


def icews_files(folder: Path | None = None) -> list[Path]:
    """The three ICEWS14 files in ``folder`` (default ``$KG_ICEWS14_DIR``, else the shared copy).

    Accepts the release's names (``icews_2014_train.txt``) and short ones (``train.txt``).
    """
    folder = folder or Path(os.environ.get(ICEWS_SETTING) or DEFAULT_ICEWS_DIR)
    found = []
    for part in ICEWS_PARTS:
        names = [folder / f"{part}.txt", folder / f"icews_2014_{part}.txt"]
        path = next((name for name in names if name.is_file()), None)
        if path is None:
            raise SystemExit(
                f"error: no ICEWS14 {part} file in {folder} (looked for {names[0].name} or {names[1].name}).\n"
                "  Get the three files of the Garcia-Duran et al. 2018 release (github.com/mniepert/mmkb, "
                "TemporalKGs/icews14; BSD-3-Clause)\n"
                f"  and name their folder with --icews DIR or {ICEWS_SETTING}=DIR."
            )
        found.append(path)
    return found


def ensure(
    sizes: Sequence[str], *, root: Path = DATA, icews: Path | None = None, log: Callable[[str], None] = print
) -> dict[str, Path]:
    """Build what is missing from the ICEWS14 files in ``icews``; return ``{size label: dataset folder}``."""
    base = root / "icews14"
    if not (base / "relations.csv").exists():
        log(f"building {base} ...")
        files = icews_files(icews)
        importer = _importer()
        if importer is not None:
            importer(files, base)
            log("  (with app.io.icews.import_icews)")
        else:
            convert_icews(files, base)
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


def ensure_icews18_like(*, root: Path = DATA, icews: Path | None = None, log: Callable[[str], None] = print) -> Path:
    """A folder the size of ICEWS 2018 (468k facts, about 23k actors), resampled from ICEWS14 (in ``icews``)."""
    base = ensure(["90k"], root=root, icews=icews, log=log)["90k"]
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
                writer.writerow(
                    [
                        f"icews14-{count}",
                        type_,
                        source,
                        target,
                        day,
                        end,
                        polarity,
                        "",
                        "icews14",
                        f"{path.name}:{line_no}",
                        text,
                    ]
                )
    with (out / "entities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ENTITY_COLUMNS)
        writer.writerows(entities)
    (out / "sources.yaml").write_text(SOURCES_YAML, encoding="utf-8")
    (out / "BUILT_WITH").write_text("bench.data.convert_icews\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.data", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sizes", nargs="?", default="90k,500k", help="comma-separated sizes (default 90k,500k)")
    parser.add_argument("--icews", type=Path, metavar="DIR", help=f"folder of the ICEWS14 files (or ${ICEWS_SETTING})")
    args = parser.parse_args(argv)
    for label, folder in ensure(args.sizes.split(","), icews=args.icews).items():
        print(f"{label}: {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
