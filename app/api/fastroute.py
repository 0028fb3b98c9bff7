"""A route whose parameters are validated in one pass, for the hottest lookups.

FastAPI validates each parameter of a request on its own and re-inspects its
annotation every time; on a route of eight parameters answering in 40 us that
took longer than the query (see ``bench/RESULTS.md``). ``FastRoute`` builds one
pydantic validator per endpoint (a ``TypedDict`` of its parameters: it returns
the arguments as a dict, half the cost of a model instance) from the same
``Annotated[..., Query()/Path()]`` declarations, so the OpenAPI document, the
constraints and the 422 problem details are those FastAPI would give, and
validates a request with a single call. It serves async endpoints whose
parameters are path and query values, plus the graph; they return a ready
``Response``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any, NotRequired, Required, cast, get_args, get_origin, get_type_hints
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends, Path
from fastapi.routing import APIRoute
from pydantic import Field, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from ..curation.service import known_on
from ..errors import BadParameter
from ..graph import KnowledgeGraph

__all__ = ["REPEATED", "FastRoute", "takes_many"]

REPEATED = "given more than once; it takes one value"

Endpoint = Callable[..., Awaitable[Response]]


class FastRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint: Endpoint = self.endpoint
        validator, sources, graph_arguments = _parameter_validator(endpoint)
        query_sources = {alias: many for alias, (where, many) in sources.items() if where == "query"}

        async def handle(request: Request) -> Response:
            # Read the query string once, without building the multi-dict the route does not need;
            # a single value given twice is refused, as deps.single_values does for other routes.
            data: dict[str, Any] = dict(request.scope["path_params"])
            known = None
            for name, value in query_pairs(request.scope["query_string"]):
                if (source := query_sources.get(name)) is None:
                    if name == "as_known" and value:
                        known = value
                    continue
                if source:
                    data.setdefault(name, []).append(value)
                elif name in data:
                    raise BadParameter(name, REPEATED)
                else:
                    data[name] = value
            try:
                arguments = validator.validate_python(data)
            except ValidationError as exc:
                raise RequestValidationError(
                    [
                        {**error, "loc": (sources[str(error["loc"][0])][0], *error["loc"])}
                        for error in exc.errors(include_url=False)
                    ]
                ) from None
            kg = request.app.state.kg if known is None else known_on(request.app.state.curator, known)
            for name in graph_arguments:
                arguments[name] = kg
            return await endpoint(**arguments)

        return handle


def query_pairs(query: bytes) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of a raw query string, as ``parse_qsl(..., keep_blank_values=True)`` reads them.

    Without ``%`` escapes or ``+`` there is nothing to decode, and splitting is four times faster.

    >>> query_pairs(b"from=2014&to=&type=visit&type=hostility&members")
    [('from', '2014'), ('to', ''), ('type', 'visit'), ('type', 'hostility'), ('members', '')]
    >>> query_pairs(b"a=T%C3%BCrkiye+x")
    [('a', 'Türkiye x')]
    """
    if not query:
        return []
    text = query.decode("latin-1")
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True)
    return [(name, value) for name, _, value in (part.partition("=") for part in text.split("&") if part)]


def takes_many(annotation: Any) -> bool:
    """Whether a query parameter of this type may repeat (``list[...]``, optional or not)."""
    return get_origin(annotation) is list or any(get_origin(arg) is list for arg in get_args(annotation))


def _parameter_validator(
    endpoint: Endpoint,
) -> tuple[TypeAdapter[dict[str, Any]], dict[str, tuple[str, bool]], list[str]]:
    """One validator for the endpoint's path and query parameters, where each comes from, and graph arguments."""
    if not inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__name__}: FastRoute serves async endpoints only")
    hints = get_type_hints(endpoint, include_extras=True)
    fields: dict[str, Any] = {}
    sources: dict[str, tuple[str, bool]] = {}
    graph_arguments: list[str] = []
    for name, parameter in inspect.signature(endpoint).parameters.items():
        annotation = hints[name]
        base, *extras = get_args(annotation) if get_origin(annotation) is Annotated else (annotation,)
        if base is KnowledgeGraph and any(isinstance(extra, Depends) for extra in extras):
            graph_arguments.append(name)
            continue
        info = next((extra for extra in extras if isinstance(extra, FieldInfo)), None)
        if info is None:
            raise TypeError(f"{endpoint.__name__}.{name}: declare it as Annotated[..., Query()] or Path()")
        alias = info.alias or name
        many = takes_many(base)
        sources[alias] = ("path" if isinstance(info, Path) else "query", many)
        if parameter.default is inspect.Parameter.empty:
            fields[name] = Required[Annotated[base, info]]
        else:
            fields[name] = NotRequired[Annotated[base, info, Field(default=parameter.default)]]
    parameters = TypedDict(f"{endpoint.__name__}_parameters", fields)  # type: ignore[misc]
    return TypeAdapter(cast(Any, parameters)), sources, graph_arguments
