"""Plugins registered as entry points: the one lookup every seam uses (portal kinds, search backends).

Built-in plugins are registered in ``pyproject.toml`` like any outside one, so they exist only
once fedcat is installed (``pip install -e .``); a lookup that finds nothing says so.
"""

from __future__ import annotations

from importlib.metadata import entry_points

__all__ = ["load_plugin", "plugin_names"]

_NOT_INSTALLED = "none (is fedcat installed with 'pip install -e .'?)"


def plugin_names(group: str) -> list[str]:
    """Every name registered in the entry point ``group``, sorted."""
    return sorted(ep.name for ep in entry_points(group=group))


def load_plugin(group: str, name: str, *, what: str, known_as: str, error: type[Exception]) -> type:
    """The class registered as ``name`` in ``group``; else ``error``, naming the known ones.

    :param what: what the name names, for the message (``"Harvester kind"``).
    :param known_as: how the message calls the known names (``"kinds"``).
    """
    for ep in entry_points(group=group, name=name):
        return ep.load()
    known = ", ".join(plugin_names(group)) or _NOT_INSTALLED
    raise error(f"{what} {name!r} unknown. Known {known_as}: {known}.")
