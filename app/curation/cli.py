"""``python -m app keys create | revoke``: API keys for writes."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..config import Settings
from .db import open_database
from .keys import ROLES, KeyExists, create_key, revoke_key

__all__ = ["add_keys_command"]


def _engine(args: argparse.Namespace) -> Any:
    overrides = {"database_url": args.database_url} if args.database_url else {}
    return open_database(Settings(**overrides).journal_url)


def cmd_create(args: argparse.Namespace) -> int:
    try:
        key = create_key(_engine(args), name=args.name, role=args.role)
    except KeyExists as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"key for {args.name!r} (role {args.role}); it is shown once, keep it:", file=sys.stderr)
    print(key)  # alone on the last line of standard output, for scripts
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    if not revoke_key(_engine(args), args.name):
        print(f"error: no key named {args.name!r} is in force", file=sys.stderr)
        return 1
    print(f"revoked the key {args.name!r}")
    return 0


def add_keys_command(commands: Any) -> None:
    keys = commands.add_parser("keys", help="make and revoke API keys for writes")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a key; prints it, alone, on the last line")
    create.add_argument("--name", required=True, help="who uses it: recorded as the actor of each change")
    create.add_argument(
        "--role", choices=ROLES, default="editor", help="reader (reads), editor (writes), admin (everything)"
    )
    create.set_defaults(run=cmd_create)
    revoke = actions.add_parser("revoke", help="revoke a key by name")
    revoke.add_argument("--name", required=True)
    revoke.set_defaults(run=cmd_revoke)
    for sub in (create, revoke):
        sub.add_argument("--database-url", help="default $KG_DATABASE_URL, else the SQLite journal in $KG_STATE_DIR")
