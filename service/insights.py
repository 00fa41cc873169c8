"""Catalogue insights: per-portal figures computed in one pass over the stored records.

What a city's data team asks of its catalogue (is it usable, is it fresh, how
does it compare), in the spirit of data.europa.eu's MQA dashboards and
udata-hydra's resource checks: dataset counts and their trend over harvests,
MQA dimensions, open licences and machine-readable formats, broken links by
host, overdue datasets, EU theme and High-Value Dataset coverage, what each
city publishes that data.gouv.fr lacks (and the reverse), and the problems to
fix first, each with the search that lists them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterable, Iterator
from urllib.parse import urlencode

from mappings.duplicates import duplicate_keys
from mappings.freshness import freshness
from mappings.jobs import HarvestJob
from mappings.links import LinkCheck, record_urls
from mappings.profiles.hvd import HVD_CATEGORIES, hvd_of
from mappings.quality import DIMENSIONS, assess
from mappings.record import Record
from mappings.vocabularies import canonical_license, fold
from service.search.base import SearchBackend, quality_bucket
from service.store.link_checks import LinkCheckStore

__all__ = [
    "PortalInsights",
    "PROBLEMS",
    "REFERENCE_KIND",
    "compute_insights",
    "dataset_trend",
    "hvd_candidates",
    "insights_body",
]

#: The national portal every city is compared with (the first portal of this kind).
REFERENCE_KIND = "udata"
#: Problems that a search filter lists: name → (filters, minimum count to report).
PROBLEMS = {
    "broken_links": {"link_status": "broken"},
    "wrong_type_links": {"link_status": "wrong_type"},
    "overdue": {"overdue": "true"},
    "low_quality": {"quality": "0-49"},
    "fair_quality": {"quality": "50-74"},
    "unchecked_links": {"link_status": "unchecked"},
}
#: EU data themes whose datasets are likely to fall in an HVD category (a lead to check, not a declaration).
HVD_BY_THEME = {
    "REGI": "http://data.europa.eu/bna/c_ac64a52d",  # geospatial
    "ENVI": "http://data.europa.eu/bna/c_dd313021",  # earth observation and environment
    "TRAN": "http://data.europa.eu/bna/c_b79e35eb",  # mobility
    "ECON": "http://data.europa.eu/bna/c_a9135398",  # companies and company ownership
}
#: Folded keyword stems that point to the two categories no theme covers.
HVD_BY_KEYWORD = {"meteo": "http://data.europa.eu/bna/c_164e0bf5", "statisti": "http://data.europa.eu/bna/c_e1da4e07"}
_BATCH = 500
TREND_JOBS = 30


@dataclass
class PortalInsights:
    """The figures of one portal (or of all of them, ``portal_id="*"``)."""

    portal_id: str
    name: str
    datasets: int = 0
    trend: list[dict] = field(default_factory=list)
    earned: Counter = field(default_factory=Counter)
    possible: Counter = field(default_factory=Counter)
    quality_sum: int = 0
    quality_buckets: Counter = field(default_factory=Counter)
    open_license: int = 0
    machine_readable: int = 0
    freshness: Counter = field(default_factory=Counter)
    link_status: Counter = field(default_factory=Counter)
    urls: Counter = field(default_factory=Counter)
    broken_by_host: Counter = field(default_factory=Counter)
    themes: Counter = field(default_factory=Counter)
    hvd: Counter = field(default_factory=Counter)
    hvd_candidates: Counter = field(default_factory=Counter)
    record_keys: list = field(default_factory=list)
    publishers: set = field(default_factory=set)
    only_here: int | None = None
    only_on_reference: int | None = None
    shared_with_reference: int | None = None

    def add(self, record: Record, checks: dict[str, LinkCheck], today: date, margin: float) -> None:
        """Count one record in."""
        self.datasets += 1
        report = assess(record, checks)
        self.quality_sum += report.score
        self.quality_buckets[quality_bucket(report.score)] += 1
        for dimension, (earned, possible) in report.dimensions.items():
            self.earned[dimension] += earned
            self.possible[dimension] += possible
        self.open_license += _has_open_license(record)
        self.machine_readable += "machine_readable" not in report.missing  # the MQA indicator: one such format suffices
        self.freshness[freshness(record, today, margin=margin).state] += 1
        self._add_links(record, checks)
        self.themes.update(set(t.code for t in record.eu_themes))
        hvd = hvd_of(record)
        if hvd is not None:
            self.hvd.update(hvd.categories or ("uncategorised",))
        self.hvd_candidates.update(hvd_candidates(record))
        if record.publisher:
            self.publishers.add(fold(record.publisher.name))

    def _add_links(self, record: Record, checks: dict[str, LinkCheck]) -> None:
        verdicts = [checks[url].verdict if url in checks else "unchecked" for url, _ in record_urls(record)]
        self.urls.update(verdicts)
        for url, _ in record_urls(record):
            if url in checks and checks[url].broken:
                self.broken_by_host[checks[url].host] += 1
        worst = next((v for v in ("broken", "wrong_type", "ok") if v in verdicts), "unchecked")
        self.link_status[worst] += 1

    def to_dict(self, *, theme_labels: dict[str, dict[str, str]]) -> dict:
        """A JSON-ready dict of the figures (shares in percent, one decimal)."""
        return {
            "portal": self.portal_id,
            "name": self.name,
            "datasets": self.datasets,
            "trend": self.trend,
            "quality": _share(self.quality_sum, self.datasets * 100),
            "dimensions": {d: _share(self.earned[d], self.possible[d]) for d in DIMENSIONS},
            "open_license": _share(self.open_license, self.datasets),
            "machine_readable": _share(self.machine_readable, self.datasets),
            "freshness": {state: self.freshness.get(state, 0) for state in ("fresh", "overdue", "unknown")},
            "datasets_by_link_status": {s: self.link_status.get(s, 0) for s in ("ok", "wrong_type", "broken", "unchecked")},
            "urls": {s: self.urls.get(s, 0) for s in ("ok", "wrong_type", "broken", "unchecked")},
            "broken_by_host": dict(self.broken_by_host.most_common(10)),
            "themes": {code: {"count": n, **theme_labels.get(code, {})} for code, n in sorted(self.themes.items(), key=lambda kv: (-kv[1], kv[0]))},
            "hvd": {
                iri: {"declared": self.hvd.get(iri, 0), "candidates": self.hvd_candidates.get(iri, 0), **labels}
                for iri, labels in HVD_CATEGORIES.items()
            },
            "reference": {
                "only_here": self.only_here,
                "shared": self.shared_with_reference,
                "only_on_reference": self.only_on_reference,
            },
            "problems": self.problems(),
        }

    def problems(self) -> list[dict]:
        """The problems to fix first, most frequent first, each with the search listing them."""
        counts = {
            "broken_links": self.link_status.get("broken", 0),
            "wrong_type_links": self.link_status.get("wrong_type", 0),
            "overdue": self.freshness.get("overdue", 0),
            "low_quality": self.quality_buckets.get("0-49", 0),
            "fair_quality": self.quality_buckets.get("50-74", 0),
            "unchecked_links": self.link_status.get("unchecked", 0),
        }
        found = [
            {"problem": name, "count": count, "search": _search_url(self.portal_id, PROBLEMS[name])}
            for name, count in counts.items()
            if count
        ]
        return sorted(found, key=lambda p: -p["count"])


def compute_insights(
    backend: SearchBackend,
    store: LinkCheckStore,
    portals: list[tuple[str, str, str]],
    *,
    today: date | None = None,
    margin: float = 0.5,
) -> dict:
    """Every portal's figures and the totals, in one pass over the records.

    :param portals: (id, name, kind) of the configured portals, in display order.
    """
    today = today or datetime.now(timezone.utc).date()
    by_portal = {pid: PortalInsights(pid, name) for pid, name, _ in portals}
    total = PortalInsights("*", "")
    reference = next((pid for pid, _, kind in portals if kind == REFERENCE_KIND), None)
    reference_records: list[tuple[frozenset[str], str]] = []
    for record, checks in _records_with_checks(backend, store):
        insight = by_portal.get(record.portal_id)
        if insight is None:
            continue
        for target in (insight, total):
            target.add(record, checks, today, margin)
        keys = duplicate_keys(record)
        if record.portal_id == reference:
            reference_records.append((keys, fold(record.publisher.name) if record.publisher else ""))
        else:
            insight.record_keys.append(keys)
    if reference is not None:
        _compare_with_reference(by_portal, reference, reference_records)
    for pid, insight in by_portal.items():
        insight.trend = dataset_trend(backend.jobs(portal_id=pid, limit=TREND_JOBS), insight.datasets)
    return {"generated_for": today.isoformat(), "reference_portal": reference, "portals": list(by_portal.values()), "total": total}


def insights_body(backend: SearchBackend, store: LinkCheckStore, portals: list[tuple[str, str, str]], *, margin: float, today: date | None = None) -> dict:
    """The JSON-ready insights: every portal's figures and the totals."""
    from mappings.vocabularies.tables import load_table

    found = compute_insights(backend, store, portals, margin=margin, today=today)
    labels = load_table("data_themes")["themes"]
    return {
        "generated_for": found["generated_for"],
        "reference_portal": found["reference_portal"],
        "portals": [p.to_dict(theme_labels=labels) for p in found["portals"]],
        "total": found["total"].to_dict(theme_labels=labels),
    }


def _records_with_checks(backend: SearchBackend, store: LinkCheckStore) -> Iterator[tuple[Record, dict[str, LinkCheck]]]:
    """Every record with the checks of its URLs, reading the checks a batch of records at a time."""
    batch: list[Record] = []
    for record in backend.iter_records():
        batch.append(record)
        if len(batch) >= _BATCH:
            yield from _with_checks(batch, store)
            batch = []
    yield from _with_checks(batch, store)


def _with_checks(records: list[Record], store: LinkCheckStore) -> Iterable[tuple[Record, dict[str, LinkCheck]]]:
    checks = store.get_many(url for record in records for url, _ in record_urls(record))
    return ((record, checks) for record in records)


def _compare_with_reference(by_portal: dict[str, PortalInsights], reference: str, reference_records: list) -> None:
    """For each city: its datasets data.gouv.fr lacks, those both carry, and those only data.gouv.fr has.

    Two datasets are the same when they share a duplicate key (mappings/duplicates.py). A data.gouv.fr
    dataset belongs to a city when its publisher is one of the city portal's publishers.
    """
    reference_keys = set().union(*(keys for keys, _ in reference_records))
    for pid, insight in by_portal.items():
        if pid == reference:
            continue
        city_keys = set().union(*insight.record_keys)
        insight.only_here = sum(1 for keys in insight.record_keys if not keys & reference_keys)
        insight.shared_with_reference = insight.datasets - insight.only_here
        own = [keys for keys, publisher in reference_records if publisher and publisher in insight.publishers]
        insight.only_on_reference = sum(1 for keys in own if not keys & city_keys)
        insight.record_keys = []  # no longer needed: free the memory


def dataset_trend(jobs: list[HarvestJob], current: int) -> list[dict]:
    """The dataset count after each finished harvest, oldest first, reconstructed back from the current count."""
    trend = []
    count = current
    for job in jobs:  # newest first
        if job.status == "running" or not job.finished_at:
            continue
        trend.append({"harvest": job.finished_at, "datasets": count, "status": job.status})
        if job.status != "failed":
            count = max(0, count - job.stats.created + job.stats.deleted)
    return list(reversed(trend))


def hvd_candidates(record: Record) -> set[str]:
    """The HVD categories a record's EU themes or keywords suggest."""
    found = {HVD_BY_THEME[t.code] for t in record.eu_themes if t.code in HVD_BY_THEME}
    words = " ".join(fold(k) for k in record.keywords)
    found.update(iri for stem, iri in HVD_BY_KEYWORD.items() if stem in words)
    return found


def _has_open_license(record: Record) -> bool:
    for concept in record.licenses:
        info = canonical_license(concept.uri or concept.label)
        if info is not None and info.is_open:
            return True
    return False


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _search_url(portal_id: str, filters: dict[str, str]) -> str:
    pairs = ([("portal", portal_id)] if portal_id != "*" else []) + list(filters.items())
    return "/?" + urlencode(pairs)
