"""The curated state back to dataset files: ``python -m app export --yaml DIR``.

Writes ``sources.yaml``, ``entities.yaml`` and ``relations.yaml`` holding the
graph as it stands after the journal (every field the files can hold, defaults
left out), so a curator can review the changes as a diff and commit them;
loading the folder gives the same graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..graph import KnowledgeGraph
from .changes import record_of

__all__ = ["write_yaml"]


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value not in (None, "", [], {}, ())}


def write_yaml(kg: KnowledgeGraph, folder: Path) -> dict[str, int]:
    """Write the graph's sources, entities and relations (in force) to ``folder``; how many of each."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = {
        "sources": [_compact(source.model_dump(mode="json")) for source in kg.sources.values()],
        "entities": [_compact(record_of(kg, "entity", p)) for p in range(len(kg.entities))],
        "relations": [_compact(record_of(kg, "relation", p)) for p in sorted(kg.live.tolist())],
    }
    for name, entries in parts.items():
        text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=120)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return {name: len(entries) for name, entries in parts.items()}
