"""`python -m app serve` itself: what uvicorn's settings decide (banner, chunking, log lines)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import MINI, ROOT

Server = tuple[str, subprocess.Popen[bytes], Path]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"KG_DATA": str(MINI), "KG_ACCESS_LOG": "true", "PATH": "/usr/bin:/bin"}
    # A file, not a pipe: the heavy-work processes the server forks share its standard error, and
    # a pipe would stay open (reads never end) as long as any of them does.
    log = tmp_path_factory.mktemp("server") / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/ready", timeout=1)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
    yield base, process, log
    process.terminate()
    process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # heavy-work processes outliving the server
        os.killpg(process.pid, signal.SIGKILL)


def raw_get(base: str, path: str) -> tuple[str, bytes]:
    """The status line and headers exactly as sent, and the raw body."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Request-ID: live-1\r\nConnection: close\r\n\r\n"
        connection.sendall(request.encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode("latin-1").lower(), body


def test_no_server_banner_and_the_request_id_comes_back(server: Server) -> None:
    head, _ = raw_get(server[0], "/health")
    assert head.startswith("http/1.1 200") and "\r\nserver:" not in head
    assert "\r\nx-request-id: live-1" in head and "\r\nx-content-type-options: nosniff" in head


def test_an_export_is_chunked_so_a_cut_is_detectable(server: Server) -> None:
    head, body = raw_get(server[0], "/export?format=csv")
    assert "\r\ntransfer-encoding: chunked" in head and "content-length" not in head
    assert body.endswith(b"\r\n0\r\n\r\n")  # the last, empty chunk: absent when the stream is cut


def test_logs_are_json_lines_naming_the_request(server: Server) -> None:
    base, process, log = server
    raw_get(base, "/entities/alpha")
    process.terminate()  # flushes the access log
    process.wait(timeout=10)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "app.access" and line["path"] == "/entities/alpha"]
    assert [(a["request_id"], a["route"], a["status"]) for a in access] == [("live-1", "/entities/{ref}", 200)]
    assert any(line["logger"].startswith("uvicorn") for line in lines)
