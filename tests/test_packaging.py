"""The README, Makefile, CI script and Dockerfile agree on how to run and test the service."""

from __future__ import annotations

import re
import shlex

from .conftest import ROOT


def _quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    assert block, "the Quick start has a code block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def _make_recipe(target: str) -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert match, f"make {target} exists"
    return [line.strip() for line in match.group(1).splitlines()]


def _docker_cmd() -> list[str]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    (cmd,) = re.findall(r"^CMD (\[.*\])$", dockerfile, re.M)
    return list(eval(cmd))  # a JSON-array CMD is a Python list literal


def test_quick_start_is_exactly_serve_and_test() -> None:
    assert _quick_start() == ["make serve", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script.splitlines()[-1]


def test_dockerfile_runs_the_same_server_command_as_make_serve() -> None:
    (serve,) = [line for line in _make_recipe("serve") if " -m app serve" in line]
    make_command = shlex.split(serve.replace("$(BIN)/python", "python"))
    docker_command = _docker_cmd()
    assert docker_command[:4] == make_command[:4] == ["python", "-m", "app", "serve"]
    assert docker_command[docker_command.index("--port") + 1] == "8000"
    assert "--host" in make_command and "--host" in docker_command


def test_dockerfile_is_slim_unprivileged_and_checks_health() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1\d-slim", dockerfile, re.M)
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"HEALTHCHECK .*\n?.*/health", dockerfile)
    assert "COPY graph_data" in dockerfile
