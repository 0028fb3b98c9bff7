"""Dataset folders to a ``KnowledgeGraph``, validating everything on the way.

A dataset folder holds hand-edited YAML (``sources.yaml``, ``entities.yaml``,
``relations.yaml``, or several files starting with those names) and/or the
bulk CSV files the importers write (``entities.csv``, ``relations.csv``; see
``docs/data-format.md``). Every problem found is collected, naming file, entry
and field, and reported at once as a ``DataError``.

Several folders may be served together. The first folder wins: an entity of a
later folder that has the same id, ISO code or name as an earlier one is the
earlier one, and its relations are attached to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from . import rules
from .bulk import ENTITY_COLUMNS, RELATION_COLUMNS, BulkTarget, entity_rows, read_relations
from .errors import DataError, Problem
from .graph import KnowledgeGraph
from .integrity import check_integrity
from .manifest import MANIFEST, check_manifest
from .records import EntityRecord, RelationRecord, SourceRecord
from .resolve import entity_keys, fold
from .store import RelationColumns, RelationTable

__all__ = ["ENTITY_COLUMNS", "RELATION_COLUMNS", "load_graph", "read_folders"]

_M = TypeVar("_M", bound=BaseModel)
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Dataset:
    """What the folders hold, gathered before the graph is built."""

    sources: list[SourceRecord] = field(default_factory=list)
    entities: list[EntityRecord] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    columns: RelationColumns = field(default_factory=RelationColumns)
    relation_ids: set[str] = field(default_factory=set)
    merged: dict[str, int] = field(default_factory=dict)  # later folders' ids of earlier entities
    origins: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (kind, id) -> (file, entry)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, file: str, entry: str, field_: str, message: str) -> None:
        self.problems.append(Problem(file, entry, field_, message))


def load_graph(folders: Sequence[str | Path], *, headroom: int = 0) -> KnowledgeGraph:
    """Load, validate and index dataset folders; raise ``DataError`` listing all problems.

    ``headroom``: entities that writes may add before the indexes must be rebuilt.
    """
    data, table = read_folders(folders)
    return KnowledgeGraph(sources=data.sources, entities=data.entities, relations=table, headroom=headroom)


def read_folders(folders: Sequence[str | Path]) -> tuple[_Dataset, RelationTable]:
    """Every record of the folders, validated, and the relations frozen into a table."""
    data = _Dataset()
    for index, folder in enumerate(folders):
        _read_folder(Path(folder), data, first=index == 0)
    _check_entity_references(data)
    table = RelationTable(data.columns)
    for relation_id in table.position.duplicates():
        data.problem("relations", relation_id, "id", f"duplicate relation id {relation_id!r}")
    check_integrity(data.entities, table, data.problem, data.origins)
    if data.problems:
        raise DataError(data.problems)
    return data, table


def _read_folder(folder: Path, data: _Dataset, *, first: bool) -> None:
    if not folder.is_dir():
        data.problem(str(folder), "-", "-", "no such dataset folder")
        return
    for name, message in check_manifest(folder):
        data.problem(str(folder / name), "-", "-", message)
    files = [f for f in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if _is_file(f, data)]
    kinds = {name: [f for f in files if f.name.startswith(name)] for name in ("sources", "entities", "relations")}
    bulk_entities, bulk_relations = (_bulk_file(folder / name, data) for name in ("entities.csv", "relations.csv"))
    if not any(kinds.values()) and not bulk_relations and not bulk_entities:
        data.problem(str(folder), "-", "-", "holds no sources/entities/relations YAML or CSV files")
    _read_sources(kinds["sources"], data, first=first)
    alias_map = _read_entities(kinds["entities"], bulk_entities, data, first=first)
    before = len(data.problems)
    _read_relations(folder, kinds["relations"], bulk_relations, data, _known(data, alias_map))
    if not kinds["entities"] and not bulk_entities:
        _name_missing_entities(folder, data, before)


def _read_sources(paths: list[Path], data: _Dataset, *, first: bool) -> None:
    for path in paths:
        for entry, raw in _yaml_entries(path, data):
            if record := _validate(SourceRecord, raw, path, entry, data):
                if record.id in {s.id for s in data.sources}:
                    if first:
                        data.problem(str(path), entry, "id", f"duplicate source id {record.id!r}")
                    continue
                data.sources.append(record)


def _read_entities(paths: list[Path], bulk: Path | None, data: _Dataset, *, first: bool) -> dict[str, int]:
    """The folder's entities added to ``data``; the names they merged under (alias -> position)."""
    alias_map: dict[str, int] = {}
    entity_files = [(p, _yaml_entries(p, data)) for p in paths]
    if bulk:
        entity_files.append((bulk, entity_rows(bulk, _reporter(data, bulk))))
    for path, entries in entity_files:
        for entry, raw in entries:
            if entity := _validate(EntityRecord, raw, path, entry, data):
                _add_entity(entity, path, entry, data, alias_map, first=first)
    return alias_map


def _read_relations(folder: Path, paths: list[Path], bulk: Path | None, data: _Dataset, known: rules.Known) -> None:
    for path in paths:
        for entry, raw in _yaml_entries(path, data):
            if relation := _validate(RelationRecord, raw, path, entry, data):
                _add_relation(relation, path, entry, data, known)
    if bulk:
        rows = read_relations(bulk, BulkTarget(columns=data.columns, known=known), _reporter(data, bulk))
        if rows == 0 and not _written_empty(folder):
            data.problem(str(bulk), "-", "-", "has a header and no rows: cut, or written empty?")


def _name_missing_entities(folder: Path, data: _Dataset, before: int) -> None:
    """A folder without entities whose relations name unknown ones: the cause named first, not buried
    under a problem per relation."""
    unknown = sum(p.message.startswith("unknown entity") for p in data.problems[before:])
    if unknown:
        data.problems.insert(
            before,
            Problem(
                str(folder / "entities.csv"),
                "-",
                "-",
                f"missing: no entities.csv or entities*.yaml in {folder}, and {unknown:,} references "
                "of its relations name no entity of the folders before it",
            ),
        )


def _is_file(path: Path, data: _Dataset) -> bool:
    if path.is_file():
        return True
    data.problem(str(path), "-", "-", "is a directory (or another non-file), not a data file")
    return False


def _bulk_file(path: Path, data: _Dataset) -> Path | None:
    return path if path.exists() and _is_file(path, data) else None


def _written_empty(folder: Path) -> bool:
    """Whether the folder's manifest says its relations.csv was written with no rows."""
    try:
        return bool(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]["relations.csv"]["rows"] == 0)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _reporter(data: _Dataset, path: Path) -> Callable[[str, str, str], None]:
    return lambda entry, field_, message: data.problem(str(path), entry, field_, message)


def _yaml_entries(path: Path, data: _Dataset) -> Iterator[tuple[str, Any]]:
    try:
        raw_bytes = path.read_bytes()
        loaded = yaml.load(raw_bytes.decode("utf-8"), Loader=_YamlLoader)
    except UnicodeDecodeError as exc:
        line = raw_bytes[: exc.start].count(b"\n") + 1
        data.problem(str(path), f"line {line}", "-", f"not UTF-8 text: byte 0x{raw_bytes[exc.start]:02x}")
        return
    except (yaml.YAMLError, OSError) as exc:
        data.problem(str(path), "-", "-", f"cannot be read as YAML: {exc}".replace("\n", " "))
        return
    if loaded is None:
        return
    if not isinstance(loaded, list):
        data.problem(str(path), "-", "-", "must be a YAML list of entries")
        return
    for index, raw in enumerate(loaded, 1):
        name = raw.get("id") if isinstance(raw, dict) else None
        yield (f"#{index} ({name})" if name else f"#{index}"), raw


def _validate(model: type[_M], raw: Any, path: Path, entry: str, data: _Dataset) -> _M | None:
    record, violations = rules.parse(model, raw)
    for violation in violations:
        data.problem(str(path), entry, violation.field, violation.message)
    return record


def _add_entity(
    record: EntityRecord, path: Path, entry: str, data: _Dataset, alias_map: dict[str, int], *, first: bool
) -> None:
    keys = [fold(key) for key in entity_keys(record)]
    if not first:
        # A later folder's entity that an earlier one already names is that entity; its other
        # names become aliases of the earlier one where no other entity has them. Only within a
        # kind: one id of two kinds is refused, as in one file; a name shared across kinds (the
        # state Jordan, a person Jordan) names two entities.
        for key in keys:
            if key in data.keys:
                owner = data.keys[key]
                earlier = data.entities[owner]
                if earlier.kind != record.kind:
                    if earlier.id == record.id:
                        data.problem(
                            str(path),
                            entry,
                            "kind",
                            f"{record.kind}, but entity {record.id!r} of an "
                            f"earlier folder is a {earlier.kind}: one id names one entity",
                        )
                        return
                    continue
                alias_map[record.id] = data.merged[record.id] = owner
                _add_aliases(data, owner, [record.name, *record.aliases])
                return
    if record.id in data.positions:
        data.problem(str(path), entry, "id", f"duplicate entity id {record.id!r}")
        return
    position = len(data.entities)
    data.positions[record.id] = position
    data.origins["entities", record.id] = (str(path), entry)
    alias_map[record.id] = position
    data.entities.append(record)
    for key, original in zip(keys, entity_keys(record), strict=True):
        owner = data.keys.setdefault(key, position)
        if owner != position and first:
            other = data.entities[owner].id
            data.problem(str(path), entry, "aliases", f"{original!r} also names entity {other!r}")


def _add_aliases(data: _Dataset, owner: int, names: list[str]) -> None:
    new = [
        name
        for name in names
        if (key := fold(name))
        and data.keys.setdefault(key, owner) == owner
        and name not in data.entities[owner].aliases
        and name != data.entities[owner].name
    ]
    if new:
        entity = data.entities[owner]
        data.entities[owner] = entity.model_copy(update={"aliases": (*entity.aliases, *new)})


def _known(data: _Dataset, alias_map: dict[str, int]) -> rules.Known:
    source_ids = {s.id for s in data.sources}
    return rules.Known(
        entities=alias_map,
        entity_ids=rules.IdsOf(data.entities),
        sources=source_ids,
        relation_taken=data.relation_ids.__contains__,
    )


def _add_relation(record: RelationRecord, path: Path, entry: str, data: _Dataset, known: rules.Known) -> None:
    checked, violations = rules.check_relation(record, known)
    for violation in violations:
        data.problem(str(path), entry, violation.field, violation.message)
    if checked is None:
        return
    data.relation_ids.add(record.id)
    data.origins["relations", record.id] = (str(path), entry)
    data.columns.add_checked(checked)


def _check_entity_references(data: _Dataset) -> None:
    """Attributes naming other entities must name known ones (checked once every entity is read)."""
    known = _KnownIds(data)
    for entity in data.entities:
        for violation in rules.check_entity(entity, known):
            data.problem(
                *data.origins.get(("entities", entity.id), ("entities", entity.id)), violation.field, violation.message
            )


class _KnownIds:
    def __init__(self, data: _Dataset) -> None:
        self._data = data

    def __contains__(self, ref: object) -> bool:
        return ref in self._data.positions or ref in self._data.merged
