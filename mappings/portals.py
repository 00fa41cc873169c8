"""The portal list: which catalogues fedcat harvests, read from a TOML file."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Portal", "PortalConfigError", "load_portals", "parse_portals"]

_PORTAL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class PortalConfigError(ValueError):
    """The portals file is missing, unreadable or describes a portal wrongly."""


@dataclass(frozen=True)
class Portal:
    """One configured source catalogue.

    ``options`` carries kind-specific settings (for example a CSW output schema).
    """

    id: str
    name: str
    kind: str
    url: str
    schedule: str | None = None
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def host(self) -> str:
        """The host name harvesting is allowed to contact."""
        return urlsplit(self.url).hostname or ""

    @property
    def origin(self) -> str:
        """``scheme://host:port`` of the portal: what its redirects and next links must keep to."""
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"{parts.scheme}://{parts.hostname or ''}:{port}"


def load_portals(path: str | Path) -> list[Portal]:
    """Read ``[[portal]]`` tables from a TOML file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PortalConfigError(f"cannot read portals file {path}: {exc.strerror}") from exc
    return parse_portals(text, source=str(path))


def parse_portals(text: str, *, source: str = "<portals>") -> list[Portal]:
    """Parse the TOML text of a portals file, checking every entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PortalConfigError(f"{source}: invalid TOML: {exc}") from exc
    portals = [_portal_from_table(table, source, n) for n, table in enumerate(data.get("portal", []), 1)]
    ids = [p.id for p in portals]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PortalConfigError(f"{source}: duplicate portal ids: {', '.join(duplicates)}")
    return portals


def _portal_from_table(table: dict[str, Any], source: str, number: int) -> Portal:
    where = f"{source}: portal #{number}"
    missing = [key for key in ("id", "kind", "url") if not table.get(key)]
    if missing:
        raise PortalConfigError(f"{where} lacks {', '.join(missing)}")
    if not _PORTAL_ID.match(str(table["id"])):
        raise PortalConfigError(f"{where}: id {table['id']!r} must be lower-case letters, digits, '-' or '_'")
    if urlsplit(str(table["url"])).scheme not in ("http", "https"):
        raise PortalConfigError(f"{where}: url must be http or https, got {table['url']!r}")
    known = {"id", "name", "kind", "url", "schedule"}
    return Portal(
        id=str(table["id"]),
        name=str(table.get("name") or table["id"]),
        kind=str(table["kind"]),
        url=str(table["url"]),
        schedule=table.get("schedule"),
        options={k: v for k, v in table.items() if k not in known},
    )
