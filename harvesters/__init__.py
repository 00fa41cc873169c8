"""Harvesters, one per portal kind, registered as ``fedcat.harvesters`` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points

from harvesters.errors import UnknownHarvester

__all__ = ["get_harvester", "harvester_kinds"]

_GROUP = "fedcat.harvesters"


def harvester_kinds() -> list[str]:
    """Every registered harvester kind, sorted."""
    return sorted(ep.name for ep in entry_points(group=_GROUP))


def get_harvester(kind: str) -> type:
    """The harvester class registered for ``kind``; fails loudly, naming the known kinds."""
    for ep in entry_points(group=_GROUP, name=kind):
        return ep.load()
    known = ", ".join(harvester_kinds()) or "none (is fedcat installed with 'pip install -e .'?)"
    raise UnknownHarvester(f"Harvester kind {kind!r} unknown. Known kinds: {known}.")
