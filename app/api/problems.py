"""Every error as RFC 9457 problem details, from one table of handlers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope, Send

from ..errors import ServiceError
from .work import ClientGone

__all__ = ["install_problem_handlers", "problem_response", "send_problem"]

logger = logging.getLogger("app")
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://kg.example/problems/"


ECHO_LIMIT = 300  # characters of a client's input repeated in an error body


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    slug: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return JSONResponse(cap_echo(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def send_problem(
    send: Send,
    scope: Scope,
    *,
    status: int,
    title: str,
    detail: str,
    slug: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """A problem answered by pure ASGI middleware, which runs outside FastAPI's exception handlers."""
    body = orjson.dumps(
        {
            "type": TYPE_BASE + slug,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": cap_echo(scope["path"]),
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def cap_echo(value: Any) -> Any:
    """``value`` with every long string cut: a 60 KB reference must not come back three times.

    >>> cap_echo({"ref": "x" * 400, "n": [1, "ab"]})["ref"][-30:]
    'xxxxxxxxxx... (400 characters)'
    """
    if isinstance(value, str):
        return value if len(value) <= ECHO_LIMIT else f"{value[:ECHO_LIMIT]}... ({len(value)} characters)"
    if isinstance(value, dict):
        return {key: cap_echo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [cap_echo(item) for item in value]
    return value


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return problem_response(
        request, status=exc.status, title=exc.title, detail=exc.detail, slug=exc.slug, headers=exc.headers, **exc.extra
    )


async def _client_gone(request: Request, exc: Exception) -> Response:
    """Nobody reads this answer: 499, nginx's "client closed request", for the access log."""
    return Response(status_code=499)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "parameter": ".".join(str(part) for part in error["loc"][1:2]) or "-",
            "in": str(error["loc"][0]) if error["loc"] else "-",
            "message": error["msg"],
        }
        for error in exc.errors()
    ]
    detail = "; ".join(f"{e['parameter']}: {e['message']}" for e in errors)
    return problem_response(
        request,
        status=422,
        title="Invalid parameter",
        detail=detail,
        slug="invalid-parameter",
        parameter=errors[0]["parameter"] if errors else None,
        errors=errors,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves on this path (Starlette's 405 names only the first route's)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # RFC 9110 15.5.6: Allow lists what the resource supports
        headers["Allow"] = _allowed_methods(request)
    return problem_response(
        request,
        status=exc.status_code,
        title=str(exc.detail),
        detail=str(exc.detail),
        slug=f"http-{exc.status_code}",
        headers=headers,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s", request.url, exc_info=exc)
    return problem_response(
        request,
        status=500,
        title="Internal error",
        detail="The server failed on this request; it has been logged.",
        slug="internal",
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(ClientGone, _client_gone)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
