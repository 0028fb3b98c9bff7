"""Evidence supports the fact: every citation of the article is checked against the article's text.

The article lives outside the repository (``sources.yaml`` names its file). It is looked for in
``$KG_SOURCES_DIR``, else in ``shared/sources/`` beside the checkout or any folder above it (the
layout of the team's machine, ``../shared/sources/``), or above the local checkout it was cloned
from (a CI clone in a temporary folder). When it cannot be found the tests fail and
say where they looked: a missing article must not pass for a checked one.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

from app.graph import KnowledgeGraph
from app.records import EntityRecord
from app.resolve import fold
from app.temporal import parse_date

from .conftest import ROOT

SOURCES_DIR_VARIABLE = "KG_SOURCES_DIR"
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def _origin() -> Path | None:
    """The checkout this one was cloned from, when it is a folder on this machine (CI clones locally)."""
    try:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(found.removeprefix("file://")) if found else None
    return path.resolve() if path is not None and path.is_dir() else None


def _candidate_folders() -> list[Path]:
    if configured := os.environ.get(SOURCES_DIR_VARIABLE):
        return [Path(configured)]
    roots = [ROOT, *([origin] if (origin := _origin()) else [])]
    return list(dict.fromkeys(folder / "shared" / "sources" for root in roots for folder in root.parents))


@cache
def _article_paragraphs(file_name: str) -> tuple[str, ...] | str:
    """The article's paragraphs (one per line), or why they cannot be read."""
    folders = _candidate_folders()
    for folder in folders:
        path = folder / file_name
        if path.is_file():
            return tuple(path.read_text(encoding="utf-8").splitlines())
    looked = ", ".join(str(folder) for folder in folders)
    return (
        f"cannot find the article {file_name!r} (sources.yaml, source 'article'); looked in: {looked}. "
        f"Set {SOURCES_DIR_VARIABLE} to the folder that holds it."
    )


@pytest.fixture(scope="module")
def paragraphs(curated: KnowledgeGraph) -> tuple[str, ...]:
    file_name = curated.sources["article"].file
    assert file_name, "sources.yaml: the article source names no file"
    found = _article_paragraphs(file_name)
    if isinstance(found, str):
        pytest.fail(found, pytrace=False)
    assert len(found) == 13, f"the article should have 13 paragraphs, one per line; found {len(found)}"
    return found


def _words(text: str) -> list[str]:
    return [fold(word) for word in re.findall(r"\w+", text)]


def mentions(paragraph: str, names: list[str]) -> bool:
    """Does the paragraph name one of ``names``, word for word, ignoring case, accents and punctuation?

    >>> mentions("Israel’s President Isaac Herzog", ["Isaac Herzog"]), mentions("Ankara", ["Ankaran"])
    (True, False)
    """
    words = " " + " ".join(_words(paragraph)) + " "
    return any(key.strip() and f" {key} " in words for key in (" ".join(_words(name)) for name in names))


def _names(kg: KnowledgeGraph, position: int) -> list[str]:
    entity = kg.entity(position)
    return [entity.name, *entity.aliases]


def _article_citations(kg: KnowledgeGraph, position: int) -> list[int]:
    return [int(locator) for source_id, locator in kg.relations.evidence(position) if source_id == "article"]


def test_article_is_found_through_the_environment_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SOURCES_DIR_VARIABLE, str(tmp_path))
    _article_paragraphs.cache_clear()
    try:
        assert _candidate_folders() == [tmp_path]
        message = _article_paragraphs("azerbaijan-israel-article.txt")
        assert isinstance(message, str) and str(tmp_path) in message and SOURCES_DIR_VARIABLE in message
        (tmp_path / "azerbaijan-israel-article.txt").write_text("one\ntwo\n", encoding="utf-8")
        _article_paragraphs.cache_clear()
        assert _article_paragraphs("azerbaijan-israel-article.txt") == ("one", "two")
    finally:
        _article_paragraphs.cache_clear()


def test_every_paragraph_cited_names_one_of_the_two_entities(
    curated: KnowledgeGraph, paragraphs: tuple[str, ...]
) -> None:
    table, wrong = curated.relations, []
    for position in range(len(table)):
        names = _names(curated, int(table.source[position])) + _names(curated, int(table.target[position]))
        for locator in _article_citations(curated, position):
            if not mentions(paragraphs[locator - 1], names):
                wrong.append(
                    f"{table.ids[position]} cites paragraph {locator}, which names neither "
                    f"{curated.entity_ids[table.source[position]]} nor "
                    f"{curated.entity_ids[table.target[position]]}"
                )
    assert not wrong, "\n".join(wrong)


def _stated(date_text: str, paragraph: str) -> bool:
    """Does the paragraph state the date to its precision (the year; the month's name; month and day)?"""
    date = parse_date(date_text)
    year, *rest = (int(part) for part in date.text.split("-"))
    words = _words(paragraph)
    if not rest:
        return str(year) in words
    month = MONTHS[rest[0] - 1]
    if len(rest) == 1:
        return month in words
    day = rest[1]
    return any(
        words[i] == month and words[i + 1] in (str(day), f"{day}st", f"{day}nd", f"{day}rd", f"{day}th")
        for i in range(len(words) - 1)
    )


@pytest.mark.parametrize(
    ("date", "paragraph", "stated"),
    [
        ("2022-11-02", "On November 2, after Iran", True),
        ("2022-11-08", "in Shusha on November 8th", True),
        ("2022-11-08", "in November 2022", False),
        ("2022-11", "in November 2022", True),
        ("2022-10", "in November 2022", False),
        ("2018", "from 2018 to 2022", True),
        ("1992", "in 1993", False),
    ],
)
def test_a_date_is_stated_only_to_the_precision_the_paragraph_gives(date: str, paragraph: str, stated: bool) -> None:
    assert _stated(date, paragraph) is stated


def test_dates_more_precise_than_the_article_cite_the_background(
    curated: KnowledgeGraph, paragraphs: tuple[str, ...]
) -> None:
    table, wrong = curated.relations, []
    for position in range(len(table)):
        cited = {source_id for source_id, _ in table.evidence(position)}
        if "background" in cited:
            continue
        for end, text in (("start", table.start_text(position)), ("end", table.end_text(position))):
            if text and not any(_stated(text, paragraphs[p - 1]) for p in _article_citations(curated, position)):
                wrong.append(f"{table.ids[position]}: {end} {text} is not in the paragraphs it cites")
    assert not wrong, "\n".join(wrong)


# Entity attributes holding a date; ``former_roles`` items hold ``start`` and ``end`` too.
ENTITY_DATES = ("start", "end", "signed", "dissolved", "founded", "role_start", "role_end")


def _entity_dates(entity: EntityRecord) -> list[tuple[str, str]]:
    attributes = entity.attributes
    found = [(key, str(attributes[key])) for key in ENTITY_DATES if key in attributes]
    for number, role in enumerate(attributes.get("former_roles") or []):
        found += [(f"former_roles[{number}].{key}", str(role[key])) for key in ("start", "end") if key in role]
    return found


def test_entity_dates_more_precise_than_the_article_cite_the_background(
    curated: KnowledgeGraph, paragraphs: tuple[str, ...]
) -> None:
    wrong = []
    for entity in curated.entities:
        if any(item.source_id == "background" for item in entity.evidence):
            continue
        cited = [int(item.locator) for item in entity.evidence if item.source_id == "article"]
        wrong += [
            f"{entity.id}: attributes.{key} {text} is not in the paragraphs it cites"
            for key, text in _entity_dates(entity)
            if not any(_stated(text, paragraphs[p - 1]) for p in cited)
        ]
    assert not wrong, "\n".join(wrong)


def test_every_entity_citing_the_background_says_what_it_supplies(curated: KnowledgeGraph) -> None:
    missing = [
        entity.id
        for entity in curated.entities
        if any(item.source_id == "background" for item in entity.evidence)
        and "background" not in (entity.note or "").lower()
    ]
    assert not missing, f"entities citing the background without a note saying what it supplies: {missing}"


def test_every_background_citation_says_what_it_supplies(curated: KnowledgeGraph) -> None:
    table = curated.relations
    missing = [
        table.ids[p]
        for p in range(len(table))
        if any(source_id == "background" for source_id, _ in table.evidence(p))
        and "background" not in (table.notes.get(p) or "").lower()
    ]
    assert not missing, f"relations citing the background without a note saying what it supplies: {missing}"


def test_every_relation_cites_the_article_or_the_background(curated: KnowledgeGraph) -> None:
    table = curated.relations
    for position in range(len(table)):
        for source_id, locator in table.evidence(position):
            assert source_id in ("article", "background"), table.ids[position]
            if source_id == "article":
                assert 1 <= int(locator) <= 13, table.ids[position]
        assert table.description(position).strip(), table.ids[position]


def test_every_entity_cites_known_sources(curated: KnowledgeGraph) -> None:
    for entity in curated.entities:
        for item in entity.evidence:
            assert item.source_id in curated.sources, (entity.id, item.source_id)
            if item.source_id == "article":
                assert 1 <= int(item.locator) <= 13, entity.id
