"""Structured logs: one JSON object per line, carrying the id of the request being answered.

``configure_logging()`` sends the service's and uvicorn's records through ``JsonFormatter``;
``uvicorn_log_config()`` is the same for ``uvicorn.run(log_config=...)``. ``REQUEST_ID`` is set
by the telemetry middleware for the duration of a request, so any record logged while answering
it (an unexpected error, say) names it.

The access log is the one record per request, so it skips the ``logging`` machinery (a record,
a handler lock, a formatter and a write per line cost about a third of the throughput of
``/health``): ``AccessLog`` writes the same JSON lines to standard error, in batches flushed
within half a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from contextvars import ContextVar
from typing import Any, BinaryIO

import orjson

__all__ = ["ACCESS_LOGGER", "REQUEST_ID", "AccessLog", "JsonFormatter", "configure_logging", "uvicorn_log_config"]

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
ACCESS_LOGGER = "app.access"
_REQUEST_LINE = (
    b'{"time":"%s","level":"info","logger":"' + ACCESS_LOGGER.encode() + b'","message":"request",'
    b'"request_id":"%s","method":%s,"path":%s,"route":"%s","status":%d,"duration_ms":%.3f,'
    b'"client":%s}\n'
)
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra fields, "error"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": utc_timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request_id := REQUEST_ID.get()) is not None:
            entry["request_id"] = request_id
        entry.update((key, value) for key, value in vars(record).items() if key not in _RECORD_FIELDS)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def utc_timestamp(seconds: float) -> str:
    """``2026-11-30T17:19:28.955Z``"""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


class AccessLog:
    """JSON lines like ``JsonFormatter``'s (logger ``app.access``), written in batches.

    Lines wait at most ``delay`` seconds (or until ``batch`` of them are waiting) and are flushed
    at shutdown; ``write`` is called on the event loop's thread only.
    """

    def __init__(self, stream: BinaryIO | None = None, *, batch: int = 256, delay: float = 0.5) -> None:
        self.stream = stream if stream is not None else sys.stderr.buffer
        self.batch, self.delay = batch, delay
        self.lines: list[bytes] = []
        self._second, self._stamp = -1, ""

    def write(self, entry: dict[str, Any]) -> None:
        """A line of the fields of ``entry``."""
        line = {"time": self._now(), "level": "info", "logger": ACCESS_LOGGER, "message": "request", **entry}
        self._append(orjson.dumps(line, default=str) + b"\n")

    def request(
        self, *, request_id: bytes, method: str, path: str, route: str, status: int, seconds: float, client: str | None
    ) -> None:
        """The line of one request: the same fields as ``write`` would give, formatted directly (a dict and
        its encoding were most of the log's cost). ``request_id`` and ``route`` are made of characters JSON
        needs no escape for (the telemetry middleware checks ids; routes are the app's own templates)."""
        self._append(
            _REQUEST_LINE
            % (
                self._now().encode(),
                request_id,
                orjson.dumps(method),
                orjson.dumps(path),
                route.encode(),
                status,
                seconds * 1000,
                orjson.dumps(client),
            )
        )

    def _now(self) -> str:
        now = time.time()
        if int(now) != self._second:  # strftime once a second, not once a request
            self._second, self._stamp = int(now), time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
        return f"{self._stamp}.{int(now * 1000) % 1000:03d}Z"

    def _append(self, line: bytes) -> None:
        if not self.lines:
            with contextlib.suppress(RuntimeError):  # no loop: flushed by the batch limit or at shutdown
                asyncio.get_running_loop().call_later(self.delay, self.flush)
        self.lines.append(line)
        if len(self.lines) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            lines, self.lines = self.lines, []
            self.stream.write(b"".join(lines))
            self.stream.flush()


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` of JSON lines on standard error for the app and uvicorn."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler},
        "loggers": {
            name: {"handlers": ["json"], "level": level.upper(), "propagate": False}
            for name in ("app", "uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure_logging(level: str = "info") -> None:
    import logging.config

    logging.config.dictConfig(uvicorn_log_config(level))
