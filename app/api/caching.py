"""``ETag`` and ``Cache-Control`` on reads of the snapshot, and ``304 Not Modified`` for conditional GETs.

A request reads one immutable snapshot (``KnowledgeGraph.version``), so the answer to a URL is
fixed by the snapshot and the day: the day counts because dates left out default to today
(``as_of`` of a status). The tag is weak: a gzipped and a plain answer share it. When the tag a
client holds is current, the answer is a 304 made here without running the route.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SnapshotCaching", "etag_matches"]

_SECONDS_PER_DAY = 86_400


class SnapshotCaching:
    def __init__(self, app: ASGIApp, *, max_age: int, uncached: Collection[str]) -> None:
        self.app = app
        self.cache_control = (f"public, max-age={max_age}" if max_age else "no-cache").encode()
        self.uncached = frozenset(uncached)
        self._tag: tuple[str, int, bytes] = ("", -1, b"")

    def etag(self, version: str) -> bytes:
        day = int(time.time()) // _SECONDS_PER_DAY
        if self._tag[:2] != (version, day):
            self._tag = (version, day, f'W/"{version}-{day}"'.encode())
        return self._tag[2]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kg = getattr(scope["app"].state, "kg", None) if scope["type"] == "http" else None
        if kg is None or scope["method"] not in ("GET", "HEAD") or scope["path"] in self.uncached:
            await self.app(scope, receive, send)
            return
        etag = self.etag(kg.version)
        for name, value in scope["headers"]:
            if name == b"if-none-match" and etag_matches(value, etag):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": [(b"etag", etag), (b"cache-control", self.cache_control)],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_tag(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = list(message.get("headers", ()))
                if not any(name == b"etag" for name, _ in headers):  # one object keeps its own (for If-Match)
                    headers.append((b"etag", etag))
                message["headers"] = [*headers, (b"cache-control", self.cache_control)]
            await send(message)

        await self.app(scope, receive, send_with_tag)


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """Weak comparison (RFC 9110 13.1.2): ``*``, or any listed tag equal once ``W/`` is set aside.

    >>> etag_matches(b'"x", W/"v1-3"', b'W/"v1-3"'), etag_matches(b'"v1-3"', b'W/"v1-3"')
    (True, True)
    >>> etag_matches(b'W/"v0-3"', b'W/"v1-3"')
    False
    """
    if if_none_match.strip() == b"*":
        return True
    wanted = etag.removeprefix(b"W/")
    return any(tag.strip().removeprefix(b"W/") == wanted for tag in if_none_match.split(b","))
