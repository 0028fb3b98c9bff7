"""The README's examples, run as a reader runs them, and its API table checked against the app.

Each ``console`` block is a terminal session: ``$`` lines are commands (``\\`` continues a line), the
lines after one are what it prints. Commands run in bash from a scratch folder that looks like a
checkout after ``make`` (``graph_data``, ``tests/data`` and a ``.venv/bin/kg`` that runs this
interpreter's ``python -m app``), with real curl and jq. ``kg serve`` starts a server in the
background on a free port, which replaces 8000 in later commands; a block of curl commands without
one talks to ``make serve``'s server on the curated graph. The event data block needs the ICEWS 2014
files (``$KG_ICEWS14_DIR``, else the shared copy beside the checkout).
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

from .conftest import CURATED, ROOT

README = ROOT / "README.md"
REQUIRED = os.environ.get("KG_REQUIRE_SERVERS") == "1"
DEFAULT_ICEWS = ROOT.parent / "shared" / "datasets" / "icews14"


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    section: str
    steps: list[Step]

    @property
    def starts_server(self) -> bool:
        return any(_is_serve(step.command) for step in self.steps)

    @property
    def needs_icews(self) -> bool:
        return any("$ICEWS14" in step.command for step in self.steps)


def _is_serve(command: str) -> bool:
    return bool(re.search(r"(^|\s)(\.venv/bin/kg serve|make serve)\b", command))


def console_blocks(text: str) -> list[Block]:
    blocks = []
    section = ""
    for match in re.finditer(r"^(## [^\n]*)$|^```console\n(.*?)^```", text, re.M | re.S):
        if match[1]:
            section = match[1][3:]
            continue
        steps: list[Step] = []
        continued = False
        for line in match[2].splitlines():
            if continued:
                steps[-1].command += "\n" + line
            elif line.startswith("$ "):
                steps.append(Step(line[2:]))
            else:
                assert steps, f"output before any command in a console block of '{section}'"
                steps[-1].expected.append(line)
            continued = line.endswith("\\")
        blocks.append(Block(section, steps))
    return blocks


BLOCKS = console_blocks(README.read_text(encoding="utf-8"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Session:
    """A scratch checkout where README commands run; servers it starts are stopped at the end."""

    def __init__(self, folder: Path, icews: Path | None) -> None:
        self.folder = folder
        (folder / "graph_data").symlink_to(ROOT / "graph_data")
        (folder / "tests").mkdir()
        (folder / "tests" / "data").symlink_to(ROOT / "tests" / "data")
        kg = folder / ".venv" / "bin" / "kg"
        kg.parent.mkdir(parents=True)
        kg.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m app "$@"\n')
        kg.chmod(0o755)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.env.pop("KG_DATA", None)
        if icews is not None:
            self.env["ICEWS14"] = str(icews)
        self.servers: list[subprocess.Popen[bytes]] = []
        self.port: int | None = None
        self.serving = ""

    def serve(self, command: str) -> None:
        """Start ``command`` (``kg serve`` or ``make serve``, any KG_ settings before it) on a free port."""
        if command == self.serving:
            return
        self.stop()
        self.port = _free_port()
        asked, command = command, command.replace("make serve", ".venv/bin/kg serve")
        log = self.folder / f"server-{self.port}.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                ["bash", "-c", command],
                cwd=self.folder,
                env={**self.env, "KG_PORT": str(self.port)},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.servers.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"{command!r} exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1) as answer:
                    if answer.status == 200:
                        self.serving = asked
                        return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"{command!r} did not answer /health on port {self.port} within 60 s")

    def run(self, command: str) -> list[str]:
        if self.port is not None:
            command = command.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{self.port}")
        done = subprocess.run(
            ["bash", "-c", command], cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=120
        )
        return (done.stdout + done.stderr).splitlines()

    def stop(self) -> None:
        for server in self.servers:  # the server may be a child of bash: stop the whole group
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        self.servers.clear()
        self.port = None
        self.serving = ""


def _icews_folder() -> Path | None:
    folder = Path(os.environ.get("KG_ICEWS14_DIR") or DEFAULT_ICEWS)
    return folder if (folder / "train.txt").is_file() else None


def _missing(what: str) -> None:
    if REQUIRED:
        pytest.fail(f"{what} (KG_REQUIRE_SERVERS=1: the README examples must run)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def running_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """One scratch checkout for all blocks, so the curated graph's server starts once."""
    running = Session(tmp_path_factory.mktemp("checkout"), _icews_folder())
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def session(running_session: Session) -> Session:
    if shutil.which("jq") is None or shutil.which("curl") is None:
        _missing("curl and jq are needed to run the README's examples (make test installs jq)")
    return running_session


def test_readme_has_console_examples_in_each_part() -> None:
    sections = {block.section for block in BLOCKS}
    assert {"Example questions", "Analysis", "Command line", "Event data"} <= sections
    assert sum(len(block.steps) for block in BLOCKS) >= 20
    assert all(step.expected or _is_serve(step.command) for block in BLOCKS for step in block.steps)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{b.section}-{i}" for i, b in enumerate(BLOCKS)])
def test_readme_example_prints_what_the_readme_shows(block: Block, session: Session) -> None:
    if block.needs_icews and "ICEWS14" not in session.env:
        _missing(f"the ICEWS 2014 files are not in {DEFAULT_ICEWS} and KG_ICEWS14_DIR is not set")
    if not block.starts_server and any("curl" in step.command for step in block.steps):
        session.serve("make serve")
    for step in block.steps:
        if _is_serve(step.command):
            session.serve(step.command)
            continue
        printed = [line.replace(str(session.folder) + "/", "") for line in session.run(step.command)]
        assert printed == step.expected, f"$ {step.command}"


def _table_routes(text: str) -> dict[tuple[str, str], set[str]]:
    section = text.split("## The API", 1)[1].split("\n## ", 1)[0]
    routes = {}
    for method, path, parameters in re.findall(r"^\| `(\w+) ([^`]+)` \|([^|]*)\|", section, re.M):
        routes[(method, re.sub(r"\{\w+\}", "{}", path))] = set(re.findall(r"`(\w+)`", parameters))
    return routes


def test_readme_python_session_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    sessions = re.findall(r"```pycon\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert sessions, "the README shows the NetworkX graph in a Python session"
    monkeypatch.chdir(ROOT)  # as from the checkout
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for number, text in enumerate(sessions):
        runner.run(doctest.DocTestParser().get_doctest(text, {}, f"README session {number}", str(README), 0))
    results = runner.summarize(verbose=False)
    assert results.attempted >= 8 and results.failed == 0


def test_readme_api_table_lists_every_route_and_query_parameter() -> None:
    with TestClient(create_app(Settings(data=[CURATED]))) as client:
        schema = client.get("/openapi.json").json()
    served = {
        (method.upper(), re.sub(r"\{\w+\}", "{}", path)): {
            parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"
        }
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "get"
    }
    documented = _table_routes(README.read_text(encoding="utf-8"))
    assert documented == served


def test_readme_says_what_make_test_runs() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "ruff check" in recipe[1] and "mypy app" in recipe[1] and "pytest" in recipe[1]
    assert "`make test` runs ruff, mypy and the whole test suite" in README.read_text(encoding="utf-8")
