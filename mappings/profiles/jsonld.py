"""One resource of a graph as a single, nested JSON-LD object: what web pages embed.

rdflib compacts a graph into a flat ``@graph`` of nodes that refer to each other
by ``@id``; pages and search engines expect the nodes a resource points to
nested where they are used. :func:`nested_document` does that nesting after
rdflib's compaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from rdflib import Graph, URIRef

__all__ = ["nested_document"]


def nested_document(
    graph: Graph, root: URIRef, context: dict[str, Any], *, iri_terms: Iterable[str] = ()
) -> dict[str, Any]:
    """``root`` as one JSON-LD node object, compacted with ``context``, every node it uses nested in place.

    The ``@context`` is left out: the caller labels the document. A blank node
    used once loses its ``_:`` label; a cycle stays an ``@id`` reference.

    :param context: the JSON-LD context, as a dict (a URL would be fetched).
    :param iri_terms: terms the caller's published context types ``@id`` but that
        may also hold a node: their bare ``{"@id": …}`` values become IRI strings.
        (rdflib's compaction loses a blank node under an ``@id``-typed term, so such
        terms are compacted untyped and coerced here.)
    """
    flat = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = {node["@id"]: node for node in flat.get("@graph", [flat])}
    uses = Counter(reference for node in nodes.values() for reference in _references(node))
    document = _embedded(str(root), nodes, uses, frozenset())
    document.pop("@context", None)
    for key in set(iri_terms) & set(document):
        document[key] = _iri_strings(document[key])
    return document


def _embedded(node_id: str, nodes: dict[str, dict], uses: Counter, path: frozenset[str]) -> dict[str, Any]:
    """A copy of a node with every node it refers to nested in place."""
    node = {}
    for key, value in nodes[node_id].items():
        node[key] = value if key.startswith("@") else _nest(value, nodes, uses, path | {node_id})
    if node_id.startswith("_:") and uses[node_id] <= 1:
        node.pop("@id")
    return node


def _nest(value: Any, nodes: dict[str, dict], uses: Counter, path: frozenset[str]) -> Any:
    if isinstance(value, list):
        return [_nest(item, nodes, uses, path) for item in value]
    if _is_reference(value) and value["@id"] in nodes and value["@id"] not in path:
        return _embedded(value["@id"], nodes, uses, path)
    return value


def _iri_strings(value: Any) -> Any:
    if isinstance(value, list):
        return [_iri_strings(item) for item in value]
    return value["@id"] if _is_reference(value) else value


def _references(node: dict) -> list[str]:
    values = (value for key, value in node.items() if not key.startswith("@"))
    items = (item for value in values for item in (value if isinstance(value, list) else [value]))
    return [item["@id"] for item in items if _is_reference(item)]


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"@id"}
