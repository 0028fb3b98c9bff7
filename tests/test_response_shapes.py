"""Every answer has the shape its response model declares: the models are the one source of truth.

Views and routes build plain dicts, for speed (see ``app/queries/views.py``); these tests hold them to
the models of ``app/api/schemas.py`` field by field: the same keys (none missing, none extra), each
value of the declared type, the required ones present.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.api.schemas import EntityOut, RelationOut
from app.graph import KnowledgeGraph
from app.queries.views import entity_view, relation_views

from .test_read_route import GOOD, READ_MODULES

_SCALARS: dict[Any, tuple[type, ...]] = {str: (str,), int: (int,), float: (int, float), bool: (bool,)}


def shape_errors(value: Any, annotation: Any, where: str = "answer") -> Iterator[str]:
    """What in ``value`` departs from ``annotation``: a model, a list, a dict, a union, a literal or a scalar."""
    if annotation is Any:
        return iter(())
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return _model_errors(value, annotation, where)
    return _BY_ORIGIN.get(get_origin(annotation), _scalar_errors)(value, annotation, where)


def _union_errors(value: Any, annotation: Any, where: str) -> Iterator[str]:
    if all(list(shape_errors(value, alternative, where)) for alternative in get_args(annotation)):
        yield f"{where}: {value!r} is none of {annotation}"


def _literal_errors(value: Any, annotation: Any, where: str) -> Iterator[str]:
    if value not in get_args(annotation):
        yield f"{where}: {value!r} is not one of {get_args(annotation)}"


def _list_errors(value: Any, annotation: Any, where: str) -> Iterator[str]:
    if not isinstance(value, list):
        yield f"{where}: {value!r} is not a list"
        return
    for index, item in enumerate(value):
        yield from shape_errors(item, get_args(annotation)[0], f"{where}[{index}]")


def _dict_errors(value: Any, annotation: Any, where: str) -> Iterator[str]:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        yield f"{where}: {value!r} is not an object"
        return
    for key, item in value.items():
        yield from shape_errors(item, get_args(annotation)[1], f"{where}[{key!r}]")


def _scalar_errors(value: Any, annotation: Any, where: str) -> Iterator[str]:
    if annotation is None or annotation is type(None):
        if value is not None:
            yield f"{where}: {value!r} is not null"
    elif not isinstance(value, _SCALARS[annotation]) or (annotation is not bool and isinstance(value, bool)):
        yield f"{where}: {value!r} is not of type {annotation.__name__}"


_BY_ORIGIN = {
    Annotated: lambda value, annotation, where: shape_errors(value, get_args(annotation)[0], where),
    Union: _union_errors,
    types.UnionType: _union_errors,
    Literal: _literal_errors,
    list: _list_errors,
    dict: _dict_errors,
}


def _model_errors(value: Any, model: type[BaseModel], where: str) -> Iterator[str]:
    if not isinstance(value, dict):
        yield f"{where}: {value!r} is not an object ({model.__name__})"
        return
    fields = model.model_fields
    if extra := sorted(set(value) - set(fields)):
        yield f"{where}: keys {extra} are not fields of {model.__name__}"
    if missing := sorted(name for name, field in fields.items() if field.is_required() and name not in value):
        yield f"{where}: required fields {missing} of {model.__name__} are missing"
    for name, field in fields.items():
        if name in value:
            yield from shape_errors(value[name], field.annotation, f"{where}.{name}")


def assert_shape(value: Any, annotation: Any) -> None:
    errors = list(shape_errors(value, annotation))
    assert not errors, "\n".join(errors[:10])


# -- the checker itself: it must catch what it is for --------------------------------------------


def _a_relation(curated: KnowledgeGraph) -> dict[str, Any]:
    return relation_views(curated, [0])[0]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda view: view.pop("polarity"), "required fields ['polarity']"),
        (lambda view: view.update(weight=1), "keys ['weight'] are not fields"),
        (lambda view: view.update(start=2018), "2018 is none of"),
        (lambda view: view.update(kind="process"), "'process' is not one of"),
        (lambda view: view["evidence"].append({"source_id": "article"}), "required fields ['locator']"),
        (lambda view: view.update(attributes=[]), "is not an object"),
    ],
)
def test_the_shape_check_names_what_departs(curated: KnowledgeGraph, change: Any, complaint: str) -> None:
    view = _a_relation(curated)
    assert list(shape_errors(view, RelationOut)) == []
    change(view)
    assert complaint in "\n".join(shape_errors(view, RelationOut))


# -- the views: every entity and relation of three datasets -------------------------------------


@pytest.mark.parametrize("dataset", ["mini", "curated", "icews_slice"])
def test_every_view_has_the_declared_shape(request: pytest.FixtureRequest, dataset: str) -> None:
    kg: KnowledgeGraph = request.getfixturevalue(dataset)
    assert_shape([entity_view(kg, position) for position in range(len(kg.entities))], list[EntityOut])
    assert_shape(relation_views(kg, kg.live), list[RelationOut])


# -- the routes: each read's answer against the model it documents --------------------------------

DOCUMENTED = {
    route.path: route.response_model
    for module in READ_MODULES
    for route in module.router.routes
    if getattr(route, "response_model", None) is not None
}


def test_every_read_that_answers_json_documents_its_model() -> None:
    assert set(GOOD) - set(DOCUMENTED) == {"/metrics", "/export"}  # Prometheus text, and files


@pytest.mark.parametrize("path", sorted(DOCUMENTED))
def test_every_read_answers_the_shape_it_documents(client: TestClient, path: str) -> None:
    response = client.get(GOOD[path])
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer, "an empty answer shows no shape: pick a request with one"
    assert_shape(answer, DOCUMENTED[path])
