"""Search backends, registered as ``fedcat.search_backends`` entry points."""

from __future__ import annotations

from mappings.plugins import load_plugin, plugin_names

__all__ = ["UnknownBackend", "backend_names", "get_backend"]

_GROUP = "fedcat.search_backends"


class UnknownBackend(LookupError):
    """No search backend is registered under that name."""


def backend_names() -> list[str]:
    """Every registered backend name, sorted."""
    return plugin_names(_GROUP)


def get_backend(name: str) -> type:
    """The backend class registered as ``name``; fails loudly, naming the known ones."""
    return load_plugin(_GROUP, name, what="Search backend", known_as="backends", error=UnknownBackend)
