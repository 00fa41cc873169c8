"""Find the next page of a Hydra-paged catalogue, in the current and the legacy vocabulary."""

from __future__ import annotations

from urllib.parse import urljoin

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from mappings.vocab import HYDRA

__all__ = ["next_page_url", "total_items"]

_VIEW_TYPES = (HYDRA.PartialCollectionView, HYDRA.PagedCollection)
_NEXT_PREDICATES = (HYDRA.next, HYDRA.nextPage)


def next_page_url(graph: Graph, current_url: str) -> str | None:
    """The absolute URL of the next page, or None on the last page.

    Both ``hydra:PartialCollectionView``/``hydra:next`` and the legacy
    ``hydra:PagedCollection``/``hydra:nextPage`` are read, and a next link given
    as a literal (udata's old JSON-LD) is accepted. The view that describes the
    current page wins when the document holds several.
    """
    candidates = []
    for view in _views(graph):
        for predicate in _NEXT_PREDICATES:
            for value in graph.objects(view, predicate):
                text = str(value).strip()
                if text:
                    candidates.append((str(view) != current_url, urljoin(current_url, text)))
    return min(candidates)[1] if candidates else None


def total_items(graph: Graph) -> int | None:
    """``hydra:totalItems`` of the collection, when given."""
    for value in graph.objects(None, HYDRA.totalItems):
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return None


def _views(graph: Graph) -> set:
    views = set(graph.objects(None, HYDRA.view))
    for view_type in _VIEW_TYPES:
        views.update(graph.subjects(RDF.type, view_type))
    # a legacy paged collection carries nextPage on the catalogue node itself
    views.update(s for s in graph.subjects(HYDRA.nextPage, None) if isinstance(s, URIRef))
    return views
