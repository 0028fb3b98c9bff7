"""What a dataset folder holds: sources, entities and relations, as pydantic models.

These models validate one entry at a time (shape, dates, vocabulary); the
checks that need the whole set (references, duplicates) live in ``loader.py``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import rules

__all__ = ["EntityKind", "EntityRecord", "Evidence", "Polarity", "RelationRecord", "SourceRecord"]

EntityKind = Literal["state", "person", "organization", "place", "event"]
Polarity = Literal["positive", "negative", "neutral"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._:-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceRecord(_Strict):
    id: str = Field(pattern=_SLUG.pattern)
    title: str
    kind: str = "article"
    file: str | None = None
    url: str | None = None
    note: str | None = None


class Evidence(_Strict):
    source_id: str
    locator: str

    @field_validator("locator", mode="before")
    @classmethod
    def _locator_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class EntityRecord(_Strict):
    id: str = Field(pattern=_SLUG.pattern)
    name: str = Field(min_length=1)
    kind: EntityKind
    aliases: tuple[str, ...] = ()
    attributes: dict[str, Any] = Field(default_factory=dict)
    note: str | None = None
    evidence: tuple[Evidence, ...] = ()


def _check_date(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)  # YAML reads a bare 2020 as an int
    if problem := rules.date_problem(text):
        raise ValueError(problem)
    return text


class RelationRecord(_Strict):
    id: str = Field(pattern=_SLUG.pattern)
    type: str
    source: str
    target: str
    start: str | None = None
    end: str | None = None
    polarity: Polarity | None = None
    description: str = ""
    evidence: tuple[Evidence, ...] = Field(min_length=1, description="Where the fact comes from: one or more.")
    attributes: dict[str, Any] = Field(default_factory=dict)
    note: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _partial_date(cls, value: Any) -> str | None:
        return _check_date(value)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if problem := rules.unknown_type(value):
            raise ValueError(problem)
        return value
