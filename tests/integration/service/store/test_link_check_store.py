"""The link check store: latest check per URL, kept apart from the records."""

from __future__ import annotations

from datetime import datetime, timezone

from mappings.links import LinkCheck
from service.link_health import forget_orphans
from service.store.link_checks import LinkCheckStore, SqliteLinkCheckStore
from tests.factories import DistributionFactory, RecordFactory


def check(url: str, verdict: str = "ok", at: str = "2026-06-01T00:00:00+00:00") -> LinkCheck:
    return LinkCheck(url=url, checked_at=at, verdict=verdict, status=200 if verdict == "ok" else 404,
                     final_url=url, content_type="text/csv", size=12, last_modified="Sat, 26 Oct 2024 03:33:20 GMT")


def test_save_replaces_and_get_many_reads_back(tmp_path):
    store: LinkCheckStore = SqliteLinkCheckStore(str(tmp_path / "links.db"))
    version = store.version()
    store.save([check("https://a.fr/1.csv"), check("https://a.fr/2.csv", "broken")])
    store.save([check("https://a.fr/1.csv", "broken", at="2026-06-02T00:00:00+00:00")])
    found = store.get_many(["https://a.fr/1.csv", "https://a.fr/2.csv", "https://a.fr/unknown"])
    assert set(found) == {"https://a.fr/1.csv", "https://a.fr/2.csv"}
    assert found["https://a.fr/1.csv"] == check("https://a.fr/1.csv", "broken", at="2026-06-02T00:00:00+00:00")
    assert store.version() > version
    store.close()
    reopened = SqliteLinkCheckStore(str(tmp_path / "links.db"))  # a file store keeps its checks
    assert [c.url for c in reopened.iter_checks()] == ["https://a.fr/1.csv", "https://a.fr/2.csv"]
    reopened.close()


def test_many_urls_are_read_in_batches():
    store = SqliteLinkCheckStore(":memory:")
    urls = [f"https://a.fr/{n}.csv" for n in range(1200)]
    store.save(check(url) for url in urls)
    assert len(store.get_many(urls)) == 1200
    assert store.forget(urls[:700]) == 700 and len(list(store.iter_checks())) == 500


def test_checks_of_urls_no_record_links_any_more_are_forgotten(backend):
    kept, dropped = DistributionFactory(), DistributionFactory()
    backend.replace_portal("paris", [RecordFactory(distributions=(kept,))], now=datetime.now(timezone.utc))
    store = SqliteLinkCheckStore(":memory:")
    store.save([check(kept.url), check(dropped.url)])
    assert forget_orphans(backend, store) == 1
    assert set(store.get_many([kept.url, dropped.url])) == {kept.url}
