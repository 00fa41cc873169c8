"""Deployment settings, read once from ``FEDCAT_*`` environment variables.

Every setting is declared once in :data:`SETTINGS` with its default and help
text; the README's configuration table is checked against this list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from importlib import resources
from typing import Any, Callable, Mapping

__all__ = ["SETTINGS", "Setting", "Settings", "SettingsError", "default_portals_file"]


class SettingsError(ValueError):
    """A ``FEDCAT_*`` variable has a value that cannot be used."""


@dataclass(frozen=True)
class Setting:
    """The declaration of one setting."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        """Its environment variable."""
        return "FEDCAT_" + self.name.upper()


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


SETTINGS: tuple[Setting, ...] = (
    Setting("database", "fedcat.db", "SQLite file of the embedded backend (`:memory:` for a throw-away store)."),
    Setting("search_backend", "sqlite", "Search backend: `sqlite` (embedded, default) or another registered one."),
    Setting("portals_file", "", "TOML file listing the portals to harvest; empty uses the bundled list of the four real portals."),
    Setting("export_profiles", ("dcat_ap_3",), "Comma-separated export profiles, applied in order.", _names),
    Setting("base_url", "", "Public URL of this service, used in exported IRIs; empty uses the request's host."),
    Setting("delete_grace_days", 7.0, "Days a record missing from complete harvests stays (flagged) before it is deleted; 0 deletes at once.", _non_negative_float),
    Setting("http_timeout", 60.0, "Read timeout in seconds for each request to a portal.", _non_negative_float),
    Setting("max_download_mb", 200, "Largest response body accepted from a portal, in MiB (after decompression).", _positive_int),
    Setting("max_pages", 2000, "Most catalogue pages one harvest follows.", _positive_int),
    Setting("allowed_hosts", (), "Extra hosts harvests may contact besides each portal's own (comma-separated).", _names),
    Setting("cors_origins", ("*",), "Origins allowed to read the API from a browser (comma-separated; `*` for any).", _names),
    Setting("cache_max_age", 60, "Seconds browsers and proxies may cache read responses.", _positive_int),
    Setting("elasticsearch_url", "http://localhost:9200", "Elasticsearch URL (with FEDCAT_SEARCH_BACKEND=elasticsearch)."),
    Setting("elasticsearch_prefix", "fedcat", "Prefix of the Elasticsearch alias and indices (`<prefix>-records`, `<prefix>-jobs`)."),
    Setting("elasticsearch_username", "", "Elasticsearch basic-auth user."),
    Setting("elasticsearch_password", "", "Elasticsearch basic-auth password."),
    Setting("elasticsearch_api_key", "", "Elasticsearch API key (instead of user and password)."),
    Setting("elasticsearch_ca_certs", "", "CA bundle to verify the Elasticsearch TLS certificate."),
    Setting("elasticsearch_verify_certs", True, "Verify Elasticsearch TLS certificates (`false` only for local tests).", _boolean),
)


@dataclass(frozen=True)
class Settings:
    """The service's settings; build with :meth:`from_env` or directly in tests."""

    database: str = "fedcat.db"
    search_backend: str = "sqlite"
    portals_file: str = ""
    export_profiles: tuple[str, ...] = ("dcat_ap_3",)
    base_url: str = ""
    delete_grace_days: float = 7.0
    http_timeout: float = 60.0
    max_download_mb: int = 200
    max_pages: int = 2000
    allowed_hosts: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ("*",)
    cache_max_age: int = 60
    elasticsearch_url: str = "http://localhost:9200"
    elasticsearch_prefix: str = "fedcat"
    elasticsearch_username: str = ""
    elasticsearch_password: str = ""
    elasticsearch_api_key: str = ""
    elasticsearch_ca_certs: str = ""
    elasticsearch_verify_certs: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every declared ``FEDCAT_*`` variable, falling back on defaults."""
        env = os.environ if env is None else env
        values = {}
        for setting in SETTINGS:
            raw = env.get(setting.env)
            if raw is None or raw == "":
                continue
            try:
                values[setting.name] = setting.parse(raw)
            except ValueError as exc:
                raise SettingsError(f"{setting.env}={raw!r}: {exc}") from exc
        return cls(**values)

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        return replace(self, **changes)

    @property
    def portals_path(self) -> str:
        """The portals file to read."""
        return self.portals_file or default_portals_file()


def default_portals_file() -> str:
    """The bundled portals file listing Paris, Lyon, Montpellier and data.gouv.fr."""
    return str(resources.files("service").joinpath("portals.toml"))


assert {s.name for s in SETTINGS} == {f.name for f in fields(Settings)}, "declare every setting once"
