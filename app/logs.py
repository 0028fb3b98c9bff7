"""Structured logs: one JSON object per line, carrying the id of the request being answered.

``configure_logging()`` sends the service's and uvicorn's records through ``JsonFormatter``;
``uvicorn_log_config()`` is the same for ``uvicorn.run(log_config=...)``. ``REQUEST_ID`` is set
by the telemetry middleware for the duration of a request, so any record logged while answering
it (an unexpected error, say) names it.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from typing import Any

import orjson

__all__ = ["ACCESS_LOGGER", "REQUEST_ID", "JsonFormatter", "configure_logging", "uvicorn_log_config"]

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
ACCESS_LOGGER = "app.access"
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra fields, "error"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
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
