"""Which backends the contract suite runs on, and how each test gets a fresh, empty one."""

from __future__ import annotations

from service.search.sqlite import SqliteBackend

__all__ = ["BACKEND_FACTORIES"]


def _sqlite(request):
    return SqliteBackend(":memory:")


#: name → callable(pytest request) returning a fresh, empty backend.
BACKEND_FACTORIES = {"sqlite": _sqlite}
