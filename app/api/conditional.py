"""Conditional GETs: every answer carries an ETag of the graph's version, and ``If-None-Match`` gets 304.

The tag names the snapshot (the journal's last change) and the process's start, so it changes with
every write and with every restart (the dataset files may have changed). Answers that carry their
own tag (one entity or relation: its version, for ``If-Match``) keep it. A pure ASGI middleware:
a 304 costs no route, and a 200 one header.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["SnapshotETags"]

Scope = dict[str, Any]


class SnapshotETags:
    def __init__(self, app: Any) -> None:
        self.app = app
        self._started = format(time.time_ns() // 1000, "x")

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        kg = getattr(scope["app"].state, "kg", None)
        tag = f'W/"{self._started}-{getattr(kg, "seq", 0)}"'.encode()
        for name, value in scope["headers"]:
            if name == b"if-none-match" and (value.strip() == b"*" or tag in (v.strip() for v in value.split(b","))):
                await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", tag)]})
                await send({"type": "http.response.body", "body": b""})
                return

        async def tagged(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                headers = message.setdefault("headers", [])
                if not any(name == b"etag" for name, _ in headers):
                    message["headers"] = [*headers, (b"etag", tag)]
            await send(message)

        await self.app(scope, receive, tagged)
