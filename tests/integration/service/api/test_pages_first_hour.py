"""What a newcomer met on the pages (issue 14): HTML errors for browsers, favicon, robots and
sitemap, deep pages, sort and date controls, readable formats, English, portal and harvest pages."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from mappings.jobs import FailedRecord, HarvestJob, WriteStats
from mappings.record import Distribution
from service.api.pages import format_label
from tests.conftest import NOW
from tests.factories import RecordFactory

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def stored(backend):
    records = [RecordFactory(portal_id="paris", title=f"Jeu {n:02d}", modified=f"2020-01-{n + 1:02d}") for n in range(25)]
    records.append(RecordFactory(portal_id="paris", title="Réseau WFS", modified="2019-01-01", distributions=(Distribution(access_url="https://x.fr/wfs", format="WFS_SRVC"),)))
    backend.replace_portal("paris", records, now=NOW)
    return records


def page(client, path: str, **headers) -> str:
    response = client.get(path, headers={**BROWSER, **headers})
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


# -- errors and what browsers and crawlers ask for ----------------------------------------------------


def test_a_browser_gets_an_html_404_and_an_api_client_json(client):
    html = client.get("/no/such/page", headers=BROWSER)
    assert (html.status_code, html.mimetype) == (404, "text/html")
    assert "Page introuvable" in html.get_data(as_text=True)
    assert client.get("/no/such/page").mimetype == "application/json"
    assert client.get("/no/such/page", headers={"Accept": "application/json"}).get_json()["status"] == 404
    assert client.get("/api/no/such", headers=BROWSER).mimetype == "application/json"  # the API stays JSON


def test_favicon_robots_and_sitemap(client, stored):
    icon = client.get("/favicon.ico")
    assert (icon.status_code, icon.mimetype) == (200, "image/svg+xml")
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://fedcat.test/sitemap.xml" in robots and "Disallow: /api/" in robots
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [e.text for e in sitemap.findall("s:url/s:loc", ns)]
    assert "http://fedcat.test/" in locations and "http://fedcat.test/portals/paris" in locations
    datasets = [loc for loc in locations if "/datasets/" in loc]
    assert len(datasets) == len(stored)
    assert all(client.get(loc.removeprefix("http://fedcat.test"), headers=BROWSER).status_code == 200 for loc in datasets[:3])
    assert sitemap.find("s:url/s:lastmod", ns) is not None


def test_a_page_past_the_results_is_empty_not_an_error(client, stored):
    html = page(client, "/?page=999")
    assert "Cette page est au-delà des résultats." in html and f"{len(stored)} jeux de données" in html
    assert client.get("/api/datasets?page=999&page_size=10").get_json()["results"] == []  # as the API


# -- search controls ------------------------------------------------------------------------------------


def test_sort_and_date_controls_reach_the_search(client, stored):
    html = page(client, "/?sort=-modified&modified_since=2020-01-20")
    assert '<option value="-modified" selected>' in html and 'value="2020-01-20"' in html
    titles = [line.split(">")[-1] for line in html.split("</a></h3>")[:-1]]
    assert titles[:3] == ["Jeu 24", "Jeu 23", "Jeu 22"] and len(titles) == 6


def test_service_codes_show_as_format_names(client, stored):
    html = page(client, "/?q=wfs")
    assert ">WFS</li>" in html and ">WFS_SRVC<" not in html
    assert format_label("WMS_SRVC") == "WMS" and format_label("CSV") == "CSV" and format_label("odd") == "odd"


# -- English ------------------------------------------------------------------------------------------


def test_pages_switch_to_english_and_remember_it(client, stored):
    english = client.get("/?lang=en", headers=BROWSER)
    text = english.get_data(as_text=True)
    assert '<html lang="en">' in text and "Find open data" in text and "26 datasets" in text
    assert "Set-Cookie" not in english.headers and "Trouver" in page(client, "/")  # ?lang= is for that page only
    assert 'href="/language/en?next=%2F%3Fq%3Dx"' in page(client, "/?q=x")
    switched = client.get("/language/en?next=/portals")
    assert (switched.status_code, switched.headers["Location"]) == (303, "/portals")
    assert "fedcat_lang=en" in switched.headers["Set-Cookie"]
    assert "Find open data" in page(client, "/")  # the cookie remembers the choice
    assert "Trouver des données ouvertes" in page(client, "/?lang=fr")
    assert client.get("/language/fr?next=//evil.example/").headers["Location"] == "/"


def test_french_is_the_default(client, stored):
    html = page(client, "/")
    assert '<html lang="fr">' in html and 'data-lang="en"' in html


# -- portals and harvest jobs -------------------------------------------------------------------------


def test_portal_pages_say_what_was_harvested_and_what_failed(client, backend, stored):
    failed = HarvestJob(
        job_id="j2", portal_id="paris", started_at="2026-06-02T02:15:00+00:00", finished_at="2026-06-02T02:16:05+00:00",
        status="done-with-errors", stats=WriteStats(created=1, updated=2, unchanged=22), pages=3,
        failed=(FailedRecord(reason="no title in any language", source="https://paris.example/d/42"),),
        warnings=("page 3 was truncated",),
    )
    backend.save_job(failed)
    listing = page(client, "/portals")
    assert 'href="/portals/paris"' in listing and "terminé avec erreurs" in listing
    detail = page(client, "/portals/paris")
    assert "1 min 05 s" in detail and "no title in any language" in detail and "https://paris.example/d/42" in detail
    assert "page 3 was truncated" in detail
    assert "done with errors" in page(client, "/portals/paris?lang=en")
    assert client.get("/portals/nope", headers=BROWSER).status_code == 404


def test_an_unknown_dataset_page_in_either_language(client):
    french = client.get("/datasets/nope%3Anope", headers=BROWSER)
    assert french.status_code == 404 and "Aucun jeu de données n’a cet identifiant." in french.get_data(as_text=True)
    english = client.get("/datasets/nope%3Anope?lang=en", headers=BROWSER).get_data(as_text=True)
    assert "No dataset has this identifier." in english and "<code>nope:nope</code>" in english


def test_the_search_page_says_what_its_counts_count(client, stored):
    french = page(client, "/")
    assert "compte une fois" in french and "pour chacun" in french
    english = page(client, "/?lang=en")
    assert "counts once" in english and "for each of them" in english
