"""Which backends the contract suite runs on, and how each test gets a fresh, empty one."""

from __future__ import annotations

import uuid

from elasticsearch import Elasticsearch

from service.search.elasticsearch_ import ElasticsearchBackend
from service.search.tantivy_ import TantivyBackend

__all__ = ["BACKEND_FACTORIES", "elasticsearch_backend"]


def _tantivy(request):
    return TantivyBackend(":memory:")


def elasticsearch_backend(url: str, prefix: str | None = None) -> ElasticsearchBackend:
    """A backend on its own indices (a fresh prefix), so tests never see each other's records."""
    client = Elasticsearch(url, request_timeout=30)
    return ElasticsearchBackend(client, prefix=prefix or f"test-{uuid.uuid4().hex[:12]}", sleep=lambda s: None)


def _elasticsearch(request):
    url = request.getfixturevalue("search_engine_url")
    backend = elasticsearch_backend(url)
    prefix = backend.alias.removesuffix("-records")

    def drop_indices():
        Elasticsearch(url).indices.delete(index=f"{prefix}-*")

    request.addfinalizer(drop_indices)
    return backend


#: name → callable(pytest request) returning a fresh, empty backend.
BACKEND_FACTORIES = {"tantivy": _tantivy, "elasticsearch": _elasticsearch}
