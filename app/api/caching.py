"""``ETag`` and ``Cache-Control`` on reads of the snapshot, ``304 Not Modified`` for conditional GETs,
and a store of recent answers.

A request reads one immutable snapshot (``KnowledgeGraph.version``), so the answer to a URL is
fixed by the snapshot and the day: the day counts because dates left out default to today
(``as_of`` of a status). The tag is weak: a gzipped and a plain answer share it. When the tag a
client holds is current, the answer is a 304 made here without running the route; when this process
gave the same answer recently, it is sent again from a store bounded in bytes, without running the
route either (a team asks for the same pairs and pages over and over; the explorer too).
"""

from __future__ import annotations

import time
from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..cache import ByteLRU

__all__ = ["SnapshotCaching", "etag_matches"]

_SECONDS_PER_DAY = 86_400
# An answer is kept only when it is at most this share of the store: a few large exports must not
# push out thousands of lookups.
_LARGEST_SHARE = 16


class SnapshotCaching:
    """Tags reads, answers 304s, and keeps recent 200s of the routes tagged ``stored_tags``.

    The store is keyed by the URL and whether the client takes gzip (the middleware sits outside
    compression, so a gzipped body is kept gzipped) and emptied when the tag changes: a write, a
    journal replayed from another process, or a new day. Answers that set their own
    ``Cache-Control`` (a partial answer out of time says ``no-store``) are neither tagged nor kept.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_age: int,
        uncached: Collection[str],
        store: ByteLRU | None = None,
        stored_tags: Collection[str] = (),
    ) -> None:
        self.app = app
        self.cache_control = (f"public, max-age={max_age}" if max_age else "no-cache").encode()
        self.uncached = frozenset(uncached)
        self._tag: tuple[str, int, bytes] = ("", -1, b"")
        self.answers = store if store is not None and store.max_bytes else None
        self.stored_tags = frozenset(stored_tags)
        self._answers_tag = b""

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
        takes_gzip = False
        for name, value in scope["headers"]:
            if name == b"if-none-match" and etag_matches(value, etag):
                await self._send_not_modified(send, etag)
                return
            if name == b"accept-encoding":
                takes_gzip = b"gzip" in value
        if self.answers is None or scope["method"] != "GET":
            await self.app(scope, receive, self._tagging(send, etag))
            return
        if self._answers_tag != etag:
            self.answers.clear()
            self._answers_tag = etag
        key = (scope["path"], scope["query_string"], takes_gzip)
        if (stored := self.answers.get(key)) is not None:
            route, headers, content = stored
            scope["route"] = route  # for the metrics and the log, which label answers by route
            await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
            await send({"type": "http.response.body", "body": content})
            return
        await self._answer_and_keep(scope, receive, send, etag, key)

    async def _answer_and_keep(
        self, scope: Scope, receive: Receive, send: Send, etag: bytes, key: tuple[str, bytes, bool]
    ) -> None:
        assert self.answers is not None
        largest = self.answers.max_bytes // _LARGEST_SHARE
        head: list[tuple[bytes, bytes]] | None = None
        body: list[bytes] = []
        size, ended = 0, False
        tag = self._tagging(send, etag)

        async def send_and_keep(message: Message) -> None:
            nonlocal head, size, ended
            if message["type"] == "http.response.start":
                head = _keepable_head(message)
            elif head is not None and message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                size += len(body[-1])
                ended = not message.get("more_body", False)
                if size > largest:
                    head = None
            await tag(message)

        await self.app(scope, receive, send_and_keep)
        route = scope.get("route")
        # A stream its client left before the end is cut short: kept only when its last part was sent.
        # An answer begun before a change that a later request has seen is out of date: not kept.
        current = self._answers_tag == etag
        if head is not None and ended and current and self.stored_tags.intersection(getattr(route, "tags", None) or ()):
            content = b"".join(body)
            headers = head if any(name == b"etag" for name, _ in head) else [*head, (b"etag", etag)]
            headers += [(b"cache-control", self.cache_control), (b"content-length", str(len(content)).encode())]
            self.answers.put(key, (route, headers, content), len(content) + 64 * len(headers) + 200)

    def _tagging(self, send: Send, etag: bytes) -> Send:
        async def send_with_tag(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = list(message.get("headers", ()))
                if not any(name == b"cache-control" for name, _ in headers):  # a partial answer says no-store
                    if not any(name == b"etag" for name, _ in headers):  # one object keeps its own (for If-Match)
                        headers.append((b"etag", etag))
                    message["headers"] = [*headers, (b"cache-control", self.cache_control)]
            await send(message)

        return send_with_tag

    async def _send_not_modified(self, send: Send, etag: bytes) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 304,
                "headers": [(b"etag", etag), (b"cache-control", self.cache_control)],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def _keepable_head(message: Message) -> list[tuple[bytes, bytes]] | None:
    """The headers to keep of a 200 that sets no ``Cache-Control`` of its own, without its length and
    transfer framing (set again when it is sent); ``None`` when the answer is not to be kept."""
    if message["status"] != 200:
        return None
    headers = list(message.get("headers", ()))
    if any(name == b"cache-control" for name, _ in headers):
        return None
    return [(name, value) for name, value in headers if name not in (b"content-length", b"transfer-encoding")]


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
