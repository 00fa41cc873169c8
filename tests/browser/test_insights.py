"""The insights pages in real headless Chromium: every panel, charts that load, tables that match the API,
French by default and English on request, problem links that lead to the matching search."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser.support import api_json, console_errors, wait_for

PANELS = ("datasets", "trend", "dimensions", "openness", "links", "freshness", "themes", "hvd", "reference", "problems")


def table_rows(driver, panel: str) -> dict[str, list[str]]:
    rows = driver.find_elements(By.CSS_SELECTOR, f"#{panel} .chart-and-table table.figures tbody tr")
    return {r.find_element(By.CSS_SELECTOR, "th").text: [td.text for td in r.find_elements(By.CSS_SELECTOR, "td")] for r in rows}


def test_every_panel_is_there_without_javascript(nojs_browser, fedcat_url):
    driver = nojs_browser
    driver.get(f"{fedcat_url}/insights")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert driver.find_element(By.TAG_NAME, "h1").text == "Indicateurs des catalogues"
    for panel in PANELS:
        section = driver.find_element(By.ID, panel)
        assert section.find_element(By.TAG_NAME, "h2").text
        if panel != "problems":
            image = section.find_element(By.CSS_SELECTOR, "figure.chart img")
            assert image.get_attribute("src").startswith("data:image/svg+xml;base64,")
            assert "tableau" in image.get_attribute("alt")
            assert section.find_elements(By.CSS_SELECTOR, "table.figures tbody tr")


def test_the_tables_show_the_api_figures(nojs_browser, fedcat_url):
    driver = nojs_browser
    driver.get(f"{fedcat_url}/insights")
    body = api_json(fedcat_url, "/api/insights")
    datasets = table_rows(driver, "datasets")
    for portal in body["portals"]:
        assert datasets[portal["name"]][0] == str(portal["datasets"])
        links = table_rows(driver, "links")[portal["name"]]
        assert links[:4] == [str(portal["datasets_by_link_status"][s]) for s in ("ok", "wrong_type", "broken", "unchecked")]
        freshness = table_rows(driver, "freshness")[portal["name"]]
        assert freshness == [str(portal["freshness"][s]) for s in ("fresh", "overdue", "unknown")]
    assert datasets["Ensemble"][0] == str(body["total"]["datasets"]) == str(sum(p["datasets"] for p in body["portals"]))
    assert body["total"]["urls"]["broken"] > 0  # the demo's file hosts have broken links, and the checker found them
    hosts = driver.find_elements(By.CSS_SELECTOR, "#links table.figures")[1].find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(hosts) == sum(len(p["broken_by_host"]) for p in body["portals"])


def test_charts_render_and_the_page_breaks_no_policy(driver, fedcat_url):
    driver.get(f"{fedcat_url}/insights")
    images = driver.find_elements(By.CSS_SELECTOR, "figure.chart img")
    assert len(images) == len(PANELS) - 1
    wait_for(driver, lambda d: all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img) for img in images),
             message="every chart image decoded")
    assert console_errors(driver) == []


def test_english_on_request(nojs_browser, fedcat_url):
    driver = nojs_browser
    driver.get(f"{fedcat_url}/insights")
    driver.find_element(By.CSS_SELECTOR, 'a[hreflang="en"]').click()
    wait_for(driver, lambda d: "lang=en" in d.current_url)
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert driver.find_element(By.TAG_NAME, "h1").text == "Catalogue insights"
    assert driver.find_element(By.CSS_SELECTOR, "#problems h2").text == "Top problems to fix"
    assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".site-header nav a")][:3] == ["Search", "Insights", "Embed"]
    driver.find_element(By.CSS_SELECTOR, 'a[hreflang="fr"]').click()
    wait_for(driver, lambda d: "lang=en" not in d.current_url)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Indicateurs des catalogues"


def test_one_portal_and_its_problem_links(nojs_browser, fedcat_url):
    driver = nojs_browser
    driver.get(f"{fedcat_url}/insights")
    driver.find_element(By.CSS_SELECTOR, '#datasets a[href^="/insights/lyon"]').click()
    wait_for(driver, lambda d: d.current_url.endswith("/insights/lyon"))
    lyon = api_json(fedcat_url, "/api/insights/lyon")
    assert driver.find_element(By.TAG_NAME, "h1").text == f"Indicateurs : {lyon['name']}"
    assert list(table_rows(driver, "datasets")) == [lyon["name"]]
    first = lyon["problems"][0]
    link = driver.find_element(By.CSS_SELECTOR, "#problems li a")
    assert link.get_attribute("href").endswith(first["search"])
    link.click()
    wait_for(driver, lambda d: "portal=lyon" in d.current_url)
    listed = api_json(fedcat_url, "/api/datasets", **dict(pair.split("=") for pair in first["search"][2:].split("&")))
    assert listed["total"] == first["count"]
    assert driver.find_element(By.ID, "results-title").text.startswith(f"{first['count']} jeu")


def test_a_dataset_page_shows_its_link_checks_and_quality(nojs_browser, fedcat_url):
    driver = nojs_browser
    found = api_json(fedcat_url, "/api/datasets", link_status="broken", portal="lyon")
    assert found["total"] > 0 and all(r["link_status"] == "broken" for r in found["results"])
    record = api_json(fedcat_url, "/api/datasets/" + found["results"][0]["id"].replace(":", "%3A").replace("/", "%2F"))
    driver.get(found["results"][0]["links"]["page"])
    verdicts = [e.get_attribute("data-verdict") for e in driver.find_elements(By.CSS_SELECTOR, ".link-check")]
    assert "broken" in verdicts
    assert "Lien cassé" in driver.find_element(By.CSS_SELECTOR, '.link-check[data-verdict="broken"]').text
    earned, possible = (record["quality_report"]["dimensions"]["accessibility"][k] for k in ("earned", "possible"))
    rows = {r.find_element(By.TAG_NAME, "th").text: r.find_element(By.TAG_NAME, "td").text
            for r in driver.find_elements(By.CSS_SELECTOR, ".quality-report tbody tr")}
    assert rows["Accessibilité"] == f"{earned} / {possible}" and possible > 20
    assert driver.find_element(By.ID, "quality-title").text.endswith(f"{record['quality_report']['score']}/100")


def test_search_filters_on_link_health_and_freshness(nojs_browser, fedcat_url):
    driver = nojs_browser
    driver.get(f"{fedcat_url}/")
    expected = api_json(fedcat_url, "/api/datasets", overdue="true", page_size=20)
    driver.find_element(By.CSS_SELECTOR, 'input[name="overdue"][value="true"]').click()
    driver.find_element(By.CSS_SELECTOR, "button[data-apply]").click()
    wait_for(driver, lambda d: "overdue=true" in d.current_url)
    assert driver.find_element(By.ID, "results-title").text.startswith(f"{expected['total']} jeux")
    labels = [e.text for e in driver.find_elements(By.CSS_SELECTOR, 'label:has(input[name="link_status"])')]
    assert any(label.startswith("Lien cassé") for label in labels)
