"""JSON answers serialised straight from the graph layer's dicts.

Routes still declare their response model (for OpenAPI and the contract tests);
returning a ready ``Response`` skips FastAPI's second validation pass, which on
the hottest routes costs more than the query itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import Response

__all__ = ["json_response"]


def json_response(payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), media_type="application/json", headers=headers)
