"""The OpenAPI document: every error response documented as RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .problems import PROBLEM_JSON
from .schemas import Problem

__all__ = ["install_openapi"]

_ERRORS = {
    "404": "Unknown entity or relation; `suggestions` lists near names.",
    "409": "The name fits several entities; `candidates` lists their ids.",
    "422": "A parameter is malformed or out of range; `parameter` names it.",
}
_PLAIN = {"/health", "/types", "/ready", "/metrics"}
# Routes whose work runs in a bounded pool (api/work.py): under load they may answer 503.
_HEAVY = {
    "/analysis/mediator-candidates",
    "/analysis/balance",
    "/analysis/centrality",
    "/paths",
    "/changes",
    "/entities",
    "/entities/{ref}/neighbors",
}
_UNREADABLE = "The body is not UTF-8 text, so it cannot be JSON (RFC 8259); malformed JSON is a 422."
_OVERLOADED = "Too much heavy work queued, or its time budget ran out; `Retry-After` says when to try again."


def install_openapi(app: FastAPI) -> None:
    """Replace FastAPI's default error schemas with problem details, once, lazily."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            for path, operations in document["paths"].items():
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    responses.pop("422", None)
                    errors = (
                        _ERRORS
                        if path not in _PLAIN
                        else {"422": _ERRORS["422"]}
                        if operation.get("parameters")
                        else {}
                    )
                    for status, description in errors.items():
                        responses[status] = {"description": description, "content": problem}
                    if path in _HEAVY and "requestBody" not in operation:  # not the writes there
                        responses["503"] = {
                            "description": _OVERLOADED,
                            "content": problem,
                            "headers": {
                                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
                            },
                        }
                    if "requestBody" in operation:
                        responses["400"] = {"description": _UNREADABLE, "content": problem}
                    for status, response in responses.items():  # the routes' own (writes: 401, 403, 412...)
                        if status.startswith("4") and "content" not in response:
                            response["content"] = problem
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
