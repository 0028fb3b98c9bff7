"""Writers of the export formats: each yields text parts, joined into chunks of about 64 KiB.

GraphML and GEXF are written record by record: networkx's ``generate_graphml`` and
``generate_gexf`` build the whole document tree first (about 800 MB for 100,000 edges).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from .flat import Scalar, Selection

__all__ = ["WRITERS", "chunks", "write_csv"]

_XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
_CHUNK = 1 << 16


def chunks(parts: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= _CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(value: Scalar) -> str:
    """Element text: escaped, characters XML 1.0 cannot hold dropped, CR kept."""
    return escape(_NOT_XML.sub("", _text(value)), {"\r": "&#13;"})


def _attr(value: Scalar) -> str:
    """A quoted XML attribute value whose whitespace survives parsing."""
    entities = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
    return '"' + escape(_NOT_XML.sub("", _text(value)), entities) + '"'


def _graphml(sel: Selection) -> Iterator[str]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.'
        'graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    keys: dict[str, dict[str, str]] = {}
    for scope, fields in (("node", sel.node_fields), ("edge", sel.edge_fields)):
        keys[scope] = {name: f"{scope[0]}{i}" for i, name in enumerate(fields)}
        for name, kind in fields.items():
            yield (
                f'  <key id="{keys[scope][name]}" for="{scope}" attr.name={_attr(name)} '
                f'attr.type="{_XML_TYPES[kind]}"/>\n'
            )

    def data(scope: str, record: dict[str, Scalar]) -> str:
        return "".join(f'<data key="{keys[scope][k]}">{_xml(v)}</data>' for k, v in record.items())

    yield '  <graph edgedefault="directed">\n'
    for node, record in sel.nodes():
        yield f"    <node id={_attr(node)}>{data('node', record)}</node>\n"
    for key, source, target, record in sel.edges():
        yield (
            f"    <edge id={_attr(key)} source={_attr(source)} target={_attr(target)}>{data('edge', record)}</edge>\n"
        )
    yield "  </graph>\n</graphml>\n"


def _gexf(sel: Selection) -> Iterator[str]:
    table = sel.kg.relations
    dated = bool(np.any(table.start_precision[sel.edge_positions]) or np.any(table.end_precision[sel.edge_positions]))
    mode = 'mode="dynamic" timeformat="date"' if dated else 'mode="static"'
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
        f'  <meta><creator>bilateral-kg</creator></meta>\n  <graph defaultedgetype="directed" {mode}>\n'
    )
    ids: dict[str, dict[str, str]] = {}
    for scope, fields in (("node", sel.node_fields), ("edge", sel.edge_fields)):
        ids[scope] = {name: f"{scope[0]}{i}" for i, name in enumerate(fields)}
        yield f'    <attributes class="{scope}" mode="static">\n'
        for name, kind in fields.items():
            yield f'      <attribute id="{ids[scope][name]}" title={_attr(name)} type="{_XML_TYPES[kind]}"/>\n'
        yield "    </attributes>\n"

    def values(scope: str, record: dict[str, Scalar]) -> str:
        return "".join(f'<attvalue for="{ids[scope][k]}" value={_attr(v)}/>' for k, v in record.items())

    yield "    <nodes>\n"
    for node, record in sel.nodes():
        yield (
            f"      <node id={_attr(node)} label={_attr(record['name'])}>"
            f"<attvalues>{values('node', record)}</attvalues></node>\n"
        )
    yield "    </nodes>\n    <edges>\n"
    for key, source, target, record in sel.edges():
        when = "".join(f" {k}={_attr(record[k])}" for k in ("start", "end") if record[k])
        yield (
            f"      <edge id={_attr(key)} source={_attr(source)} target={_attr(target)} "
            f"label={_attr(record['type'])}{when}><attvalues>{values('edge', record)}</attvalues></edge>\n"
        )
    yield "    </edges>\n  </graph>\n</gexf>\n"


def _json_list(items: Iterable[Any]) -> Iterator[str]:
    for index, item in enumerate(items):
        yield (", " if index else "") + json.dumps(item, ensure_ascii=False)


def _node_link(sel: Selection) -> Iterator[str]:
    yield '{"directed": true, "multigraph": true, "graph": {}, "nodes": ['
    yield from _json_list({**record, "id": node} for node, record in sel.nodes())
    yield '], "edges": ['
    yield from _json_list({**record, "source": s, "target": t, "key": key} for key, s, t, record in sel.edges())
    yield "]}\n"


def _cytoscape(sel: Selection) -> Iterator[str]:
    # Edges carry the relation id as `key`, not `id`: Cytoscape.js wants ids unique across nodes
    # and edges, and a relation may share its id with an event entity.
    yield '{"data": [], "directed": true, "multigraph": true, "elements": {"nodes": ['
    nodes = ({"data": {**r, "id": n, "value": n, "name": r["name"] or n}} for n, r in sel.nodes())
    yield from _json_list(nodes)
    yield '], "edges": ['
    yield from _json_list({"data": {**r, "source": s, "target": t, "key": k}} for k, s, t, r in sel.edges())
    yield "]}}\n"


def write_csv(sel: Selection, table: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows: Iterable[list[Scalar]]
    if table == "nodes":
        writer.writerow(["id", *sel.node_fields])
        rows = ([node, *(r.get(k, "") for k in sel.node_fields)] for node, r in sel.nodes())
    else:
        writer.writerow(["id", "source", "target", "source_name", "target_name", *sel.edge_fields])
        names = {e.id: e.name for e in (sel.kg.entities[p] for p in sel.node_positions.tolist())}
        rows = ([k, s, t, names[s], names[t], *(r.get(f, "") for f in sel.edge_fields)] for k, s, t, r in sel.edges())
    for row in rows:
        writer.writerow([_text(value) for value in row])
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


WRITERS: dict[str, Callable[[Selection], Iterator[str]]] = {
    "graphml": _graphml,
    "gexf": _gexf,
    "node-link": _node_link,
    "cytoscape": _cytoscape,
}
