"""The command line, ``kg serve | validate | export | import`` (also ``python -m app ...``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import Settings
from .curation.cli import add_keys_command
from .curation.curator import HEADROOM
from .errors import DataError
from .graph import KnowledgeGraph
from .io.importers import add_import_command
from .loader import load_graph
from .logs import uvicorn_log_config


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"data": args.data} if getattr(args, "data", None) else {}
    return Settings(**overrides)


def _load(settings: Settings) -> KnowledgeGraph:
    try:
        return load_graph(settings.data, headroom=HEADROOM)
    except DataError as exc:
        print(f"error: cannot serve {', '.join(map(str, settings.data))}\n{exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_serve(args: argparse.Namespace) -> int:
    from .main import create_app
    from .server import run

    settings = _settings(args)
    host, port = args.host or settings.host, args.port or settings.port
    if args.workers > 1:
        # Each worker process loads the graph and replays the journal itself, then polls the journal for
        # the changes written through the others (KG_POLL_INTERVAL).
        os.environ["KG_DATA"] = ",".join(str(folder) for folder in settings.data)
        run(
            "app.main:app",
            host=host,
            port=port,
            limits=settings.server_limits,
            access_log=False,
            log_config=uvicorn_log_config(),
            workers=args.workers,
        )
        return 0
    kg = _load(settings)
    print(f"loaded {kg.stats()['entities']} entities and {kg.stats()['relations']} relations", file=sys.stderr)
    # The app writes its own access log (JSON, with the request id: app/api/telemetry.py): uvicorn's is off.
    run(
        create_app(settings, graph=kg),
        host=host,
        port=port,
        limits=settings.server_limits,
        access_log=False,
        log_config=uvicorn_log_config(),
    )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    kg = _load(settings)
    stats = kg.stats()
    print(f"ok: {stats['entities']} entities, {stats['relations']} relations in {', '.join(map(str, settings.data))}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from .errors import BadParameter
    from .io.export import export_stream
    from .queries.filters import make_filter

    if args.yaml:
        return _export_yaml(args)
    if not args.format:
        print("error: give --format (or --yaml DIR)", file=sys.stderr)
        return 2
    kg = _load(_settings(args))
    try:  # check every option before a file is created
        flt = make_filter(types=args.type, start=args.start, end=args.end, as_of=args.as_of)
        chunks = export_stream(kg, args.format, flt=flt, table=args.table)
    except BadParameter as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    to_stdout = args.out in (None, "-")
    with nullcontext(sys.stdout.buffer) if to_stdout else Path(args.out).open("wb") as out:
        out.writelines(chunks)
        out.flush()
    return 0


def _export_yaml(args: argparse.Namespace) -> int:
    from .curation.files import write_yaml
    from .curation.service import open_curator

    settings = _settings(args)
    try:
        curator = open_curator(settings, _load(settings), lambda _snapshot: None)
    except DataError as exc:
        print(f"error: cannot replay the journal\n{exc}", file=sys.stderr)
        return 2
    counts = write_yaml(curator.latest, args.yaml)
    curator.engine.dispose()
    print(f"wrote {counts['entities']} entities and {counts['relations']} relations to {args.yaml}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def with_data(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument(
            "--data",
            action="append",
            type=Path,
            metavar="DIR",
            help="dataset folder (repeat for several, first wins); default $KG_DATA or graph_data/",
        )
        return sub

    serve = with_data(commands.add_parser("serve", help="serve the REST API"))
    serve.add_argument("--host", default=None, help="default $KG_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default $KG_PORT or 8000")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (they share the journal)")
    serve.set_defaults(run=cmd_serve)

    validate = with_data(commands.add_parser("validate", help="check dataset folders and report every problem"))
    validate.set_defaults(run=cmd_validate)

    export = with_data(commands.add_parser("export", help="write the graph as GraphML, GEXF, JSON or CSV"))
    export.add_argument("--format", choices=["graphml", "gexf", "node-link", "cytoscape", "csv"])
    export.add_argument(
        "--yaml",
        type=Path,
        metavar="DIR",
        help="instead: write the curated state (dataset files and journal) as dataset YAML files",
    )
    export.add_argument(
        "--table",
        choices=["edges", "nodes"],
        default="edges",
        help="with --format csv: the edges table (one row per relation) or the nodes table",
    )
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument("--type", action="append", help="keep a relation type (repeatable)")
    export.add_argument("--from", dest="start", help="window start (partial ISO date)")
    export.add_argument("--to", dest="end", help="window end")
    export.add_argument("--as-of", dest="as_of", help="keep what is in force on this date")
    export.set_defaults(run=cmd_export)

    add_import_command(commands)
    add_keys_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
