"""The route class of every read of the graph: a request's parameters validated in one pass.

Why not FastAPI's own: it validates each parameter on its own, re-inspecting its annotation on every
request; under load that cost ~10% of the event loop's CPU, and on an eight-parameter lookup of
40 us it took longer than the query (``bench/RESULTS.md``). ``GraphReadRoute`` takes what FastAPI
worked out from the endpoint's declarations (its ``Dependant``: parameters, aliases, defaults,
dependencies, in FastAPI's order), builds one pydantic validator of all of them when the route is
declared, and checks a request with a single call.

What an endpoint on it may declare (anything else is refused with a ``TypeError`` naming endpoint and
parameter when the route is declared, not when a request fails):

- path and query parameters (``Annotated[T, Path(...)]``, ``Annotated[T, Query(...)]``; a query
  parameter that repeats is a ``list[...]``);
- ``Request``;
- dependencies ``Annotated[T, Depends(f)]`` with ``f`` an ``async def`` that takes path and query
  parameters and the ``Request`` (the graph, settings, the relation filter, the heavy-work pools of
  ``deps`` and ``work``), but no dependencies of its own;

and it must be an ``async def`` returning a ``Response`` (``json_response``, a heavy-work answer, a
stream): there is no second pass over the answer either. A ``response_model`` documents the shape.

It answers as FastAPI would, which ``tests/test_read_route.py`` checks against a twin on plain
``APIRoute``: the OpenAPI document is FastAPI's, made from the same ``Dependant``; a bad request gets
the same 422 (when one check fails, the checks are replayed in FastAPI's order: each dependency in
turn, called as soon as its own parameters are valid, then the endpoint's path and query parameters);
a single-valued parameter given twice is refused as ``query_string.single_values`` refuses it on
other routes (which is why that app-wide dependency is not called here). Dependency overrides are
not consulted.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass
from typing import Annotated, Any, NotRequired, Required, cast, get_args, get_origin, get_type_hints

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, _effective_route_context_var
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from ..errors import BadParameter
from .query_string import REPEATED, query_pairs, single_values, takes_many

__all__ = ["GraphReadRoute"]

Validator = TypeAdapter[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Call:
    """A function the route calls for a request: a dependency, or the endpoint (last)."""

    function: Callable[..., Awaitable[Any]]
    result: str | None  # the endpoint argument a dependency's answer goes to
    values: tuple[tuple[str, str], ...]  # (argument, parameter name in the request)
    request: str | None  # the argument that takes the Request
    where: dict[str, str]  # parameter name -> "path" or "query"
    repeats: dict[str, bool]  # query parameter name -> whether it may be given more than once
    fields: dict[str, Any]  # its parameters as TypedDict fields: path ones first, as FastAPI checks them
    validator: Validator  # its own parameters alone: to replay FastAPI's order on a refusal

    def arguments(self, values: dict[str, Any], request: Request) -> dict[str, Any]:
        arguments = {argument: values[name] for argument, name in self.values}
        if self.request is not None:
            arguments[self.request] = request
        return arguments

    def errors(self, exc: ValidationError) -> list[dict[str, Any]]:
        """pydantic's errors as FastAPI words them: located by source, a missing value without input."""
        found: list[dict[str, Any]] = []
        for error in exc.errors(include_url=False):
            name, *rest = error["loc"]
            worded: dict[str, Any] = {**error, "loc": (self.where[str(name)], name, *rest)}
            if error["type"] == "missing" and not rest:
                worded["input"] = None
            found.append(worded)
        return found


class GraphReadRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        dependant, name = _served(self), self.name
        dependencies = [_call(sub, f"{name}.{sub.name}") for sub in dependant.dependencies if _called(sub, name)]
        own = _call(dependant, name)
        if len({call.function for call in dependencies}) < len(dependencies):
            raise TypeError(f"{name}: a dependency is declared twice (FastAPI would call it once)")
        if not _returns_response(dependant):
            raise TypeError(f"{name}: a read route returns a Response (json_response, a heavy-work answer...)")
        validator = _validator(name, [*dependencies, own])
        defaults = _defaults(validator)
        query_names = {name: many for call in [*dependencies, own] for name, many in call.repeats.items()}
        endpoint, results = self.endpoint, [(call, call.result) for call in dependencies]

        async def handle(request: Request) -> Response:
            scope = request.scope
            data = _read(request, query_names) if scope["query_string"] or scope["path_params"] else {}
            if not data and defaults is not None:
                values = defaults  # nothing given (`/health`, most `/types`): nothing to check; read only
            else:
                try:
                    values = validator.validate_python(data)
                except ValidationError:
                    raise await _refusal(request, data, dependencies, own) from None
            arguments = own.arguments(values, request)
            for call, result in results:
                found = await call.function(**call.arguments(values, request))
                if result is not None:
                    arguments[result] = found
            response: Response = await endpoint(**arguments)
            return response

        return handle


def _served(route: APIRoute) -> Dependant:
    """What FastAPI solves for this route where it is being included: the route's own ``Dependant``, or
    the one with the including routers' dependencies (the app-wide ``single_values``) in front, which
    FastAPI holds in a context variable while it builds the handler of an included route."""
    context = _effective_route_context_var.get()
    if context is not None and context.original_route is route and context.dependant is not None:
        return cast(Dependant, context.dependant)
    return route.dependant


def _called(sub: Dependant, endpoint: str) -> bool:
    if sub.call is single_values:
        return False  # applied while the query string is read
    if sub.dependencies:
        raise TypeError(f"{endpoint}.{sub.name}: a dependency of a read route has no dependencies of its own")
    return True


def _call(dependant: Dependant, where: str) -> _Call:
    function = dependant.call
    if function is None or not inspect.iscoroutinefunction(function):
        raise TypeError(f"{where}: a read route calls async functions only (a plain def would hop to a thread)")
    _refuse_what_is_not_served(dependant, where)
    fields: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for field in [*dependant.path_params, *dependant.query_params]:
        info, name = field.field_info, field.alias
        _refuse_collection(where, name, info.annotation)
        if info.default_factory is not None:
            raise TypeError(f"{where}: parameter {name!r}: a read route takes plain defaults, not a default_factory")
        if info.is_required():
            fields[name] = Required[Annotated[info.annotation, info]]
        else:
            fields[name] = NotRequired[Annotated[info.annotation, info, Field(default=field.default)]]
        sources[name] = field.field_info.in_.value  # type: ignore[attr-defined]  # a Path or a Query
    parameters = [*dependant.path_params, *dependant.query_params]
    return _Call(
        function=function,
        result=dependant.name,
        values=tuple((field.name, field.alias) for field in parameters),
        request=dependant.request_param_name,
        where=sources,
        repeats={field.alias: takes_many(field.field_info.annotation) for field in dependant.query_params},
        fields=fields,
        validator=_typed_dict(where, fields),
    )


def _refuse_what_is_not_served(dependant: Dependant, where: str) -> None:
    for kind in ("header_params", "cookie_params", "body_params"):
        for field in getattr(dependant, kind):
            raise TypeError(f"{where}: parameter {field.name!r}: a read route reads path and query parameters only")
    for kind in ("websocket", "http_connection", "response", "background_tasks", "security_scopes"):
        if (argument := getattr(dependant, f"{kind}_param_name")) is not None:
            raise TypeError(f"{where}: parameter {argument!r}: a read route does not provide {kind.replace('_', ' ')}")


def _refuse_collection(where: str, name: str, annotation: Any) -> None:
    """A model of query parameters, or a tuple or set of them, would be read differently from FastAPI."""
    for kind in (annotation, *get_args(annotation)):
        origin = get_origin(kind) or kind
        if (
            inspect.isclass(origin)
            and issubclass(origin, BaseModel | tuple | set | frozenset)
            and not takes_many(annotation)
        ):
            raise TypeError(f"{where}: parameter {name!r}: a read route takes scalars and list[...] only")


def _returns_response(dependant: Dependant) -> bool:
    returned = get_type_hints(dependant.call).get("return")
    return inspect.isclass(returned) and issubclass(returned, Response)


def _validator(endpoint: str, calls: list[_Call]) -> Validator:
    """One validator for every parameter the calls take; a name two of them take would be ambiguous."""
    fields: dict[str, Any] = {}
    for call in calls:
        for name, field in call.fields.items():
            if name in fields:
                raise TypeError(f"{endpoint}: parameter {name!r} is declared twice")
            fields[name] = field
    return _typed_dict(endpoint, fields)


def _defaults(validator: Validator) -> dict[str, Any] | None:
    """The values of a request that gives no parameter, worked out once (defaults are plain values:
    ``_call`` refuses a ``default_factory``); ``None`` when a parameter is required, or when a default
    is mutable (a list): shared by every such request, an endpoint could change it for the next one,
    so those requests are validated, which copies it."""
    try:
        values = validator.validate_python({})
    except ValidationError:
        return None
    return values if all(isinstance(value, Hashable) for value in values.values()) else None


def _typed_dict(name: str, fields: dict[str, Any]) -> Validator:
    # A TypedDict returns the arguments as a dict: half the cost of a model instance.
    parameters = TypedDict(f"{name}_parameters", fields)  # type: ignore[misc]
    return TypeAdapter(cast(Any, parameters))


def _read(request: Request, query_names: dict[str, bool]) -> dict[str, Any]:
    """The path and query values the route declares, the query string read once (no multi-dict)."""
    data: dict[str, Any] = dict(request.scope["path_params"])
    for name, value in query_pairs(request.scope["query_string"]):
        many = query_names.get(name)
        if many is None:
            continue
        if many:
            data.setdefault(name, []).append(value)
        elif name in data:
            raise BadParameter(name, REPEATED)
        else:
            data[name] = value
    return data


async def _refusal(
    request: Request, data: dict[str, Any], dependencies: list[_Call], own: _Call
) -> RequestValidationError:
    """The 422 FastAPI gives: dependencies in turn (each called once its parameters are valid, and what
    it raises goes out as it would), then the endpoint's own parameters."""
    errors: list[dict[str, Any]] = []
    for call in dependencies:
        try:
            values = call.validator.validate_python(data)
        except ValidationError as exc:
            errors += call.errors(exc)
            continue
        await call.function(**call.arguments(values, request))
    try:
        own.validator.validate_python(data)
    except ValidationError as exc:
        errors += own.errors(exc)
    return RequestValidationError(errors)
