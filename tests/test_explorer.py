"""The explorer's assets: served from the installed package, pinned by the npm lock, built the same
way by `make` and by the Dockerfile; and what the service does without them."""

from __future__ import annotations

import fnmatch
import json
import logging
import re
import tomllib
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.explorer import STATIC, assets_built, install_explorer

from .conftest import ROOT
from .live import require

EXPLORER = ROOT / "app" / "explorer"
# What a page may load: this service's own paths, never another host.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""")


@pytest.fixture(scope="module")
def built() -> Path:
    if not assets_built():
        require("the explorer assets are not built (npm was missing: run sh app/explorer/install.sh)")
    return STATIC


def _local_assets(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["'](/assets/[^"']+)["']""", html)


def test_explorer_page_loads_only_this_services_files(client: TestClient, built: Path) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Knowledge graph explorer</h1>" in page.text
    assert not EXTERNAL.search(page.text)
    assets = _local_assets(page.text)
    assert "/assets/vendor/cytoscape/cytoscape.min.js" in assets
    assert '"/assets/vendor/chart.js/chart.umd.min.js"' in (STATIC / "js" / "panel.js").read_text()  # on demand
    assets.append("/assets/vendor/chart.js/chart.umd.min.js")
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 100, asset


def test_explorer_scripts_call_only_this_service() -> None:
    for script in [*(STATIC / "js").glob("*.js"), STATIC / "explorer.css"]:
        assert not re.search(r"https?://", script.read_text()), script.name


@pytest.mark.parametrize(
    ("path", "assets"),
    [
        (
            "/docs",
            ["/assets/vendor/swagger-ui-dist/swagger-ui-bundle.js", "/assets/vendor/swagger-ui-dist/swagger-ui.css"],
        ),
        ("/redoc", ["/assets/vendor/redoc/redoc.standalone.js"]),
    ],
)
def test_api_docs_load_their_assets_from_the_service(
    client: TestClient, built: Path, path: str, assets: list[str]
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert not EXTERNAL.search(page.text), "a CDN or font host is named"
    assert set(assets) <= set(_local_assets(page.text))
    for asset in assets:
        assert client.get(asset).status_code == 200
    assert "/openapi.json" in page.text
    if path == "/redoc":
        assert page.headers["content-security-policy"] == "img-src 'self' data:"


def test_docs_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/", "/docs", "/redoc", "/docs/oauth2-redirect"} & set(paths)


def test_without_assets_the_explorer_says_it_is_unavailable(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = FastAPI(docs_url=None, redoc_url=None)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    with caplog.at_level(logging.WARNING, logger="app.api.explorer"):
        install_explorer(app, static=tmp_path)
    assert "explorer assets missing" in caplog.text and "install.sh" in caplog.text
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 503
        assert "The explorer is unavailable" in page.text and "sh app/explorer/install.sh" in page.text
        assert client.get("/health").json() == {"status": "ok"}
        # Better the CDN pages of FastAPI than blank ones.
        assert "cdn.jsdelivr.net" in client.get("/docs").text
        assert "content-security-policy" not in client.get("/redoc").headers


def test_npm_dependencies_are_pinned_exactly_by_the_lock() -> None:
    package = json.loads((EXPLORER / "package.json").read_text())
    lock = json.loads((EXPLORER / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for path, entry in lock["packages"].items():
        if path:
            assert entry.get("integrity", "").startswith("sha512-"), path


def test_the_vendor_folder_holds_the_locked_versions(built: Path) -> None:
    lock = json.loads((EXPLORER / "package-lock.json").read_text())["packages"]
    versions = json.loads((built / "vendor" / "versions.json").read_text())
    assert {"cytoscape", "chart.js", "swagger-ui-dist", "redoc", "cytoscape-fcose"} <= set(versions)
    for name, version in versions.items():
        assert lock[f"node_modules/{name}"]["version"] == version
        assert list((built / "vendor" / name).glob("LICENSE*")), f"{name} has its licence beside it"


def test_the_package_data_ships_every_static_file(built: Path) -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["app"]
    files = [path.relative_to(ROOT / "app").as_posix() for path in built.rglob("*") if path.is_file()]
    assert any(name.startswith("explorer/static/vendor/") for name in files)

    # setuptools' globs: `*` stops at a slash, as fnmatch's does not, so compare segment by segment.
    def shipped(name: str) -> bool:
        return any(
            len(p.split("/")) == len(name.split("/"))
            and all(fnmatch.fnmatchcase(part, glob) for part, glob in zip(name.split("/"), p.split("/"), strict=True))
            for p in patterns
        )

    assert [name for name in files if not shipped(name)] == []


def _recipe(target: str) -> tuple[str, list[str]]:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert match, f"make {target} exists"
    return match.group(1), [line.strip() for line in match.group(2).splitlines()]


def test_the_install_step_builds_the_assets_from_the_lock() -> None:
    prerequisites, lines = _recipe("$(BIN)/.installed")
    assert "app/explorer/package-lock.json" in prerequisites.split()
    assert "sh app/explorer/install.sh" in lines
    script = (EXPLORER / "install.sh").read_text()
    assert "npm ci --ignore-scripts" in script and "npm run --silent build" in script
    assert "explorer at / is unavailable" in script  # without npm: a message, and the install goes on


def test_the_dockerfile_builds_the_same_assets_in_a_node_stage() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^(?=FROM )", dockerfile, flags=re.M)
    node = next(stage for stage in stages if stage.startswith("FROM node:"))
    name = re.match(r"FROM node:(\d+)\S* AS (\S+)", node)
    assert name and int(name.group(1)) >= 20
    for file in ("package.json", "package-lock.json", "copy-vendor.mjs", "install.sh"):
        assert f"app/explorer/{file}" in node
    assert re.search(r"^RUN sh install\.sh$", node, re.M)
    service = stages[-1]
    copy = re.search(rf"^COPY --from={name.group(2)} (\S+) (\S+)$", service, re.M)
    assert copy and copy.group(1).endswith("app/explorer/static/vendor")
    assert copy.group(2) == "./app/explorer/static/vendor"
    install = re.search(r"^RUN pip install [^\n]*\.(?: |$)", service, re.M)
    assert install and service.index(copy.group(0)) < install.start()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "**/node_modules/" in ignored and "app/explorer/static/vendor/" in ignored


def test_ci_provisions_the_browser_and_requires_servers() -> None:
    _, lines = _recipe("test")
    assert ".ci/provision-browser" in lines
    assert "export KG_REQUIRE_SERVERS=1" in (ROOT / ".ci" / "run").read_text().splitlines()
    script = (ROOT / ".ci" / "provision-browser").read_text()
    assert "apt-get install -y -qq chromium" in script


def test_ci_provisions_npm_and_builds_the_assets_the_install_step_left_out() -> None:
    _, lines = _recipe("test")
    assert lines.index(".ci/provision-node") < lines.index("$(BIN)/python -m pytest")
    script = (ROOT / ".ci" / "provision-node").read_text()
    assert "apt-get install -y -qq nodejs npm" in script
    assert '[ -f "$built" ] && exit 0' in script and "built=app/explorer/static/vendor/versions.json" in script
    assert script.rstrip().endswith("sh app/explorer/install.sh")
