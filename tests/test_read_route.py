"""GraphReadRoute answers as FastAPI's own routing would: the same 422s, the same OpenAPI document.

A twin of the service serves the same endpoints, declared the same way, on plain ``APIRoute``. The bad
requests are made from the OpenAPI document, parameter by parameter (missing, wrong type, out of
range, not in the enum, a single value given twice, a bad date, too few parties), plus one request
with every parameter bad at once, which checks the order of the errors: FastAPI's, dependencies first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any
from urllib.parse import quote

import pytest
from fastapi import APIRouter, BackgroundTasks, Body, Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.api import analysis, changes, dyads, entities, export, mediations, meta, ops, paths, relations
from app.api.deps import Graph, RelationFilterDep
from app.api.read_route import GraphReadRoute
from app.config import Settings
from app.graph import KnowledgeGraph
from app.main import create_app
from app.store import TYPE_CODE

from .conftest import CURATED

READ_MODULES = (analysis, changes, dyads, entities, export, mediations, meta, ops, paths, relations)

# A good request of each read route; the bad ones change one parameter of it.
GOOD = {
    "/health": "/health",
    "/types": "/types",
    "/ready": "/ready",
    "/metrics": "/metrics",
    "/dyads/{a}/{b}": "/dyads/Türkiye/Israel?from=2010&to=2022&type=rupture",
    "/dyads/{a}/{b}/status": "/dyads/Türkiye/Israel/status?as_of=2022-11",
    "/dyads/{a}/{b}/series": "/dyads/Türkiye/Israel/series?freq=year&from=2008&to=2022",
    "/relations": "/relations?source=Israel&limit=5",
    "/relations/{relation_id}": "/relations/azerbaijan-israel-diplomatic-relations",
    "/entities": "/entities?q=turkey&kind=state&limit=3",
    "/entities/{ref}": "/entities/Iran",
    "/entities/{ref}/relations": "/entities/Iran/relations?as_of=2022-11&limit=3",
    "/entities/{ref}/neighbors": "/entities/Iran/neighbors?depth=1&as_of=2022-11",
    "/mediations": "/mediations?between=Türkiye&between=Israel",
    "/paths": "/paths?source=Benny Gantz&target=Ilham Aliyev&max_hops=3",
    "/changes": "/changes?from=2020&to=2022&entity=Israel&limit=3",
    "/export": "/export?format=csv&table=nodes&type=arms_trade",
    "/analysis/mediator-candidates": "/analysis/mediator-candidates?between=Türkiye&between=Israel&as_of=2020-12",
    "/analysis/balance": "/analysis/balance?as_of=2022-11&focus=Azerbaijan&limit=5",
    "/analysis/centrality": "/analysis/centrality?measure=degree&kind=state&as_of=2022-11&limit=5",
}
# Answers that depend on the process (its counters, its snapshot's version), not on the request.
OF_THE_PROCESS = {"/metrics", "/ready"}


def plain_twin(router: APIRouter) -> APIRouter:
    """The same endpoints with the same declarations, on FastAPI's own route class."""
    twin = APIRouter()
    for route in router.routes:
        assert isinstance(route, GraphReadRoute)
        twin.add_api_route(
            route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            methods=route.methods,
            operation_id=route.operation_id,
            response_class=route.response_class,
            name=route.name,
            openapi_extra=route.openapi_extra,
            route_class_override=APIRoute,
        )
    return twin


def recording_validation_errors(app: FastAPI) -> list[Any]:
    """The raw errors of every 422 the app gives (its problem body shows only part of them)."""
    seen: list[Any] = []
    handler = app.exception_handlers[RequestValidationError]

    async def record(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        seen.append(exc.errors())
        return await handler(request, exc)  # type: ignore[no-any-return, misc]

    app.exception_handlers[RequestValidationError] = record
    return seen


@pytest.fixture(scope="module")
def twins(curated: KnowledgeGraph) -> Iterator[tuple[TestClient, TestClient, list[Any], list[Any]]]:
    """The service (its reads on GraphReadRoute) and its twin on plain routes, on one graph."""
    read = create_app(Settings(data=[CURATED]), graph=curated)
    with pytest.MonkeyPatch.context() as patch:
        for module in READ_MODULES:
            patch.setattr(module, "router", plain_twin(module.router))
        plain = create_app(Settings(data=[CURATED]), graph=curated)
    read_errors, plain_errors = recording_validation_errors(read), recording_validation_errors(plain)
    with TestClient(read) as read_client, TestClient(plain) as plain_client:
        yield read_client, plain_client, read_errors, plain_errors


def test_every_read_of_the_graph_is_on_the_read_route() -> None:
    declared = {route.path for module in READ_MODULES for route in module.router.routes}
    assert declared == set(GOOD)
    reads = {
        path
        for path, operations in create_app(Settings(data=[CURATED])).openapi()["paths"].items()
        if "get" in operations
    }
    assert reads - declared == {"/journal", "/relations/{relation_id}/history"}  # the journal of changes, not the graph
    assert all(isinstance(route, GraphReadRoute) for module in READ_MODULES for route in module.router.routes)


# -- the bad requests, made from the document ---------------------------------------------------


def _schema(parameter: dict[str, Any]) -> dict[str, Any]:
    """The schema of a value, without the ``null`` an optional parameter adds."""
    schema = parameter["schema"]
    kinds = [kind for kind in schema.get("anyOf", [schema]) if kind.get("type") != "null"]
    return kinds[0]


def _bad_values(parameter: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """``(what is wrong, values to send)`` for one query parameter; an empty list leaves it out."""
    schema = _schema(parameter)
    many = schema.get("type") == "array"
    item = schema.get("items", {}) if many else schema
    if parameter["required"]:
        yield "missing", []
    if item.get("type") == "integer":
        yield "wrong type", ["seven"]
        if "minimum" in item:
            yield "below range", [str(item["minimum"] - 1)]
        if "maximum" in item:
            yield "above range", [str(item["maximum"] + 1)]
    if item.get("type") == "boolean":
        yield "wrong type", ["perhaps"]
    if "enum" in item:
        yield "not in the enum", ["nonesuch"]
    if item.get("type") == "string" and "pattern" in {**parameter["schema"], **item}:
        yield "bad date", ["2022-13"]
    if many and schema.get("minItems", 0) > 1:
        yield "too few", ["Iran"]
    if not many:
        yield "given twice", [_good_value(parameter)] * 2


def _good_value(parameter: dict[str, Any]) -> str:
    item = _schema(parameter)
    return str(item.get("default", (item.get("enum") or ["2020"])[0]))


def _with(good: str, name: str, values: list[str]) -> str:
    path, _, query = good.partition("?")
    kept = [pair for pair in query.split("&") if pair and pair.partition("=")[0] != name]
    return path + "?" + "&".join(kept + [f"{name}={quote(value)}" for value in values])


def bad_requests() -> Iterator[Any]:
    document = create_app(Settings(data=[CURATED])).openapi()
    for path, good in GOOD.items():
        parameters = [p for p in document["paths"][path]["get"].get("parameters", []) if p["in"] == "query"]
        every_bad = good
        for parameter in parameters:
            for wrong, values in _bad_values(parameter):
                name = parameter["name"]
                yield pytest.param(_with(good, name, values), id=f"{path} {name} {wrong}")
                if wrong not in ("missing", "given twice"):
                    every_bad = _with(every_bad, name, values)
        if every_bad != good:
            yield pytest.param(every_bad, id=f"{path} every parameter bad")


@pytest.mark.parametrize("url", list(bad_requests()))
def test_a_bad_request_is_refused_as_fastapi_refuses_it(twins: Any, url: str) -> None:
    read, plain, read_errors, plain_errors = twins
    read_errors.clear()
    plain_errors.clear()
    answer, expected = read.get(url), plain.get(url)
    assert expected.status_code == 422, expected.text  # the twin refuses it: a bad request indeed
    assert (answer.status_code, answer.headers["content-type"]) == (422, expected.headers["content-type"])
    assert answer.json() == expected.json()
    # Refused by validation, the raw errors are the same too (type, location, message, input, context);
    # refused by a date parser, neither app saw a validation error.
    assert read_errors == plain_errors


@pytest.mark.parametrize("path", sorted(GOOD))
def test_a_good_request_is_answered_as_fastapi_answers_it(twins: Any, path: str) -> None:
    read, plain, *_ = twins
    answer, expected = read.get(GOOD[path]), plain.get(GOOD[path])
    assert answer.status_code == expected.status_code == 200
    if path not in OF_THE_PROCESS:
        assert answer.content == expected.content
    # Each app's journal names its snapshots: the tags differ in value, never in presence or form.
    assert answer.headers.get("etag", "")[:3] == expected.headers.get("etag", "")[:3]


def test_the_document_is_fastapis(twins: Any) -> None:
    read, plain, *_ = twins
    assert read.get("/openapi.json").json() == plain.get("/openapi.json").json()


# -- what it cannot serve is refused when the route is declared ------------------------------------


def _plain_def_dependency() -> int:
    return 1


async def _nested_dependency(kg: Graph) -> int:
    return 1


async def takes_a_header(x_key: Annotated[str, Header()]) -> Response:
    return Response()


async def takes_a_body(item: Annotated[dict[str, int], Body()]) -> Response:
    return Response()


async def takes_background_tasks(tasks: BackgroundTasks) -> Response:
    return Response()


async def takes_the_response(response: Response) -> Response:
    return response


async def takes_a_nested_dependency(n: Annotated[int, Depends(_nested_dependency)]) -> Response:
    return Response()


async def takes_a_plain_def_dependency(n: Annotated[int, Depends(_plain_def_dependency)]) -> Response:
    return Response()


async def takes_a_tuple(pair: Annotated[tuple[int, int], Query()]) -> Response:
    return Response()


async def takes_from_twice(flt: RelationFilterDep, start: Annotated[str, Query(alias="from")]) -> Response:
    return Response()


async def takes_the_graph_twice(kg: Graph, again: Graph) -> Response:
    return Response()


async def returns_a_dict(kg: Graph) -> dict[str, int]:
    return {}


def is_a_plain_def(kg: Graph) -> Response:
    return Response()


async def has_a_default_factory(n: Annotated[int, Query(default_factory=int)]) -> Response:
    return Response()


# Each with what its refusal must name besides the endpoint: the parameter, or what is missing.
CANNOT_SERVE = [
    (takes_a_header, "x_key"),
    (takes_a_body, "item"),
    (takes_background_tasks, "tasks"),
    (takes_the_response, "response"),
    (takes_a_nested_dependency, "n"),
    (takes_a_plain_def_dependency, "n"),
    (takes_a_tuple, "pair"),
    (takes_from_twice, "from"),
    (takes_the_graph_twice, "twice"),
    (returns_a_dict, "Response"),
    (is_a_plain_def, "async"),
    (has_a_default_factory, "'n'"),
]


@pytest.mark.parametrize(("endpoint", "named"), CANNOT_SERVE, ids=lambda value: getattr(value, "__name__", ""))
def test_what_it_cannot_serve_is_refused_naming_endpoint_and_parameter(
    endpoint: Callable[..., Any], named: str
) -> None:
    router = APIRouter(route_class=GraphReadRoute)
    with pytest.raises(TypeError) as refused:
        router.get("/x")(endpoint)
    assert endpoint.__name__ in str(refused.value) and named in str(refused.value)


def test_shared_dependencies_and_the_request_are_served(curated: KnowledgeGraph) -> None:
    """The graph, a relation filter, a dependency of the route itself, and the Request, in one endpoint."""
    calls: list[str] = []

    async def counted(request: Request) -> None:
        calls.append(request.url.path)

    router = APIRouter(route_class=GraphReadRoute, dependencies=[Depends(counted)])

    @router.get("/probe")
    async def probe(
        kg: Graph, flt: RelationFilterDep, request: Request, n: Annotated[int, Query(ge=1)] = 1
    ) -> Response:
        as_of = flt.as_of.text if flt.as_of else None
        return Response(f"{kg is curated} {flt.types == (TYPE_CODE['visit'],)} {as_of} {request.url.path} {n}")

    app = FastAPI()
    app.include_router(router)
    app.state.kg = curated
    with TestClient(app) as client:
        assert client.get("/probe?type=visit&as_of=2020&n=3").text == "True True 2020 /probe 3"
    assert calls == ["/probe"]


def test_a_request_without_parameters_gets_the_declared_defaults(curated: KnowledgeGraph) -> None:
    """A request that gives no parameter skips validation (``/health``): its values are the declared
    defaults, worked out once; a required parameter is still missed."""
    router = APIRouter(route_class=GraphReadRoute)

    @router.get("/defaults")
    async def defaults(kg: Graph, n: Annotated[int, Query(ge=1)] = 7, tag: str | None = None) -> Response:
        return Response(f"{kg is curated} {n} {tag}")

    @router.get("/required")
    async def required(n: Annotated[int, Query()]) -> Response:
        return Response(str(n))

    @router.get("/mutable")
    async def mutable(tags: Annotated[list[str], Query()] = ["a"]) -> Response:  # noqa: B006
        tags.append("b")  # a default shared between requests would grow with each
        return Response(",".join(tags))

    app = FastAPI()
    app.include_router(router)
    app.state.kg = curated
    with TestClient(app) as client:
        assert [client.get("/defaults").text, client.get("/defaults").text] == ["True 7 None"] * 2
        assert [client.get("/mutable").text, client.get("/mutable").text] == ["a,b"] * 2
        assert client.get("/defaults?n=2&tag=x").text == "True 2 x"
        assert client.get("/defaults?n=0").status_code == 422
        missing = client.get("/required")
        assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["query", "n"]
