"""The explorer page at `/`, its static assets, and `/docs` and `/redoc` served without a CDN.

The browser libraries (Cytoscape.js, Chart.js, Swagger UI, ReDoc) come from the npm registry, pinned
by `app/explorer/package-lock.json`, and are copied into `app/explorer/static/vendor/` by the install
step (`app/explorer/install.sh`, run by `make`). Without them (no npm on the machine), the API still
answers, `/` says the explorer is unavailable, and the docs fall back to FastAPI's CDN pages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

__all__ = ["ASSETS_URL", "STATIC", "assets_built", "install_explorer"]

STATIC = Path(__file__).resolve().parent.parent / "explorer" / "static"
ASSETS_URL = "/assets"
_VENDOR = f"{ASSETS_URL}/vendor"
_UNAVAILABLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Explorer unavailable</title></head>
<body><h1>The explorer is unavailable</h1>
<p>Its browser libraries were not installed (npm was missing when the service was installed).
Install Node.js and npm, then run <code>sh app/explorer/install.sh</code>.</p>
<p>The REST API works as usual: see <a href="/docs">/docs</a>.</p></body></html>
"""

_IMAGES_FROM_HERE = "img-src 'self' data:"

log = logging.getLogger(__name__)


def assets_built(static: Path = STATIC) -> bool:
    """Whether the install step copied the browser libraries (it writes `versions.json` last)."""
    return (static / "vendor" / "versions.json").is_file()


_PAGE = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def install_explorer(app: FastAPI, *, static: Path = STATIC) -> None:
    """Serve `/`, `/assets/...`, `/docs` and `/redoc` on `app` (created with `docs_url=None, redoc_url=None`)."""
    built = assets_built(static)
    if not built:
        log.warning(
            "explorer assets missing in %s: / is unavailable and /docs loads from a CDN; "
            "run `sh app/explorer/install.sh`",
            static / "vendor",
        )
    app.mount(ASSETS_URL, StaticFiles(directory=static, check_dir=False), name="assets")
    app.include_router(_router(app, static=static, built=built))


def _router(app: FastAPI, *, static: Path, built: bool) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    openapi_url = app.openapi_url or "/openapi.json"
    # Without the local copies, FastAPI's defaults (a CDN) are better than a blank page.
    swagger_assets: dict[str, Any] = (
        {
            "swagger_js_url": f"{_VENDOR}/swagger-ui-dist/swagger-ui-bundle.js",
            "swagger_css_url": f"{_VENDOR}/swagger-ui-dist/swagger-ui.css",
            "swagger_favicon_url": f"{_VENDOR}/swagger-ui-dist/favicon-32x32.png",
        }
        if built
        else {}
    )
    redoc_assets: dict[str, Any] = (
        {
            "redoc_js_url": f"{_VENDOR}/redoc/redoc.standalone.js",
            "redoc_favicon_url": f"{_VENDOR}/swagger-ui-dist/favicon-32x32.png",
            "with_google_fonts": False,
        }
        if built
        else {}
    )
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @router.get("/")
    async def explorer() -> Response:
        if not built:
            return HTMLResponse(_UNAVAILABLE, status_code=503)
        # Cytoscape and Chart.js set inline styles on the elements they draw; nothing else is loosened.
        return FileResponse(static / "index.html", media_type="text/html", headers={"Content-Security-Policy": _PAGE})

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=redirect_url,
            **swagger_assets,
        )

    @router.get(redirect_url)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(openapi_url=openapi_url, title=f"{app.title} - ReDoc", **redoc_assets)
        if built:
            # ReDoc's sidebar always asks its vendor's CDN for a logo (and hides it when that fails):
            # keep that request from leaving the machine.
            page.headers["Content-Security-Policy"] = _IMAGES_FROM_HERE
        return page

    return router
