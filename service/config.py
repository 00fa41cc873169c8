"""Deployment settings, read once from ``FEDCAT_*`` environment variables.

Every setting is declared once in :data:`SETTINGS` with its default and help
text; the README's configuration table is checked against this list.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from typing import Any, Callable, Mapping

from service.rate_limit import Rate

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


def _log_format(text: str) -> str:
    value = text.strip().lower()
    if value not in ("text", "json"):
        raise ValueError("must be text or json")
    return value


def _log_level(text: str) -> str:
    value = text.strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def _admin_token(text: str) -> str:
    # a short token can be guessed; the admin API starts harvests on demand
    if len(text) < 16:
        raise ValueError("must be at least 16 characters (try: python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return text


def _networks(text: str) -> tuple[str, ...]:
    blocks = _names(text)
    for block in blocks:
        try:
            ipaddress.ip_network(block, strict=False)
        except ValueError:
            raise ValueError(f"{block!r} is not an IP network (write it as 10.0.0.0/8 or ::1/128)") from None
    return blocks


_HOST_ENTRY = re.compile(r"^(?:https?://)?(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(?:\d{1,5}|\*))?$")


def _hosts(text: str) -> tuple[str, ...]:
    entries = _names(text)
    for entry in entries:
        if not _HOST_ENTRY.match(entry):
            raise ValueError(f"{entry!r} is not `host`, `host:port`, `host:*` or `scheme://host:port`")
    return entries


def _rate(text: str) -> str:
    return "" if Rate.parse(text) is None else text.strip().lower().replace(" ", "")


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _nice(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 19:
        raise ValueError("must be a nice value from 0 to 19")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _cron(text: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if text.strip().lower() == "off":
        return ""
    CronTrigger.from_crontab(text.strip())  # ValueError names what is wrong
    return text.strip()


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


SETTINGS: tuple[Setting, ...] = (
    Setting("database", "fedcat.db", "SQLite file of the embedded backend (`:memory:` for a throw-away store)."),
    Setting("search_backend", "tantivy", "Search backend: `tantivy` (embedded: SQLite records + tantivy index, default), `elasticsearch`, or another registered one."),
    Setting("portals_file", "", "TOML file listing the portals to harvest; empty uses the bundled list of the four real portals."),
    Setting("export_profiles", ("dcat_ap_3",), "Comma-separated export profiles, applied in order.", _names),
    Setting("base_url", "", "Public URL of this service, used in exported IRIs; empty uses the request's host."),
    Setting("delete_grace_days", 7.0, "Days a record missing from complete harvests stays (flagged) before it is deleted; 0 deletes at once.", _non_negative_float),
    Setting("http_timeout", 60.0, "Read timeout in seconds for each request to a portal.", _non_negative_float),
    Setting("max_download_mb", 200, "Largest response body accepted from a portal, in MiB (after decompression).", _positive_int),
    Setting("max_pages", 2000, "Most catalogue pages one harvest follows; a portal still offering a next page after that many fails the run, which then writes nothing (endless paging is suspect: the previous harvest stays).", _positive_int),
    Setting("max_page_triples", 250_000, "Most triples one catalogue page may hold: a page with more is refused while it is parsed (memory stays bounded), paging stops there and the run is incomplete (nothing removed); the job says so.", _positive_int),
    Setting("max_literal_chars", 100_000, "Longest title or description stored (dataset or distribution), in characters; longer ones are cut with ` […]` and the job lists the records.", _positive_int),
    Setting("max_keywords", 500, "Most keywords stored per dataset (each cut at 200 characters); the rest are left out and the job lists the records.", _positive_int),
    Setting("max_distributions", 1000, "Most distributions stored per dataset; the rest are left out and the job lists the records.", _positive_int),
    Setting("allowed_hosts", (), "Where harvests may go besides each portal's own scheme, host and port (redirects, next links), comma-separated: `host` (its default http/https port), `host:port`, `host:*` (any port) or `scheme://host:port`.", _hosts),
    Setting("allowed_networks", (), "IP networks harvests may connect to besides public addresses (comma-separated CIDR, e.g. `10.0.0.0/8,::1/128`); loopback, private, link-local and reserved addresses are refused otherwise.", _networks),
    Setting("http_deadline", 600.0, "Longest time in seconds one portal response may take to arrive in full (a portal dripping bytes is cut off).", _non_negative_float),
    Setting("cors_origins", ("*",), "Origins allowed to read the API from a browser (comma-separated; `*` for any).", _names),
    Setting("cache_max_age", 60, "Seconds browsers and proxies may cache read responses.", _positive_int),
    Setting("rate_limit", "600/minute", "Requests each client IP may make (`N/second`, `N/minute` or `N/hour`, bursts up to N), counted per gunicorn worker; `off` turns it off. Static files are not counted.", _rate),
    Setting("trusted_proxies", 0, "How many reverse proxies in front of fedcat append to `X-Forwarded-For`: the client IP (rate limiting, logs) is read that many hops back; 0 uses the peer address.", _non_negative_int),
    Setting("elasticsearch_url", "http://localhost:9200", "Elasticsearch URL (with FEDCAT_SEARCH_BACKEND=elasticsearch)."),
    Setting("elasticsearch_prefix", "fedcat", "Prefix of the Elasticsearch alias and indices (`<prefix>-records`, `<prefix>-jobs`)."),
    Setting("elasticsearch_username", "", "Elasticsearch basic-auth user."),
    Setting("elasticsearch_password", "", "Elasticsearch basic-auth password."),
    Setting("elasticsearch_api_key", "", "Elasticsearch API key (instead of user and password)."),
    Setting("elasticsearch_ca_certs", "", "CA bundle to verify the Elasticsearch TLS certificate."),
    Setting("elasticsearch_verify_certs", True, "Verify Elasticsearch TLS certificates (`false` only for local tests).", _boolean),
    Setting("admin_token", "", "Bearer token of the admin API (`/api/admin/...`, at least 16 characters); empty turns the admin routes off.", _admin_token),
    Setting("log_format", "text", "Log lines as `text` or `json` (one JSON object per line); each carries the request id.", _log_format),
    Setting("log_level", "INFO", "Lowest level logged: DEBUG, INFO, WARNING, ERROR or CRITICAL.", _log_level),
    Setting("harvest_workers", 0, "Processes that parse and map a harvest's pages while the main one fetches and writes; 0 uses the usable CPUs (at most 2), 1 keeps the harvest in one process.", _non_negative_int),
    Setting("harvest_nice", 10, "CPU priority that `fedcat harvest`, `fedcat reindex` and `fedcat scheduler` (and their page workers) give up, as a `nice` value from 0 to 19: on a machine shared with the web workers, searches keep their latency while a harvest runs; 0 keeps the same priority as the web workers.", _nice),
    Setting("link_check_schedule", "30 4 * * *", "Cron expression (Paris time) of the scheduler's link check runs; `off` turns them off.", _cron),
    Setting("link_check_limit", 2000, "Most distribution URLs one link check run checks (those checked longest ago first).", _positive_int),
    Setting("link_check_per_host", 2, "Most link check requests in flight at once to one host.", _positive_int),
    Setting("link_check_host_rate", 1.0, "Most link check requests started per second on one host (0.5: one every two seconds).", _positive_float),
    Setting("link_check_workers", 8, "Threads of a link check run (several hosts are checked at once; each host stays within its limits).", _positive_int),
    Setting("link_check_timeout", 20.0, "Seconds a checked URL may take to answer before it counts as broken.", _positive_float),
    Setting("link_checks_database", "", "SQLite file of the link check results; empty uses FEDCAT_DATABASE (with Elasticsearch, `fedcat-links.db`).", str),
    Setting("freshness_margin", 0.5, "How late, as a share of its declared update period (at least 3 days), a dataset may be before it counts as overdue.", _non_negative_float),
    Setting("harvest_lock_ttl", 600, "Seconds a portal's harvest lock lasts unless renewed (a running harvest renews it every third of that); a crashed process frees its portals after at most this long.", _positive_int),
    Setting("request_poll_seconds", 2.0, "How often the scheduler looks for harvests requested through the admin API, in seconds.", _positive_float),
)


@dataclass(frozen=True)
class Settings:
    """The service's settings; build with :meth:`from_env` or directly in tests."""

    database: str = "fedcat.db"
    search_backend: str = "tantivy"
    portals_file: str = ""
    export_profiles: tuple[str, ...] = ("dcat_ap_3",)
    base_url: str = ""
    delete_grace_days: float = 7.0
    http_timeout: float = 60.0
    max_download_mb: int = 200
    max_pages: int = 2000
    max_page_triples: int = 250_000
    max_literal_chars: int = 100_000
    max_keywords: int = 500
    max_distributions: int = 1000
    allowed_hosts: tuple[str, ...] = ()
    allowed_networks: tuple[str, ...] = ()
    http_deadline: float = 600.0
    cors_origins: tuple[str, ...] = ("*",)
    cache_max_age: int = 60
    rate_limit: str = "600/minute"
    trusted_proxies: int = 0
    elasticsearch_url: str = "http://localhost:9200"
    elasticsearch_prefix: str = "fedcat"
    elasticsearch_username: str = ""
    elasticsearch_password: str = ""
    elasticsearch_api_key: str = ""
    elasticsearch_ca_certs: str = ""
    elasticsearch_verify_certs: bool = True
    admin_token: str = field(default="", repr=False)
    log_format: str = "text"
    log_level: str = "INFO"
    harvest_nice: int = 10
    link_check_schedule: str = "30 4 * * *"
    link_check_limit: int = 2000
    link_check_per_host: int = 2
    link_check_host_rate: float = 1.0
    link_check_workers: int = 8
    link_check_timeout: float = 20.0
    link_checks_database: str = ""
    freshness_margin: float = 0.5
    harvest_lock_ttl: int = 600
    request_poll_seconds: float = 2.0
    harvest_workers: int = 0

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
