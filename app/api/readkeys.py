"""Reads that need a key (``KG_READS_REQUIRE_KEY=true``): any key in force, whatever its role.

Off by default: the graph is meant to be read openly. When on, every read but the probes,
``/metrics`` and the API documentation answers 401 without ``Authorization: Bearer KEY``; writes
keep their own check of key and role (``auth.py``). A key found in force is remembered for
``REMEMBER_S`` seconds, so a read costs a database look-up at most that often per key, and a revoked
key stops reading within that time (it stops writing at once).
"""

from __future__ import annotations

import hashlib
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from ..curation.keys import authenticate
from .auth import bearer_token
from .problems import send_problem

__all__ = ["ReadKeys"]

REMEMBER_S = 2.0
_MOST_REMEMBERED = 10_000
_READS = frozenset({"GET", "HEAD"})


class ReadKeys:
    def __init__(self, app: ASGIApp, *, open_paths: frozenset[str], open_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.open_paths, self.open_prefixes = open_paths, open_prefixes
        self.remembered: dict[str, float] = {}  # SHA-256 of a key in force: until when it is trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _READS
            or scope["path"] in self.open_paths
            or scope["path"].startswith(self.open_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        authorization = next(
            (value.decode("latin-1") for name, value in scope["headers"] if name == b"authorization"), None
        )
        token = bearer_token(authorization)
        if token is not None and self._in_force(scope, token):
            await self.app(scope, receive, send)
            return
        await send_problem(
            send,
            scope,
            status=401,
            title="Authentication required",
            slug="unauthenticated",
            detail="reads need an API key on this server: send Authorization: Bearer KEY"
            if token is None
            else "the API key is unknown or revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )

    def _in_force(self, scope: Scope, token: str) -> bool:
        digest, now = hashlib.sha256(token.encode()).hexdigest(), time.monotonic()
        if self.remembered.get(digest, 0.0) > now:
            return True
        if authenticate(scope["app"].state.curator.engine, token) is None:
            return False
        if len(self.remembered) >= _MOST_REMEMBERED:
            self.remembered.clear()
        self.remembered[digest] = now + REMEMBER_S
        return True
