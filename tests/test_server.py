"""Server limits, driven over real sockets against ``python -m app serve`` with small limits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import CURATED, ROOT

LIMITS = {
    "KG_LIMIT_HEAD_BYTES": "4096",
    "KG_LIMIT_HEADERS": "20",
    "KG_LIMIT_HEAD_TIMEOUT": "1",
    "KG_LIMIT_KEEP_ALIVE": "1",
    "KG_LIMIT_CONNECTIONS": "8",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--data", str(CURATED), "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, **LIMITS},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _response(sock: socket.socket) -> bytes:
    """One whole response: its head, then as many bytes of body as ``content-length`` says."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _request(path: str = "/health", extra: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: test\r\n" + extra + b"\r\n"


def test_a_plain_request_is_answered_and_kept_alive(port: int) -> None:
    with _connect(port) as sock:
        for _ in range(3):
            sock.sendall(_request())
            answer = _response(sock)
            assert answer.startswith(b"HTTP/1.1 200 OK")
            assert b'"status":"ok","entities":' in answer


def test_a_head_over_the_byte_limit_gets_431_and_is_closed(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nX-Padding: " + b"a" * 8000 + b"\r\n\r\n")
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"over 4096 bytes" in answer


def test_a_head_that_never_ends_is_cut_off_at_the_limit_not_buffered(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nX-Endless: ")
        sent = 0
        with pytest.raises(OSError):  # the server closes the connection: sending fails, or reading ends
            while sent < 1_000_000:
                sock.sendall(b"b" * 1024)
                sent += 1024
                time.sleep(0.001)
            raise ConnectionResetError
    assert sent < 200_000


def test_too_many_headers_get_431(port: int) -> None:
    headers = b"".join(b"X-Header-%d: %d\r\n" % (n, n) for n in range(30))
    with _connect(port) as sock:
        sock.sendall(_request(extra=headers))
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"over 20 headers" in answer


def test_headers_within_the_limits_are_served(port: int) -> None:
    headers = b"".join(b"X-Header-%d: %s\r\n" % (n, b"v" * 100) for n in range(15))
    with _connect(port) as sock:
        sock.sendall(_request(extra=headers))
        assert _response(sock).startswith(b"HTTP/1.1 200 OK")


@pytest.mark.parametrize("sent", [b"", b"GET /health HTTP/1.1\r\nHost: te"])
def test_a_silent_or_slow_client_gets_408_and_is_closed(port: int, sent: bytes) -> None:
    with _connect(port) as sock:
        sock.sendall(sent)
        started = time.monotonic()
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert 0.5 < time.monotonic() - started < 4


def test_an_idle_kept_alive_connection_is_closed(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(_request())
        assert _response(sock).startswith(b"HTTP/1.1 200 OK")
        started = time.monotonic()
        assert sock.recv(65536) == b""  # closed by the server
    assert time.monotonic() - started < 4


def test_connections_beyond_the_limit_get_503(port: int) -> None:
    idle = [_connect(port) for _ in range(8)]
    try:
        time.sleep(0.2)
        with _connect(port) as sock:
            sock.sendall(_request())
            answer = _response(sock)
        assert answer.startswith(b"HTTP/1.1 503 ")
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)
    with _connect(port) as sock:  # room again once they are gone
        sock.sendall(_request())
        assert _response(sock).startswith(b"HTTP/1.1 200 OK")


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_heavy_work_processes_end_with_the_server(signal_name: str, tmp_path: Any) -> None:
    import signal

    port = _free_port()
    with (tmp_path / "server.log").open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--data", str(CURATED), "--port", str(port)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 4:  # two search workers, two analysis workers
            found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout
            workers = [int(pid) for pid in found.split()]
            time.sleep(0.1)
        assert len(workers) == 4, (tmp_path / "server.log").read_text()
        server.send_signal(getattr(signal, signal_name))
        server.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
            time.sleep(0.1)
        assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        if server.poll() is None:
            server.kill()
