"""Harvesters, one per portal kind, registered as ``fedcat.harvesters`` entry points."""

from __future__ import annotations

from harvesters.errors import UnknownHarvester
from mappings.plugins import load_plugin, plugin_names

__all__ = ["get_harvester", "harvester_kinds"]

_GROUP = "fedcat.harvesters"


def harvester_kinds() -> list[str]:
    """Every registered harvester kind, sorted."""
    return plugin_names(_GROUP)


def get_harvester(kind: str) -> type:
    """The harvester class registered for ``kind``; fails loudly, naming the known kinds."""
    return load_plugin(_GROUP, kind, what="Harvester kind", known_as="kinds", error=UnknownHarvester)
