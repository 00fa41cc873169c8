"""The server-rendered pages in real headless Chromium: search (without JavaScript), dataset, embed."""

from __future__ import annotations

import json
from urllib.parse import quote
from urllib.request import Request, urlopen

from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.support import HOSTILE_TITLE, api_json, console_errors, wait_for

RDF_TYPES = {"text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"}


def titles(driver) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".result h3")]


def summary(driver) -> str:
    return driver.find_element(By.ID, "results-title").text


def json_ld(driver) -> dict:
    return json.loads(driver.find_element(By.CSS_SELECTOR, 'script[type="application/ld+json"]').get_attribute("textContent"))


def test_the_search_page_works_without_javascript(nojs_browser, fedcat_url):
    driver = nojs_browser
    driver.get(f"{fedcat_url}/?q=velos")
    expected = api_json(fedcat_url, "/api/datasets", q="velos", page_size=20)
    assert summary(driver) == f"{expected['total']} jeux de données pour « velos »"
    assert titles(driver) == [r["title"] for r in expected["results"]]
    shown = {e.find_element(By.CSS_SELECTOR, "input").get_attribute("value"): int(e.find_element(By.CSS_SELECTOR, ".count").text)
             for e in driver.find_elements(By.CSS_SELECTOR, 'label:has(input[name="format"])')}
    assert shown == {v["value"]: v["count"] for v in expected["facets"]["format"]}

    driver.find_element(By.CSS_SELECTOR, 'input[name="format"][value="CSV"]').click()
    driver.find_element(By.CSS_SELECTOR, "button[data-apply]").click()
    filtered = api_json(fedcat_url, "/api/datasets", q="velos", format="CSV", page_size=20)
    wait_for(driver, lambda d: "format=CSV" in d.current_url)
    assert summary(driver) == f"{filtered['total']} jeux de données pour « velos »"
    assert titles(driver) == [r["title"] for r in filtered["results"]]
    assert driver.find_element(By.CSS_SELECTOR, 'input[name="format"][value="CSV"]').is_selected()

    driver.find_element(By.CSS_SELECTOR, ".chips a").click()  # remove the filter again
    wait_for(driver, lambda d: "format=CSV" not in d.current_url)
    assert summary(driver) == f"{expected['total']} jeux de données pour « velos »"


def test_paging_links_and_result_links_without_javascript(nojs_browser, fedcat_url):
    driver = nojs_browser
    driver.get(f"{fedcat_url}/")
    page_two = api_json(fedcat_url, "/api/datasets", page=2, page_size=20)
    driver.find_element(By.CSS_SELECTOR, 'a[rel="next"]').click()
    wait_for(driver, lambda d: "page=2" in d.current_url)
    assert driver.find_element(By.CSS_SELECTOR, ".pager .position").text == f"Page 2 sur {page_two['pages']}"
    assert titles(driver) == [r["title"] for r in page_two["results"]]
    driver.find_element(By.CSS_SELECTOR, ".result h3 a").click()
    wait_for(driver, lambda d: "/datasets/" in d.current_url)
    assert driver.find_element(By.TAG_NAME, "h1").text == page_two["results"][0]["title"]
    driver.get(f"{fedcat_url}/datasets/paris:nope")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Page introuvable"


def test_the_dataset_page_has_schema_org_json_ld_and_rdf_alternates(driver, fedcat_url):
    record = api_json(fedcat_url, "/api/datasets", q="velib", portal="paris")["results"][0]
    driver.get(record["links"]["page"])
    assert driver.find_element(By.TAG_NAME, "h1").text == record["title"]
    data = json_ld(driver)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Dataset"
    assert data["name"] == record["title"] and data["url"] == record["links"]["page"]
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == record["publisher"]["name"]
    assert data["creator"] == data["publisher"], "Google's Dataset guidelines recommend a creator"
    assert data["includedInDataCatalog"]["@type"] == "DataCatalog" and data["includedInDataCatalog"]["name"] == "Paris Data (exemple)"
    assert {d["contentUrl"] for d in data["distribution"]} == {d["download_url"] or d["access_url"] for d in record["distributions"]}
    assert all(d["@type"] == "DataDownload" and d["encodingFormat"] for d in data["distribution"])
    assert data["keywords"] == record["keywords"] and data["dateModified"] == record["modified"]

    alternates = {e.get_attribute("type"): e.get_attribute("href") for e in driver.find_elements(By.CSS_SELECTOR, 'link[rel="alternate"]')}
    assert set(alternates) == RDF_TYPES | {"application/json"}
    assert alternates["text/turtle"] == record["links"]["ttl"]
    with urlopen(alternates["text/turtle"], timeout=10) as response:
        graph = Graph().parse(data=response.read(), format="turtle")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert str(graph.value(dataset, DCTERMS.title)) == record["title"]
    assert driver.find_element(By.CSS_SELECTOR, "#provenance-title + .facts a").text == record["source_uri"]
    assert console_errors(driver) == [], "the Content-Security-Policy must not block anything"


def test_hostile_metadata_is_text_on_the_search_and_dataset_pages(driver, fedcat_url):
    driver.get(f"{fedcat_url}/?q=pieges")
    assert titles(driver) == [HOSTILE_TITLE]
    assert driver.execute_script("return document.scripts.length") == 0
    driver.find_element(By.CSS_SELECTOR, ".result h3 a").click()
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == HOSTILE_TITLE)
    assert HOSTILE_TITLE in driver.title
    scripts = driver.execute_script("return [...document.scripts].map(s => s.type)")
    assert scripts == ["application/ld+json"]
    raw = driver.find_element(By.CSS_SELECTOR, 'script[type="application/ld+json"]').get_attribute("textContent")
    assert "<" not in raw and json.loads(raw)["name"] == HOSTILE_TITLE
    assert driver.execute_script("return document.querySelectorAll('main img, main b, main i, [onerror], [onmouseover]').length") == 0
    assert driver.execute_script("return document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert "<script>alert(5)</script>" in driver.find_element(By.CSS_SELECTOR, "#keywords-title + .tags").text
    assert driver.execute_script("return window.__alerts") == []


def test_the_embed_page_updates_snippet_and_live_preview(driver, fedcat_url):
    driver.get(f"{fedcat_url}/embed")
    snippet = driver.find_element(By.ID, "snippet")
    assert snippet.text == f'<script src="{fedcat_url}/widget.js" type="module"></script>\n<fedcat-search></fedcat-search>'
    wait_for(driver, lambda d: d.execute_script("return window.__results.length") >= 1)
    assert not driver.find_element(By.CSS_SELECTOR, "button[data-apply]").is_displayed()
    Select(driver.find_element(By.ID, "embed-portal")).select_by_value("lyon")
    driver.find_element(By.CSS_SELECTOR, 'input[name="lang"][value="en"]').click()
    assert snippet.text.endswith('<fedcat-search portal="lyon" lang="en"></fedcat-search>')
    assert driver.current_url.endswith("/embed?portal=lyon&lang=en")
    preview = driver.find_element(By.ID, "preview").shadow_root
    wait_for(driver, lambda d: preview.find_element(By.CSS_SELECTOR, "label").text == "Search datasets")
    lyon = api_json(fedcat_url, "/api/datasets", portal="lyon", page_size=1)["total"]
    wait_for(driver, lambda d: preview.find_element(By.CSS_SELECTOR, ".summary").text == f"{lyon} datasets")
    assert preview.find_elements(By.CSS_SELECTOR, 'fieldset[data-facet="portal"]') == []
    assert console_errors(driver) == []


def test_the_embed_page_without_javascript_renders_the_chosen_snippet(nojs_browser, fedcat_url):
    nojs_browser.get(f"{fedcat_url}/embed?portal=paris&theme=Environnement&lang=en")
    snippet = nojs_browser.find_element(By.ID, "snippet").text
    assert snippet.endswith('<fedcat-search portal="paris" theme="Environnement" lang="en"></fedcat-search>')


def test_security_headers_and_the_widget_script(fedcat_url):
    record = api_json(fedcat_url, "/api/datasets", page_size=1)["results"][0]
    for path in ("/", "/embed", f"/datasets/{quote(record['id'], safe='')}"):
        with urlopen(Request(fedcat_url + path, headers={"Accept": "text/html"}), timeout=10) as response:
            policy = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    with urlopen(fedcat_url + "/widget.js", timeout=10) as response:
        assert response.headers.get_content_type() == "text/javascript"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert b"innerHTML" not in response.read()
