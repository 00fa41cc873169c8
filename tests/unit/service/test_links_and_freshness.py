"""Link verdicts, freshness, the MQA reachability indicators and the harvest trend: pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from mappings.freshness import PERIOD_DAYS, freshness, is_overdue
from mappings.jobs import HarvestJob, WriteStats
from mappings.links import LinkCheck, link_status_of, record_urls, type_fits, verdict_of, worst
from mappings.quality import assess
from mappings.record import Concept, Distribution
from service.insights import dataset_trend, hvd_candidates
from tests.factories import DistributionFactory, RecordFactory

FREQ = "http://publications.europa.eu/resource/authority/frequency/"


@pytest.mark.parametrize(
    "declared,served,fits",
    [
        (Distribution(format="CSV"), "text/csv", True),
        (Distribution(format="CSV"), "text/html", False),
        (Distribution(format="CSV"), "application/pdf", False),
        (Distribution(format="CSV"), "application/octet-stream", True),
        (Distribution(format="CSV"), None, True),
        (Distribution(format="GeoJSON"), "application/json", True),
        (Distribution(format="SHP"), "application/zip", True),
        (Distribution(format="HTML"), "text/html", True),
        (Distribution(format="WMS"), "text/html", True),
        (Distribution(media_type="text/csv"), "text/csv; charset=utf-8", True),
        (Distribution(), "text/html", True),
    ],
)
def test_a_served_type_is_judged_against_the_declared_one(declared, served, fits):
    assert type_fits(declared, served) is fits


@pytest.mark.parametrize("status,verdict", [(200, "ok"), (206, "ok"), (404, "broken"), (410, "broken"), (500, "broken"), (None, "broken")])
def test_verdict_of_a_status(status, verdict):
    assert verdict_of(status, "text/csv", Distribution(format="CSV")) == verdict


def test_a_record_takes_its_worst_verdict():
    a, b = DistributionFactory(), DistributionFactory()
    record = RecordFactory(distributions=(a, b))
    assert link_status_of(record, {}) == "unchecked"
    assert link_status_of(record, {a.url: LinkCheck(a.url, "t", "ok")}) == "ok"
    checks = {a.url: LinkCheck(a.url, "t", "ok"), b.url: LinkCheck(b.url, "t", "wrong_type")}
    assert link_status_of(record, checks) == "wrong_type"
    assert worst(["ok", "broken", "wrong_type"]) == "broken"


def test_record_urls_are_distinct_http_ones():
    record = RecordFactory(distributions=(
        Distribution(access_url="https://a.fr/x", download_url="https://a.fr/x.csv"),
        Distribution(access_url="https://a.fr/x"),
        Distribution(access_url="ftp://a.fr/y", download_url="javascript:alert(1)"),
    ))
    assert [url for url, _ in record_urls(record)] == ["https://a.fr/x.csv", "https://a.fr/x"]


@pytest.mark.parametrize(
    "code,modified,state",
    [
        ("DAILY", "2026-06-01", "fresh"),
        ("DAILY", "2026-05-28", "fresh"),      # a day's period, the minimum 3-day margin
        ("DAILY", "2026-05-27", "overdue"),
        ("WEEKLY", "2026-05-22", "fresh"),     # 7 + 3.5 days
        ("WEEKLY", "2026-05-20", "overdue"),
        ("MONTHLY", "2026-04-16", "fresh"),    # 31 + 15.5 days
        ("MONTHLY", "2026-04-10", "overdue"),
        ("ANNUAL", "2025-01-01", "fresh"),
        ("ANNUAL", "2024-10-01", "overdue"),
        ("IRREG", "2000-01-01", "unknown"),
        ("AS_NEEDED", "2000-01-01", "unknown"),
        ("DAILY", None, "unknown"),
        ("DAILY", "not a date", "unknown"),
    ],
)
def test_freshness_against_the_declared_frequency(code, modified, state):
    record = RecordFactory(frequency=Concept(code.lower(), FREQ + code), modified=modified)
    assert freshness(record, date(2026, 6, 1)).state == state


def test_freshness_margin_and_labels():
    record = RecordFactory(frequency=Concept("Hebdomadaire"), modified="2026-05-20")
    assert is_overdue(record, date(2026, 6, 1))
    assert not is_overdue(record, date(2026, 6, 1), margin=1.0)
    assert freshness(record, date(2026, 6, 1)).due == "2026-05-30"
    assert freshness(RecordFactory(frequency=None), date(2026, 6, 1)).state == "unknown"
    assert all(days >= 1 for days in PERIOD_DAYS.values())


def test_reachability_counts_only_once_checked():
    distribution = DistributionFactory()
    record = RecordFactory(distributions=(distribution,))
    unchecked = assess(record)
    assert unchecked.dimensions["accessibility"] == (20, 20)
    ok = assess(record, {distribution.url: LinkCheck(distribution.url, "t", "ok", 200)})
    assert ok.dimensions["accessibility"] == (100, 100) and ok.score >= unchecked.score
    broken = assess(record, {distribution.url: LinkCheck(distribution.url, "t", "broken", 404)})
    assert broken.dimensions["accessibility"] == (20, 100)
    assert {"access_url_reachable", "download_url_reachable"} <= set(broken.missing)
    assert broken.score < unchecked.score


def test_the_trend_is_rebuilt_back_from_the_current_count():
    def job(n: int, status: str, created: int = 0, deleted: int = 0) -> HarvestJob:
        return HarvestJob(f"j{n}", "p", f"2026-0{n}-01", status=status, finished_at=f"2026-0{n}-01T02:00:00",
                          stats=WriteStats(created=created, deleted=deleted))

    jobs = [job(4, "done", created=5, deleted=2), job(3, "failed"), job(2, "done", created=10), job(1, "done", created=90)]
    trend = dataset_trend(jobs, current=103)
    assert [(t["harvest"][:7], t["datasets"]) for t in trend] == [("2026-01", 90), ("2026-02", 100), ("2026-03", 100), ("2026-04", 103)]


def test_hvd_candidates_from_themes_and_keywords():
    from mappings.vocabularies import theme_assignments

    record = RecordFactory(keywords=("Données météorologiques",), eu_themes=theme_assignments((Concept("Transports"),), ()))
    found = hvd_candidates(record)
    assert "http://data.europa.eu/bna/c_164e0bf5" in found
