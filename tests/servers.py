"""Servers tests need: a throwaway PostgreSQL cluster, and the service itself as a separate process.

PostgreSQL comes from Debian's packages (``.ci/provision-postgres`` installs them);
a cluster is made with ``initdb`` under a temporary folder and listens on a free
loopback port until the session ends. Without the binaries the tests that need
them skip, except under ``KG_REQUIRE_SERVERS=1`` (CI), where they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["PostgresCluster", "call", "free_port", "postgres_cluster", "start_service", "stop_service"]

ROOT = Path(__file__).resolve().parent.parent


def call(method: str, url: str, body: object = None, *, key: str | None = None, timeout: float = 10) -> tuple[int, Any]:
    """One HTTP request (standard library only): the status and the decoded JSON body."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    return status, json.loads(raw) if raw else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


class PostgresCluster:
    def __init__(self, root: Path, port: int, bin_dir: Path, user: str | None) -> None:
        self.root, self.port, self.bin, self.user = root, port, bin_dir, user
        self._count = 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=self.root)

    def start(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.root / "data"),
            "-U",
            "kg",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.root / "data"),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        import psycopg

        self._count += 1
        name = f"kg_test_{self._count}"
        with psycopg.connect(f"postgresql://kg@127.0.0.1:{self.port}/postgres", autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql://kg@127.0.0.1:{self.port}/{name}"


def _unavailable(reason: str) -> None:
    if os.environ.get("KG_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{reason} (KG_REQUIRE_SERVERS=1: run .ci/provision-postgres)")
    pytest.skip(reason)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        _unavailable("PostgreSQL is not installed (/usr/lib/postgresql/*/bin)")
        raise AssertionError  # unreachable: skip and fail raise
    user = None
    root = Path(tempfile.mkdtemp(prefix="kg-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root: the cluster belongs to the postgres user
        user = "postgres"
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    cluster = PostgresCluster(root, free_port(), bin_dir, user)
    try:
        cluster.start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"cannot start PostgreSQL: {exc.stderr.decode(errors='replace')[-500:]}")
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def start_service(
    *, data: Path, database_url: str, state_dir: Path, port: int | None = None, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m app serve`` in its own process; returns it and its base URL once it answers."""
    port = port or free_port()
    env = {**os.environ, "KG_DATABASE_URL": database_url, "KG_STATE_DIR": str(state_dir), "KG_POLL_INTERVAL": "0.1"}
    command = [sys.executable, "-m", "app", "serve", "--data", str(data), "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited: {process.stderr.read().decode() if process.stderr else ''}")
        with contextlib.suppress(OSError):
            if call("GET", f"{url}/health", timeout=1)[0] == 200:
                return process, url
        time.sleep(0.1)
    stop_service(process)
    raise RuntimeError("the service did not answer within 60 s")


def stop_service(process: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    """Stop the service (and its workers): SIGKILL with ``kill``, else SIGTERM."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    if process.stderr:
        process.stderr.close()
