"""The HTTP server: uvicorn with limits that hostile or broken clients cannot get around.

uvicorn bounds neither the size of a request's head nor how long a client may take to send it: four
connections sending 200 MiB of headers each grew the process by 900 MiB, and 2,000 connections
that never sent a byte were held open for good. ``GuardedHttpTools`` (uvicorn's httptools protocol
with three checks added) and the uvicorn settings below close those doors:

- ``head_bytes``: the request line and headers together; more gets ``431`` and the connection
  closed, checked as the parser reads them and, for a head that has not ended, as bytes arrive,
  so the parser never buffers more than that;
- ``headers``: how many header lines; more gets ``431``;
- ``head_timeout``: seconds from the connection (or from the first byte of the next request on a
  kept-alive one) to the end of the head; a client slower than that gets ``408`` and is closed;
- ``keep_alive``: seconds an idle kept-alive connection stays open (uvicorn's ``timeout_keep_alive``);
- ``connections``: connections and requests in progress; beyond, uvicorn answers ``503``.

Values (``Settings``, ``KG_LIMIT_*``): the heads of every request of the load benchmark are under
1 KiB with under ten headers, and answer in well under a second; the defaults leave a browser's
cookies and a proxy's headers ample room (32 KiB, 100 headers, as nginx and Go allow) while
bounding what 1,000 connections can hold to 32 MiB.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["GuardedHttpTools", "ServerLimits", "guarded_protocol", "run"]


@dataclass(frozen=True, slots=True)
class ServerLimits:
    head_bytes: int = 32 * 1024
    headers: int = 100
    head_timeout: float = 10.0
    keep_alive: float = 10.0
    connections: int = 1000


_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing heads that are too large, too many or too slow."""

    limits: ClassVar[ServerLimits] = ServerLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_received = self._head_size = 0
        self._header_lines = 0
        self._reading_head = True
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if not self._reading_head and (self.cycle is None or self.cycle.response_complete):
            self._reading_head = True  # the next request on a kept-alive connection
            self._head_received = self._head_size = self._header_lines = 0
            self._start_head_timer()
        if self._reading_head:
            self._head_received += len(data)
        super().data_received(data)
        if self._reading_head and not self._refused and self._head_received > self.limits.head_bytes:
            self._refuse(431, f"the request head is over {self.limits.head_bytes} bytes")

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        if self._head_size > self.limits.head_bytes:
            self._refuse(431, f"the request head is over {self.limits.head_bytes} bytes")
        elif not self._refused:
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_lines += 1
        self._head_size += len(name) + len(value) + 4
        if self._header_lines > self.limits.headers:
            self._refuse(431, f"the request has over {self.limits.headers} headers")
        elif self._head_size > self.limits.head_bytes:
            self._refuse(431, f"the request head is over {self.limits.head_bytes} bytes")
        elif not self._refused:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._reading_head = False
        self._stop_head_timer()
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    def _start_head_timer(self) -> None:
        self._stop_head_timer()
        self._head_timer = self.loop.call_later(self.limits.head_timeout, self._head_too_slow)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._reading_head and not self.transport.is_closing():
            self._refuse(408, f"the request head did not arrive within {self.limits.head_timeout:g} s")

    def _refuse(self, status: int, reason: str) -> None:
        self._refused = True
        self._stop_head_timer()
        body = reason.encode()
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (status, _REASONS[status], len(body), body)
        )
        self.transport.close()


def guarded_protocol(limits: ServerLimits) -> type[HttpToolsProtocol]:
    """``GuardedHttpTools`` under ``limits`` (uvicorn takes a protocol class, not an instance)."""
    return type("GuardedHttpTools", (GuardedHttpTools,), {"limits": limits})


# uvicorn's worker processes are spawned: they import the protocol by this name (uvicorn 0.36 and newer).
WORKER_PROTOCOL = "app.server:WorkerProtocol"


def run(
    app: Any,
    *,
    host: str,
    port: int,
    limits: ServerLimits,
    access_log: bool,
    workers: int = 1,
    log_config: dict[str, Any] | None = None,
) -> None:
    """Serve ``app`` with uvicorn under ``limits``; ``log_config`` replaces uvicorn's logging set-up.

    Worker processes (``workers`` > 1) are spawned: they get the protocol by name and build it from the
    settings (the environment), since a class made here cannot be sent to them.
    """
    protocol: Any = guarded_protocol(limits) if workers == 1 else WORKER_PROTOCOL
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        http=protocol,
        timeout_keep_alive=int(limits.keep_alive),
        limit_concurrency=limits.connections,
        server_header=False,
        workers=workers,
        log_config=log_config or uvicorn.config.LOGGING_CONFIG,
    )


def __getattr__(name: str) -> Any:
    if name == "WorkerProtocol":  # for uvicorn's worker processes (see ``run``)
        from .config import get_settings

        return guarded_protocol(get_settings().server_limits)
    raise AttributeError(name)
