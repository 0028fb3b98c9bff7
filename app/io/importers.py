"""The ``import`` command: ``python -m app import icews|csv FILE... --out DIR``.

Exit status 0 on success; 2 when the input has malformed lines (all listed,
nothing written; ``--skip-bad`` skips them instead) or cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .dataset_writer import ImportFailed, ImportSummary
from .icews import import_csv, import_icews

__all__ = ["add_import_command", "format_summary"]


def add_import_command(subparsers: Any) -> None:
    """Register ``import`` and its sub-commands on the CLI's sub-parsers."""
    parser = subparsers.add_parser("import", help="turn event data into a dataset folder to serve")
    formats = parser.add_subparsers(dest="format", required=True)
    for name, helptext in (
        ("icews", "ICEWS-style files: subject<TAB>event<TAB>object<TAB>YYYY-MM-DD"),
        ("csv", "generic CSV: source,relation,target,date[,end][,polarity][,description][,evidence]"),
    ):
        sub = formats.add_parser(name, help=helptext, description=helptext)
        sub.add_argument("files", nargs="+", type=Path, metavar="FILE", help="input files, one source each")
        sub.add_argument(
            "--out",
            required=True,
            type=Path,
            metavar="DIR",
            help="dataset folder to write (serve it with KG_DATA=DIR or --data DIR)",
        )
        sub.add_argument(
            "--skip-bad", action="store_true", help="skip malformed lines (listed in the summary) instead of stopping"
        )
        sub.add_argument(
            "--mediation-window",
            type=_days,
            default=1,
            metavar="DAYS",
            help="days apart two mediation reports of one mediator may be to pair their "
            "parties (default 1; 0 = same day)",
        )
        sub.add_argument("--no-progress", action="store_true", help="no progress bar")
        sub.set_defaults(run=_run_import)


def _days(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _run_import(args: argparse.Namespace) -> int:
    run = import_icews if args.format == "icews" else import_csv
    try:
        summary = run(
            args.files,
            args.out,
            skip_bad=args.skip_bad,
            mediation_window_days=args.mediation_window,
            progress=not args.no_progress,
        )
    except ImportFailed as exc:
        print(
            f"error: import stopped: {len(exc.bad_lines)} malformed line(s); nothing was written "
            "(--skip-bad skips them)",
            file=sys.stderr,
        )
        for bad in exc.bad_lines:
            print(f"  {bad}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_summary(summary))
    for bad in summary.bad_lines:
        print(f"skipped {bad}", file=sys.stderr)
    return 0


def format_summary(summary: ImportSummary) -> str:
    """The summary as a two-column text table."""
    rows = summary.table()
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)
