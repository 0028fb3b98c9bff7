"""Settings, read from the environment (prefix ``KG_``) or given to ``create_app``."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .server import ServerLimits

__all__ = ["Settings", "get_settings"]

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "graph_data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    data: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [DEFAULT_DATA],
        description="Dataset folders, first taking precedence; in the environment, "
        "separated by commas or the path separator (KG_DATA=graph_data,imported/icews14).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    access_log: bool = Field(
        default=False, description="Log every request as a JSON line with its request id (see README for its cost)."
    )
    opentelemetry: bool = Field(
        default=False,
        description="Let FastAPI report requests (spans, metrics, logs) to OpenTelemetry's global providers, once an "
        "OpenTelemetry SDK in the same environment configures them (see README for its cost).",
    )
    path_time_budget: float = Field(
        default=2.0, gt=0, le=30, description="Seconds a path search may run before it stops."
    )
    analysis_time_budget: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a whole-graph analysis (centrality, balance) "
        "may take from admission, queue included, before it answers 503 with Retry-After.",
    )
    analysis_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Worker processes for whole-graph analyses (each keeps its own analysis cache of 32 MiB).",
    )
    analysis_queue: int = Field(
        default=32, ge=0, le=1000, description="Distinct analyses admitted beyond the one running; more get 503."
    )
    search_time_budget: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="Seconds a search (paths, neighbourhoods, changes, fuzzy entity "
        "search, mediator candidates) may take from admission, queue included.",
    )
    inline_budget: float = Field(
        default=0.005,
        ge=0,
        le=1,
        description="Seconds a search is first tried on the event loop before it moves "
        "to a worker process (most take a millisecond or two; handing one over costs about as much).",
    )
    search_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Worker processes for searches (paths, neighbourhoods, changes, fuzzy search, mediator "
        "candidates).",
    )
    search_queue: int = Field(
        default=256, ge=0, le=10_000, description="Distinct searches admitted beyond the one running."
    )
    # -- HTTP hygiene (app/api/headers.py, caching.py, ratelimit.py) --
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS); none by default. "
        "In the environment, separated by commas (KG_CORS_ORIGINS=https://a.example,https://b.example).",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names the service answers to (other Host headers get a 400); "
        "empty: any. Comma-separated in the environment; `*.example.org` allowed.",
    )
    gzip_minimum_size: int = Field(
        default=4096,
        ge=0,
        description="Bytes from which a response is gzipped for clients that accept it.",
    )
    cache_max_age: int = Field(
        default=0,
        ge=0,
        description="Seconds a client may reuse a read without asking again; 0: revalidate "
        "every time (cheap: a 304 when the snapshot has not changed).",
    )
    response_cache_bytes: int = Field(
        default=64 << 20,
        ge=0,
        description="Bytes of recent answers kept to send again while the snapshot and the day hold (reads of "
        "the graph only; emptied by every change); 0: none kept.",
    )
    content_security_policy: str = Field(
        default="default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'",
        description="Content-Security-Policy of HTML pages: same-origin scripts, styles and fonts only.",
    )
    rate_limit: float = Field(
        default=0,
        ge=0,
        description="Requests per second allowed to each client address; 0: no limit.",
    )
    reads_require_key: bool = Field(
        default=False,
        description="Reads need an API key of any role (probes, /metrics and the API docs "
        "stay open); off: anyone may read, and only writes need a key.",
    )
    rate_burst: int = Field(default=50, ge=1, description="Requests a client may make at once above the rate.")

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    limit_head_bytes: int = Field(
        default=32 * 1024,
        ge=1024,
        le=1024 * 1024,
        description="Largest request head (request line and headers), in bytes.",
    )
    limit_headers: int = Field(default=100, ge=10, le=1000, description="Most header lines in a request.")
    limit_head_timeout: float = Field(
        default=10.0, gt=0, le=300, description="Seconds a client has to send a request's head."
    )
    limit_keep_alive: float = Field(
        default=10.0, ge=1, le=300, description="Seconds an idle kept-alive connection stays open."
    )
    limit_connections: int = Field(
        default=1000, ge=1, le=100_000, description="Connections and requests in progress; beyond, 503."
    )

    @property
    def server_limits(self) -> ServerLimits:
        return ServerLimits(
            head_bytes=self.limit_head_bytes,
            headers=self.limit_headers,
            head_timeout=self.limit_head_timeout,
            keep_alive=self.limit_keep_alive,
            connections=self.limit_connections,
        )

    state_dir: Path = Field(
        default_factory=lambda: _state_dir_default(),
        description="Where the service keeps its state: the SQLite journal of changes and API keys "
        "(default $XDG_DATA_HOME/bilateral-kg, i.e. ~/.local/share/bilateral-kg).",
    )
    database_url: str | None = Field(
        default=None,
        description="The journal's database: sqlite:///PATH or postgresql://USER@HOST:PORT/DB "
        "(default: SQLite, journal.sqlite3 in state_dir).",
    )
    poll_interval: float = Field(
        default=0.25,
        gt=0,
        le=60,
        description="Seconds between looks at the journal for changes made through "
        "other servers or workers sharing the database.",
    )

    @property
    def journal_url(self) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / 'journal.sqlite3'}"

    @field_validator("data", mode="before")
    @classmethod
    def _split_folders(cls, value: object) -> object:
        if isinstance(value, str):
            parts = value.replace(os.pathsep, ",").split(",")
            return [Path(part.strip()) for part in parts if part.strip()]
        return value


def _state_dir_default() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bilateral-kg"


@lru_cache
def get_settings() -> Settings:
    return Settings()
