"""The bilateral-relations knowledge graph: ``app.load_networkx(folder)`` in a notebook, ``python -m app`` else."""

from __future__ import annotations

from typing import Any

__all__ = ["load_networkx"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the command line and the server's workers need none of it.
    if name == "load_networkx":
        from .networkx_graph import load_networkx

        return load_networkx
    raise AttributeError(f"module 'app' has no attribute {name!r}")
