"""JSON-LD from Oxigraph's fast expanded output, made readable with the page's prefixes.

rdflib's JSON-LD serialiser compacts through a general algorithm that costs tens of
milliseconds per dataset. Our pages need much less: Oxigraph writes expanded JSON-LD
(one node object per subject), and predicates, classes and datatypes are then written
as compact IRIs (``dct:title``) declared in one ``@context``. Node references (``@id``)
stay full IRIs, so no reader has to guess how they expand.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["compact_jsonld"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def compact_jsonld(expanded: bytes, prefixes: dict[str, str]) -> bytes:
    """``{"@context": prefixes, "@graph": [...]}`` from Oxigraph's expanded JSON-LD of one graph.

    Only namespaces ending in ``/`` or ``#`` are used as prefixes: JSON-LD 1.1 expands a
    compact IRI only through such a term (its "prefix flag").
    """
    usable = {p: ns for p, ns in prefixes.items() if ns.endswith(("/", "#"))}
    compact = _Compactor(usable)
    nodes = [compact.node(node) for node in json.loads(expanded)]
    document = {"@context": usable, "@graph": nodes} if usable else {"@graph": nodes}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Compactor:
    """Compact IRIs for one document's prefixes, each IRI worked out once."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        # longest namespace first, so a nested namespace wins over its parent
        self._namespaces = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda item: -len(item[0]))
        self._known: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        """``prefix:local`` when a declared namespace covers ``iri`` with a plain local name, else ``iri``."""
        known = self._known.get(iri)
        if known is None:
            known = self._known[iri] = self._compacted(iri)
        return known

    def _compacted(self, iri: str) -> str:
        for namespace, prefix in self._namespaces:
            local = iri[len(namespace):]
            if iri.startswith(namespace) and local and "/" not in local and "#" not in local and not local.startswith("//"):
                return f"{prefix}:{local}"
        return iri

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        """One node object: ``rdf:type`` as ``@type``, predicates and datatypes compacted."""
        out: dict[str, Any] = {"@id": node["@id"]} if "@id" in node else {}
        types = [value["@id"] for value in node.get(_RDF_TYPE, ()) if "@id" in value] + node.get("@type", [])
        if types:
            out["@type"] = [self.iri(t) for t in types]
        for key, values in node.items():
            if key == _RDF_TYPE:
                values = [v for v in values if "@id" not in v]  # a literal type stays a property
            if key in ("@id", "@type") or not values:
                continue
            out[self.iri(key)] = [self.value(v) for v in values]
        return out

    def value(self, value: dict[str, Any]) -> dict[str, Any]:
        """One value object, its datatype compacted (node references kept whole)."""
        if "@type" in value and "@value" in value:
            return {**value, "@type": self.iri(value["@type"])}
        return value
