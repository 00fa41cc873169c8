"""The pages as a newcomer met them (issue 14), in real headless Chromium: a phone-sized screen,
the sort control, the language switch, portal pages and an HTML 404."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.support import api_json, chrome, console_errors, wait_for

DEADLINE = 30  # seconds; generous for a loaded machine, polled every 50 ms


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    """Chromium showing pages as a 390 × 844 phone does (a desktop window cannot be narrower than 500 px)."""
    driver = chrome(tmp_path_factory.mktemp("chromium-phone"))
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
    )
    yield driver
    driver.quit()


def titles(driver) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".result h3")]


def test_on_a_phone_the_results_come_first_and_facets_unfold(phone, fedcat_url):
    phone.get(f"{fedcat_url}/?q=velos")
    assert phone.execute_script("return window.innerWidth") == 390
    wait_for(phone, lambda d: d.execute_script("return !document.getElementById('facets-panel').open"), DEADLINE)
    first = phone.find_element(By.CSS_SELECTOR, ".result h3")
    assert phone.execute_script("return arguments[0].getBoundingClientRect().bottom <= window.innerHeight", first)

    phone.find_element(By.CSS_SELECTOR, "#facets-panel > summary").click()
    wait_for(phone, lambda d: d.find_element(By.CSS_SELECTOR, ".facet-values label").is_displayed(), DEADLINE)
    rows = phone.find_elements(By.CSS_SELECTOR, ".facet-values label")
    assert len(rows) > 5
    for row in rows:  # every row, even at the bottom of the screen, can be seen and clicked: nothing floats over it
        phone.execute_script("arguments[0].scrollIntoView({block: 'end'})", row)
        covered = phone.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
            "return !(hit && arguments[0].contains(hit));",
            row,
        )
        assert not covered, row.text


def test_the_sort_control_applies_at_once(driver, fedcat_url):
    driver.get(f"{fedcat_url}/?q=velos")
    Select(driver.find_element(By.ID, "sort")).select_by_value("-modified")
    wait_for(driver, lambda d: "sort=-modified" in d.current_url, DEADLINE)
    expected = api_json(fedcat_url, "/api/datasets", q="velos", sort="-modified", page_size=20)
    wait_for(driver, lambda d: titles(d) == [r["title"] for r in expected["results"]], DEADLINE)
    assert console_errors(driver) == []


def test_the_language_switch_turns_every_page_english(driver, fedcat_url):
    driver.get(f"{fedcat_url}/")
    driver.find_element(By.CSS_SELECTOR, '.lang-switch a[data-lang="en"]').click()
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Find open data", DEADLINE)
    driver.get(f"{fedcat_url}/portals")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Harvested portals"
    driver.find_element(By.CSS_SELECTOR, '.lang-switch a[data-lang="fr"]').click()
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Portails moissonnés", DEADLINE)


def test_portal_pages_list_each_portals_harvests(driver, fedcat_url):
    driver.get(f"{fedcat_url}/portals")
    rows = driver.find_elements(By.CSS_SELECTOR, "#portals tbody tr")
    assert {r.get_attribute("data-portal") for r in rows} == {"paris", "lyon", "montpellier", "datagouv"}
    driver.find_element(By.CSS_SELECTOR, 'tr[data-portal="lyon"] a').click()
    wait_for(driver, lambda d: d.current_url.endswith("/portals/lyon"), DEADLINE)
    assert driver.find_elements(By.CSS_SELECTOR, "#jobs tbody tr[data-status]")


def test_a_mistyped_address_gets_a_page_not_json(driver, fedcat_url):
    driver.get(f"{fedcat_url}/jeux-de-donnees/velos")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Page introuvable"
    driver.find_element(By.LINK_TEXT, "Retour à la recherche").click()
    wait_for(driver, lambda d: d.current_url.rstrip("/") == fedcat_url, DEADLINE)


def test_the_widget_names_service_formats_as_people_do(driver, host_url):
    """WFS_SRVC and WMS_SRVC (EU file-type codes) show as WFS and WMS, in results and facets."""
    from tests.browser.test_widget import open_widget

    root = open_widget(driver, host_url, portal="lyon")
    badges = {e.text for e in root.find_elements(By.CSS_SELECTOR, ".formats li")}
    assert {"WFS", "WMS"} <= badges and not any(b.endswith("_SRVC") for b in badges)
    names = {e.text for e in root.find_elements(By.CSS_SELECTOR, 'fieldset[data-facet="format"] .name')}
    assert not any(n.endswith("_SRVC") for n in names)
