"""Search backends, registered as ``fedcat.search_backends`` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points

__all__ = ["UnknownBackend", "backend_names", "get_backend"]

_GROUP = "fedcat.search_backends"


class UnknownBackend(LookupError):
    """No search backend is registered under that name."""


def backend_names() -> list[str]:
    """Every registered backend name, sorted."""
    return sorted(ep.name for ep in entry_points(group=_GROUP))


def get_backend(name: str) -> type:
    """The backend class registered as ``name``; fails loudly, naming the known ones."""
    for ep in entry_points(group=_GROUP, name=name):
        return ep.load()
    known = ", ".join(backend_names()) or "none (is fedcat installed with 'pip install -e .'?)"
    raise UnknownBackend(f"Search backend {name!r} unknown. Known backends: {known}.")
