"""Loading and validation: every kind of bad data is named by file, entry and field, all at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.errors import DataError, Problem
from app.loader import load_graph

from .conftest import CURATED, MINI, ROOT

Mutation = Callable[[list[dict[str, Any]], list[dict[str, Any]]], None]


def _copy(tmp_path: Path, mutate: Mutation) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    entities = yaml.safe_load((folder / "entities.yaml").read_text())
    relations = yaml.safe_load((folder / "relations.yaml").read_text())
    mutate(entities, relations)
    (folder / "entities.yaml").write_text(yaml.safe_dump(entities, allow_unicode=True))
    (folder / "relations.yaml").write_text(yaml.safe_dump(relations, allow_unicode=True))
    return folder


def _problems(folder: Path) -> list[Problem]:
    with pytest.raises(DataError) as caught:
        load_graph([folder])
    return caught.value.problems


def _set(collection: str, index: int, **changes: Any) -> Mutation:
    def mutate(entities: list[dict[str, Any]], relations: list[dict[str, Any]]) -> None:
        target = entities if collection == "entities" else relations
        target[index].update(changes)

    return mutate


def _append_copy(collection: str, index: int, **changes: Any) -> Mutation:
    def mutate(entities: list[dict[str, Any]], relations: list[dict[str, Any]]) -> None:
        target = entities if collection == "entities" else relations
        target.append({**target[index], **changes})

    return mutate


def _drop_parties(entities: list[dict[str, Any]], relations: list[dict[str, Any]]) -> None:
    offer = next(r for r in relations if r["type"] == "mediation_offer")
    offer["attributes"] = {"parties": ["alpha"]}


@pytest.mark.parametrize(
    ("mutate", "file", "entry", "field", "message"),
    [
        (_set("relations", 0, colour="red"), "relations.yaml", "alpha-beta-ties", "colour", "Extra inputs"),
        (
            _set("relations", 0, target="atlantis"),
            "relations.yaml",
            "alpha-beta-ties",
            "target",
            "unknown entity 'atlantis'",
        ),
        (_append_copy("relations", 0), "relations.yaml", "alpha-beta-ties", "id", "duplicate relation id"),
        (_append_copy("entities", 1, name="Beta Two"), "entities.yaml", "beta", "id", "duplicate entity id"),
        (
            _append_copy("entities", 2, id="gamma-two", aliases=["BETALAND"]),
            "entities.yaml",
            "gamma-two",
            "aliases",
            "also names entity 'beta'",
        ),
        (_set("relations", 1, start="2022-13"), "relations.yaml", "alpha-beta-rupture", "start", "not a real date"),
        (_set("relations", 4, start="2013", end="2011"), "relations.yaml", "alpha-gamma-arms", "end", "before start"),
        (
            _set("relations", 0, type="friendship"),
            "relations.yaml",
            "alpha-beta-ties",
            "type",
            "unknown relation type 'friendship'",
        ),
        (_drop_parties, "relations.yaml", "gamma-offer", "attributes.parties", "two parties"),
        (_set("entities", 0, kind="planet"), "entities.yaml", "alpha", "kind", "Input should be"),
        (_set("relations", 0, evidence=[]), "relations.yaml", "alpha-beta-ties", "evidence", "at least 1"),
        (
            _set("entities", 4, attributes={"affiliation": "nowhere"}),
            "entities.yaml",
            "ana-smith",
            "attributes.affiliation",
            "unknown entity 'nowhere'",
        ),
    ],
    ids=[
        "extra-field",
        "unknown-reference",
        "duplicate-relation",
        "duplicate-entity",
        "duplicate-alias",
        "impossible-date",
        "end-before-start",
        "unknown-type",
        "mediation-without-parties",
        "unknown-kind",
        "no-evidence",
        "unknown-affiliation",
    ],
)
def test_bad_data_is_named_by_file_entry_and_field(
    tmp_path: Path, mutate: Mutation, file: str, entry: str, field: str, message: str
) -> None:
    problems = _problems(_copy(tmp_path, mutate))
    assert any(
        p.file.endswith(file) and entry in p.entry and p.field == field and message in p.message for p in problems
    ), problems


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    def several(entities: list[dict[str, Any]], relations: list[dict[str, Any]]) -> None:
        relations[0]["type"] = "friendship"
        relations[1]["start"] = "2022-13"
        relations[2]["source"] = "atlantis"

    problems = _problems(_copy(tmp_path, several))
    assert {p.field for p in problems} >= {"type", "start", "source"}


def test_malformed_yaml_is_reported_not_raised(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    (folder / "relations.yaml").write_text("- id: x\n  type: [unclosed\n")
    problems = _problems(folder)
    assert problems[0].file.endswith("relations.yaml") and "YAML" in problems[0].message


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    assert "no such dataset folder" in _problems(tmp_path / "absent")[0].message


def test_validate_command_names_each_problem_without_traceback(tmp_path: Path) -> None:
    folder = _copy(tmp_path, _set("relations", 0, type="friendship", start="2022-13"))
    run = subprocess.run(
        [sys.executable, "-m", "app", "validate", "--data", str(folder)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 2
    assert "relations.yaml: entry #1 (alpha-beta-ties): field type: unknown relation type" in run.stderr
    assert "field start" in run.stderr
    assert "Traceback" not in run.stderr


def test_serve_refuses_bad_data_without_traceback(tmp_path: Path) -> None:
    folder = _copy(tmp_path, _set("relations", 0, target="atlantis"))
    run = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--data", str(folder), "--port", "8999"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 2
    assert "field target: unknown entity 'atlantis'" in run.stderr
    assert "Traceback" not in run.stderr


def test_validate_command_accepts_the_curated_graph() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "app", "validate", "--data", str(CURATED)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok: ")


def test_later_folder_entities_merge_into_earlier_ones(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "sources.yaml").write_text("- {id: wire, title: Wire reports}\n")
    (extra / "entities.yaml").write_text(
        "- {id: alfa-state, name: Alfa, kind: state}\n- {id: omega, name: Omega, kind: state}\n"
    )
    (extra / "relations.yaml").write_text(
        "- {id: omega-visit, type: visit, source: omega, target: alfa-state, start: '2016-01-02',\n"
        "   evidence: [{source_id: wire, locator: '1'}]}\n"
    )
    kg = load_graph([MINI, extra])
    alpha = kg.resolve("alpha")
    assert [kg.relations.ids[p] for p in kg.dyad_relations(alpha, kg.resolve("omega"))] == ["omega-visit"]
    assert kg.entity_position("alfa-state") is None


def test_uvicorn_on_bad_data_prints_the_problems_not_a_traceback(tmp_path: Path) -> None:
    folder = _copy(tmp_path, _set("relations", 0, target="atlantis"))
    run = subprocess.run(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", "8998"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "KG_DATA": str(folder)},
    )
    assert run.returncode != 0
    assert "field target: unknown entity 'atlantis'" in run.stderr
    assert "Traceback" not in run.stderr


def _with_event(*participations: dict[str, Any], event: dict[str, Any] | None = None) -> Mutation:
    def mutate(entities: list[dict[str, Any]], relations: list[dict[str, Any]]) -> None:
        entities.append(
            event
            or {
                "id": "summit",
                "name": "Summit",
                "kind": "event",
                "attributes": {"start": "2014-06-02", "end": "2014-06-02"},
            }
        )
        for number, participation in enumerate(participations):
            relations.append(
                {
                    "id": f"part-{number}",
                    "type": "participant",
                    "source": "alpha",
                    "target": "summit",
                    "evidence": [{"source_id": "notes", "locator": "1"}],
                    **participation,
                }
            )

    return mutate


def _responding_to(ref: str) -> Mutation:
    def mutate(entities: list[dict[str, Any]], relations: list[dict[str, Any]]) -> None:
        relations[1]["attributes"] = {"in_response_to": ref}

    return mutate


@pytest.mark.parametrize(
    ("mutate", "file", "entry", "field", "message"),
    [
        (
            _append_copy("relations", 0, id="beta"),
            "relations.yaml",
            "#8 (beta)",
            "id",
            "'beta' is also the id of an entity; ids are unique across entities and relations",
        ),
        (
            _with_event({"start": "2014-06-02"}),
            "relations.yaml",
            "part-0",
            "end",
            "the event 'summit' ended in 2014-06-02; a participation in it ends when it does",
        ),
        (
            _with_event({"start": "2014-06-02", "end": "2014-07"}),
            "relations.yaml",
            "part-0",
            "end",
            "2014-07 is after the end of the event 'summit' (2014-06-02)",
        ),
        (
            _with_event({"start": "2013", "end": "2014-06-02"}),
            "relations.yaml",
            "part-0",
            "start",
            "2013 is before the start of the event 'summit' (2014-06-02)",
        ),
        (
            _with_event(
                event={
                    "id": "summit",
                    "name": "Summit",
                    "kind": "event",
                    "attributes": {"start": "2014-06-02", "end": "2014-05"},
                }
            ),
            "entities.yaml",
            "summit",
            "attributes.end",
            "2014-05 is before start 2014-06-02",
        ),
        (
            _with_event(event={"id": "summit", "name": "Summit", "kind": "event", "attributes": {"start": "2014-13"}}),
            "entities.yaml",
            "summit",
            "attributes.start",
            "not a real date",
        ),
        (
            _responding_to("no-such-relation"),
            "relations.yaml",
            "alpha-beta-rupture",
            "attributes.in_response_to",
            "unknown relation 'no-such-relation'",
        ),
    ],
    ids=[
        "id-of-entity-and-relation",
        "participation-without-end",
        "participation-outlives-event",
        "participation-before-event",
        "event-ends-before-start",
        "event-impossible-date",
        "unknown-response",
    ],
)
def test_whole_set_rules_are_named_by_file_entry_and_field(
    tmp_path: Path, mutate: Mutation, file: str, entry: str, field: str, message: str
) -> None:
    problems = _problems(_copy(tmp_path, mutate))
    assert any(
        p.file.endswith(file) and entry in p.entry and p.field == field and message in p.message for p in problems
    ), problems


@pytest.mark.parametrize(
    "participation", [{"start": "2014-06-02", "end": "2014-06-02"}, {}], ids=["ends-with-the-event", "undated"]
)
def test_participation_that_ends_with_its_event_loads(tmp_path: Path, participation: dict[str, Any]) -> None:
    if not participation:  # an ongoing event: its participations need no end
        mutate = _with_event(
            {}, event={"id": "summit", "name": "Summit", "kind": "event", "attributes": {"start": "2014-06-02"}}
        )
    else:
        mutate = _with_event(participation)
    assert load_graph([_copy(tmp_path, mutate)]).relation_position("part-0") is not None
