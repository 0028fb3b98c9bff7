"""The README, Makefile, CI script and Dockerfile agree on how to run and test the service."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest

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


def test_ci_runs_the_readme_test_command_then_the_lowest_versions() -> None:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "export KG_REQUIRE_SERVERS=1" in lines
    assert lines.index("make test") < lines.index("make test-lowest")


def test_dockerfile_runs_the_same_server_command_as_make_serve() -> None:
    (serve,) = [line for line in _make_recipe("serve") if "/kg serve" in line]
    make_command = shlex.split(serve.replace("$(BIN)/kg", "python -m app"))
    docker_command = _docker_cmd()
    assert docker_command[:4] == make_command[:4] == ["python", "-m", "app", "serve"]
    assert docker_command[docker_command.index("--port") + 1] == "8000"
    assert "--host" in docker_command


def test_kg_command_is_the_documented_entry_point() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"] == {"kg": "app.__main__:main"}
    assert pyproject["project"]["license"] == "MIT"


def _locked(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)(?: ;[^\\]*)? \\\n\s+--hash=sha256:", text, re.M))


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock", "requirements-lowest.lock"])
def test_lock_pins_every_requirement_with_hashes(lock: str) -> None:
    text = (ROOT / lock).read_text()
    pins = [line for line in text.splitlines() if "==" in line]
    assert pins and all(line.endswith("\\") for line in pins)  # each pin is followed by its hashes
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = list(pyproject["project"]["dependencies"])
    if lock != "requirements.lock":
        wanted += pyproject["project"]["optional-dependencies"]["test"]
    locked = _locked(lock)
    for requirement in [*wanted, *pyproject["build-system"]["requires"]]:
        name = re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in locked, f"{requirement} is not in {lock}: run make lock"


def test_runtime_lock_agrees_with_the_dev_lock() -> None:
    runtime, dev = _locked("requirements.lock"), _locked("requirements-dev.lock")
    assert {name: version for name, version in runtime.items() if dev.get(name) != version} == {}


def test_makefile_ci_and_dockerfile_install_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes -r requirements-lowest.lock" in makefile
    assert "--require-hashes -r requirements.lock" in (ROOT / "Dockerfile").read_text()


def test_dockerfile_is_slim_unprivileged_and_checks_health() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    # Pinned to a patch release, so a rebuild installs the same interpreter.
    assert re.search(r"^FROM python:3\.1\d\.\d+-slim-\w+$", dockerfile, re.M)
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"HEALTHCHECK .*\n?.*/ready", dockerfile)
    assert "COPY graph_data" in dockerfile


def test_dockerignore_keeps_the_build_context_to_what_the_image_copies() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "tests", "bench", "**/__pycache__"} <= ignored
    # From the build context (a COPY --from takes from an earlier stage, not from the context).
    copied = set(re.findall(r"^COPY (?!--from)(.*) \S+$", (ROOT / "Dockerfile").read_text(), re.M))
    sources = {source.rstrip("/") for line in copied for source in line.split()}
    explorer = {
        f"app/explorer/{name}" for name in ("package.json", "package-lock.json", "copy-vendor.mjs", "install.sh")
    }  # the node stage's
    assert sources == {"requirements.lock", "pyproject.toml", "README.md", "app", "graph_data", *explorer}
    assert not sources & ignored


def test_make_test_runs_schemathesis_against_a_live_server() -> None:
    assert ".ci/schemathesis" in _make_recipe("test")
    script = (ROOT / ".ci" / "schemathesis").read_text()
    assert "-m app serve --host 127.0.0.1" in script and "--checks all" in script
    assert "--phases examples,coverage,fuzzing,stateful" in script
    # One check is left out, with its reason in the script (a retracted relation's history stays readable).
    assert re.findall(r"--exclude[-\w]*(?: \S+)?", script) == ["--exclude-checks use_after_free"]
