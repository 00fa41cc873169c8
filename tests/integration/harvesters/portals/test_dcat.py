"""The generic DCAT harvester against a local HTTP portal: syntaxes, Hydra paging, bad records, failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

import pytest

from harvesters.fetch.http import HttpSettings
from mappings.portals import Portal
from service.search.base import SearchQuery
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from simulators.server import PortalSimulator, SimResponse
from tests.conftest import FAST_HTTP, NOW, run_harvest


@pytest.fixture(scope="module")
def paris_portal():
    with DcatPortalSimulator(generate("paris", 15), page_size=10) as simulator:
        yield simulator


def harvest(store, url, portal_id="paris", **kwargs):
    portal = Portal(id=portal_id, name=portal_id, kind="dcat", url=url)
    return run_harvest(portal, store, http=FAST_HTTP, grace=timedelta(0), now=lambda: NOW, **kwargs)


@pytest.mark.parametrize("extension", ["ttl", "rdf", "jsonld", "nt"])
def test_harvests_two_hydra_pages_in_every_syntax(backend, paris_portal, extension):
    job = harvest(backend, paris_portal.catalog_url(extension))
    assert job.status == "done", job.error
    assert job.pages == 2
    assert job.stats.created == 15
    expected = {d.title for d in generate("paris", 15)}
    assert {r.title for r in backend.iter_records()} == expected


def test_records_carry_every_distribution_url_and_provenance(backend, paris_portal):
    harvest(backend, paris_portal.catalog_url("ttl"))
    for sample in generate("paris", 15):
        hit = backend.get(f"paris:{paris_portal.url}/datasets/{sample.slug}")
        assert hit is not None, sample.slug
        record = hit.record
        assert {d.download_url for d in record.distributions} == {r.url for r in sample.resources}
        assert record.publisher.name == "Ville de Paris"
        assert record.harvested_at == NOW.isoformat()
        assert "<" not in record.description


def test_velos_finds_the_bike_datasets(backend, paris_portal):
    harvest(backend, paris_portal.catalog_url("ttl"))
    hits = backend.search(SearchQuery(q="velos")).hits
    assert len(hits) == 4
    assert all("vélo" in h.record.title.lower() for h in hits[:3]), "title matches rank first"
    assert all("vélo" in (h.record.title + " ".join(h.record.keywords)).lower() for h in hits)


def test_second_harvest_of_unchanged_content_counts_unchanged(backend, paris_portal):
    harvest(backend, paris_portal.catalog_url("ttl"))
    job = harvest(backend, paris_portal.catalog_url("ttl"))
    assert (job.stats.created, job.stats.updated, job.stats.unchanged) == (0, 0, 15)


def test_legacy_paged_collection_with_literal_next_links(backend):
    with DcatPortalSimulator(generate("lyon", 12), page_size=5, legacy_paging=True) as simulator:
        job = harvest(backend, simulator.catalog_url("jsonld"), portal_id="lyon")
    assert job.status == "done" and job.pages == 3 and job.stats.created == 12


class BrokenRecordPortal(PortalSimulator):
    """One page: a good dataset, one without a title, one blank node without identifier."""

    def handle(self, request):
        turtle = """
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://p.test/ok> a dcat:Dataset ; dct:title "Jeu correct" .
        <http://p.test/untitled> a dcat:Dataset ; dct:description "pas de titre" .
        [] a dcat:Dataset ; dct:title "Sans identité" .
        """
        return SimResponse(200, turtle.encode(), "text/turtle")


def test_a_bad_record_is_reported_and_the_rest_harvested(backend):
    with BrokenRecordPortal() as simulator:
        job = harvest(backend, simulator.url + "/catalog.ttl", portal_id="p")
    assert job.status == "done-with-errors"
    assert job.stats.created == 1
    reasons = sorted(f.reason for f in job.failed)
    assert reasons == ["dataset <http://p.test/untitled> has no dct:title", "dataset has neither a URI nor a dct:identifier"]
    assert {f.source for f in job.failed} >= {"http://p.test/untitled"}


@pytest.mark.parametrize("fault", ["500", "truncate", "reset"])
def test_a_failed_page_fails_the_harvest_and_keeps_what_was_stored(backend, fault):
    with DcatPortalSimulator(generate("paris", 15), page_size=10) as simulator:
        assert harvest(backend, simulator.catalog_url("ttl")).stats.created == 15
        simulator.set_fault(fault, after=1)  # page 1 answers, page 2 fails
        job = harvest(backend, simulator.catalog_url("ttl"))
    assert job.status == "failed"
    assert job.error
    assert backend.counts_by_portal() == {"paris": 15}


def test_unparseable_page_fails_with_a_readable_error(backend):
    class Garbage(PortalSimulator):
        def handle(self, request):
            return SimResponse(200, b"@prefix broken <<<", "text/turtle")

    with Garbage() as simulator:
        job = harvest(backend, simulator.url + "/catalog.ttl", portal_id="g")
    assert job.status == "failed"
    assert "could not parse turtle" in job.error


def one_page_whose_next_is(next_url: Callable[[str], str]) -> type[PortalSimulator]:
    """A portal serving one Turtle page with one dataset, its ``hydra:next`` ``next_url(simulator URL)``."""

    class OnePage(PortalSimulator):
        def handle(self, request):
            turtle = """@prefix hydra: <http://www.w3.org/ns/hydra/core#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
            @prefix dct: <http://purl.org/dc/terms/> .
            <http://p.test/a> a dcat:Dataset ; dct:title "A" .
            <%s/catalog.ttl> a hydra:PartialCollectionView ; hydra:next <%s> .""" % (self.url, next_url(self.url))
            return SimResponse(200, turtle.encode(), "text/turtle")

    return OnePage


def test_next_link_to_another_host_is_refused(backend):
    with one_page_whose_next_is(lambda url: "http://elsewhere.example/page2")() as simulator:
        job = harvest(backend, simulator.url + "/catalog.ttl", portal_id="e")
    assert job.status == "failed"
    assert "not a configured portal host" in job.error
    assert backend.count() == 0


def test_paging_loop_stops_and_removes_nothing(backend):
    with one_page_whose_next_is(lambda url: url + "/catalog.ttl")() as simulator:
        job = harvest(backend, simulator.url + "/catalog.ttl", portal_id="l")
    assert job.status == "done-with-errors"
    assert any("loops back" in w for w in job.warnings)
    assert backend.count() == 1


def test_page_cap_fails_a_runaway_catalogue_and_keeps_the_previous_harvest(backend):
    """A portal still paging past FEDCAT_MAX_PAGES is suspect: nothing of that run is committed (issue 16)."""
    with DcatPortalSimulator(generate("paris", 6), page_size=2) as simulator:
        assert harvest(backend, simulator.catalog_url("ttl"), max_pages=3).status == "done"
        before = {r.record_id: r for r in backend.iter_records()}
        simulator.datasets = generate("paris", 400)  # the catalogue "grows" without end
        job = harvest(backend, simulator.catalog_url("ttl"), max_pages=3)
    assert job.status == "failed"
    assert "3-page cap" in job.error and "FEDCAT_MAX_PAGES" in job.error and "nothing of this run was written" in job.error
    assert {r.record_id: r for r in backend.iter_records()} == before


def test_page_cap_on_a_first_harvest_stores_nothing(backend):
    with DcatPortalSimulator(generate("paris", 15), page_size=2) as simulator:
        job = harvest(backend, simulator.catalog_url("ttl"), max_pages=3)
    assert job.status == "failed" and "3-page cap" in job.error
    assert backend.count() == 0


def test_remote_json_ld_context_is_never_fetched(backend):
    class RemoteContext(PortalSimulator):
        def handle(self, request):
            if request.path == "/context.jsonld":
                return SimResponse(200, b'{"@context": {"title": "http://purl.org/dc/terms/title"}}', "application/ld+json")
            body = '{"@context": "%s/context.jsonld", "@id": "http://p.test/a", "title": "A"}' % self.url
            return SimResponse(200, body.encode(), "application/ld+json")

    with RemoteContext() as simulator:
        job = harvest(backend, simulator.url + "/catalog.jsonld", portal_id="r")
        paths = [r.path for r in simulator.requests]
    assert job.status == "failed" and "remote JSON-LD context" in job.error
    assert paths == ["/catalog.jsonld"]


def test_xml_entities_are_refused(backend):
    class Entities(PortalSimulator):
        def handle(self, request):
            body = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""
            return SimResponse(200, body, "application/rdf+xml")

    with Entities() as simulator:
        job = harvest(backend, simulator.url + "/catalog.rdf", portal_id="x")
    assert job.status == "failed" and "DTD" in job.error


def test_oversized_response_is_refused(backend, paris_portal):
    portal = Portal(id="paris", name="p", kind="dcat", url=paris_portal.catalog_url("ttl"))
    job = run_harvest(portal, backend, http=HttpSettings(max_bytes=1000, retries=0), now=lambda: NOW)
    assert job.status == "failed" and "limit" in job.error


def test_literal_and_lenient_parsing_fallback(backend):
    class FreeTextIris(PortalSimulator):
        def handle(self, request):
            body = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"
 xmlns:dct="http://purl.org/dc/terms/">
 <dcat:Dataset rdf:about="https://opendata.paris.fr/explore/dataset/velib/">
  <dct:title>Vélib</dct:title>
  <dct:description><![CDATA[<p>Vélos <b>partagés</b></p>]]></dct:description>
  <dct:spatial rdf:resource="France entière"/>
  <dct:accrualPeriodicity rdf:resource="En continu"/>
 </dcat:Dataset>
</rdf:RDF>"""
            return SimResponse(200, body.encode(), "application/rdf+xml")

    with FreeTextIris() as simulator:
        job = harvest(backend, simulator.url + "/catalog.rdf", portal_id="ods")
    assert job.status == "done", job.error
    record = next(backend.iter_records())
    assert record.description == "Vélos partagés"
