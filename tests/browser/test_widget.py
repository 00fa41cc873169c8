"""The <fedcat-search> widget in real headless Chromium, embedded in a page of another origin."""

from __future__ import annotations

from urllib.parse import urlencode

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.shadowroot import ShadowRoot

from tests.browser.support import HOSTILE_TITLE, api_json, console_errors, wait_for

ACTIVE = "return document.querySelector('fedcat-search').shadowRoot.activeElement"


def open_widget(driver, host_url: str, **attributes: str) -> ShadowRoot:
    """Load the host page with these widget attributes and wait for the first results."""
    driver.get(f"{host_url}/?{urlencode(attributes)}")
    wait_for(driver, lambda d: d.execute_script("return window.__results.length") >= 1, message="no first results")
    return driver.find_element(By.CSS_SELECTOR, "fedcat-search").shadow_root


def searched(driver, action) -> None:
    """Do something that triggers a search, and wait until its results are shown."""
    before = driver.execute_script("return window.__results.length")
    action()
    wait_for(driver, lambda d: d.execute_script("return window.__results.length") > before, message="no new results")


def count_fr(total: int) -> str:
    """The widget's French count line."""
    return {0: "Aucun jeu de données", 1: "1 jeu de données"}.get(total, f"{total} jeux de données")


def text(root: ShadowRoot, css: str) -> str:
    return root.find_element(By.CSS_SELECTOR, css).text


def titles(root: ShadowRoot) -> list[str]:
    return [e.text for e in root.find_elements(By.CSS_SELECTOR, ".result h3")]


def facet_counts(root: ShadowRoot, facet: str) -> dict[str, int]:
    boxes = root.find_elements(By.CSS_SELECTOR, f'fieldset[data-facet="{facet}"] label')
    return {b.find_element(By.CSS_SELECTOR, "input").get_attribute("data-value"): int(b.find_element(By.CSS_SELECTOR, ".count").text) for b in boxes}


def dataset_searches(driver) -> list[str]:
    return [url for url in driver.execute_script("return window.__fetches.map(f => f.url)") if "/api/datasets" in url]


def test_typing_a_query_shows_the_apis_results_after_one_debounced_request(driver, host_url, fedcat_url):
    root = open_widget(driver, host_url)
    assert text(root, "label") == "Rechercher des jeux de données"
    assert root.find_element(By.CSS_SELECTOR, "form").get_attribute("role") == "search"
    requests_before = len(dataset_searches(driver))
    searched(driver, lambda: root.find_element(By.CSS_SELECTOR, "input[type=search]").send_keys("velos"))
    expected = api_json(fedcat_url, "/api/datasets", q="velos", page_size=10)
    assert text(root, ".summary") == count_fr(expected["total"])
    assert root.find_element(By.CSS_SELECTOR, "[role=status]").get_attribute("textContent").startswith(count_fr(expected["total"]))
    assert titles(root) == [r["title"] for r in expected["results"]]
    first, shown = expected["results"][0], root.find_element(By.CSS_SELECTOR, ".result")
    assert shown.find_element(By.CSS_SELECTOR, "h3 a").get_attribute("href") == first["links"]["page"]
    assert first["publisher"]["name"] in shown.find_element(By.CSS_SELECTOR, ".meta").text
    labels = {v["value"]: v["label"] for v in expected["facets"]["format"]}  # as people name them: "Excel XLSX"
    assert [f.text for f in shown.find_elements(By.CSS_SELECTOR, ".formats li")] == [labels.get(f, f) for f in first["formats"]]
    assert dataset_searches(driver)[requests_before:] == [dataset_searches(driver)[-1]], "typing must be debounced"
    assert "q=velos" in dataset_searches(driver)[-1]
    assert console_errors(driver) == []


def test_a_facet_filters_and_the_counts_follow(driver, host_url, fedcat_url):
    root = open_widget(driver, host_url)
    searched(driver, lambda: root.find_element(By.CSS_SELECTOR, "input[type=search]").send_keys("velos", Keys.ENTER))
    csv = root.find_element(By.CSS_SELECTOR, 'input[data-facet="format"][data-value="CSV"]')
    searched(driver, csv.click)
    expected = api_json(fedcat_url, "/api/datasets", q="velos", format="CSV", page_size=10)
    unfiltered = api_json(fedcat_url, "/api/datasets", q="velos", page_size=10)
    assert expected["total"] < unfiltered["total"]
    assert text(root, ".summary") == count_fr(expected["total"])
    assert titles(root) == [r["title"] for r in expected["results"]]
    assert facet_counts(root, "portal") == {v["value"]: v["count"] for v in expected["facets"]["portal"]}
    assert root.find_element(By.CSS_SELECTOR, 'input[data-facet="format"][data-value="CSV"]').is_selected()
    assert all("CSV" in r.text for r in root.find_elements(By.CSS_SELECTOR, ".result .formats"))


def test_paging_forward_moves_focus_to_the_new_results(driver, host_url, fedcat_url):
    root = open_widget(driver, host_url, **{"page-size": "5"})
    expected = api_json(fedcat_url, "/api/datasets", page=2, page_size=5)
    assert text(root, ".pager .position") == f"Page 1 sur {expected['pages']}"
    assert not root.find_element(By.CSS_SELECTOR, ".pager .previous").is_enabled()
    searched(driver, root.find_element(By.CSS_SELECTOR, ".pager .next").click)
    assert text(root, ".pager .position") == f"Page 2 sur {expected['pages']}"
    assert titles(root) == [r["title"] for r in expected["results"]]
    assert driver.execute_script(ACTIVE + ".id") == "summary"
    assert root.find_element(By.CSS_SELECTOR, ".pager .previous").is_enabled()


def test_keyboard_only_search_facet_and_paging(driver, host_url, fedcat_url):
    root = open_widget(driver, host_url, **{"page-size": "2"})
    keys = ActionChains(driver)
    keys.send_keys(Keys.TAB).perform()
    assert driver.execute_script(ACTIVE + ".id") == "q"
    searched(driver, lambda: ActionChains(driver).send_keys("velos", Keys.ENTER).perform())
    for _ in range(4):  # the submit button, then the first facet checkbox
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.execute_script(ACTIVE + ".type") == "checkbox":
            break
    key = driver.execute_script(ACTIVE + ".dataset.key")
    assert key.startswith("facet:portal:"), key
    searched(driver, lambda: ActionChains(driver).send_keys(Keys.SPACE).perform())
    assert driver.execute_script(ACTIVE + ".dataset.key") == key, "focus stays on the toggled checkbox"
    assert driver.execute_script(ACTIVE + ".checked") is True
    portal = key.removeprefix("facet:portal:")
    expected = api_json(fedcat_url, "/api/datasets", q="velos", portal=portal, page_size=2)
    assert text(root, ".summary") == count_fr(expected["total"]) and expected["pages"] > 1
    for _ in range(40):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.execute_script(ACTIVE + ".dataset.key") == "pager:next":
            break
    searched(driver, lambda: ActionChains(driver).send_keys(Keys.ENTER).perform())
    assert driver.execute_script(ACTIVE + ".id") == "summary"
    assert text(root, ".pager .position") == f"Page 2 sur {expected['pages']}"


def test_english_labels_and_switching_language_live(driver, host_url, fedcat_url):
    root = open_widget(driver, host_url, lang="en")
    total = api_json(fedcat_url, "/api/datasets", page_size=1)["total"]
    assert text(root, "label") == "Search datasets"
    assert text(root, "button[type=submit]") == "Search"
    assert text(root, ".summary") == f"{total:,} datasets"
    legends = {e.get_attribute("textContent") for e in root.find_elements(By.CSS_SELECTOR, "legend")}
    assert legends == {"Portal", "Theme", "Format", "Licence", "Publisher"}
    assert text(root, ".pager .next") == "Next page →"
    driver.execute_script("document.querySelector('fedcat-search').setAttribute('lang', 'fr')")
    assert text(root, "label") == "Rechercher des jeux de données"
    assert text(root, ".summary") == count_fr(total)


def test_a_portal_attribute_restricts_the_search_and_hides_that_facet(driver, host_url, fedcat_url):
    root = open_widget(driver, host_url, portal="lyon")
    expected = api_json(fedcat_url, "/api/datasets", portal="lyon", page_size=10)
    assert text(root, ".summary") == count_fr(expected["total"])
    assert root.find_elements(By.CSS_SELECTOR, 'fieldset[data-facet="portal"]') == []
    wait_for(driver, lambda d: {e.text for e in root.find_elements(By.CSS_SELECTOR, ".result .portal")} == {"DATA Grand Lyon (exemple)"})


def test_hostile_metadata_is_shown_as_text(driver, host_url):
    root = open_widget(driver, host_url)
    searched(driver, lambda: root.find_element(By.CSS_SELECTOR, "input[type=search]").send_keys("pieges", Keys.ENTER))
    assert titles(root) == [HOSTILE_TITLE]
    assert "Ville de Paris <i>officielle</i>" in text(root, ".result .meta")
    assert driver.execute_script(
        "return document.querySelector('fedcat-search').shadowRoot.querySelectorAll('script, img, b, i, [onerror], [onmouseover]').length"
    ) == 0
    assert driver.execute_script("return window.__alerts") == []


def test_highlights_are_marked_as_text_and_unsafe_links_dropped(driver, host_url, stub_api_url):
    root = open_widget(driver, host_url, api=stub_api_url)
    title_marks = root.find_elements(By.CSS_SELECTOR, ".result h3 mark")
    assert [m.text for m in title_marks] == ["Vélos"]
    assert [m.text for m in root.find_elements(By.CSS_SELECTOR, ".result .desc mark")] == ["<script>alert(9)</script>"]
    assert root.find_element(By.CSS_SELECTOR, ".result h3 a").get_attribute("href") is None
    wait_for(driver, lambda d: text(root, ".result .portal") == "Portail bouchon")
    assert driver.execute_script("return document.querySelector('fedcat-search').shadowRoot.querySelectorAll('script').length") == 0
    assert driver.execute_script("return window.__alerts") == []


def test_a_newer_search_cancels_a_slow_one(driver, host_url, stub_api_url):
    root = open_widget(driver, host_url, api=stub_api_url)
    box = root.find_element(By.CSS_SELECTOR, "input[type=search]")
    box.send_keys("lent", Keys.ENTER)
    wait_for(driver, lambda d: any("q=lent" in url for url in dataset_searches(d)))
    searched(driver, lambda: box.send_keys(Keys.CONTROL, "a", Keys.NULL, "vite", Keys.ENTER))
    assert titles(root) == ["Vélos et vite"]
    aborted = "return window.__fetches.filter(f => f.url.includes('q=lent')).map(f => f.signal.aborted)"
    assert driver.execute_script(aborted) == [True]


def test_theming_with_css_custom_properties(driver, host_url):
    root = open_widget(driver, host_url)
    button = root.find_element(By.CSS_SELECTOR, "button[type=submit]")
    assert button.value_of_css_property("background-color") == "rgba(36, 80, 216, 1)"
    driver.execute_script(
        "const el = document.querySelector('fedcat-search');"
        "el.style.setProperty('--fedcat-accent', 'rgb(0, 121, 107)');"
        "el.style.setProperty('--fedcat-radius', '2px');"
    )
    assert button.value_of_css_property("background-color") == "rgba(0, 121, 107, 1)"
    assert root.find_element(By.CSS_SELECTOR, ".root").value_of_css_property("border-top-left-radius") == "2px"


def test_facets_fold_when_the_widget_is_narrow(driver, host_url):
    root = open_widget(driver, host_url)
    is_open = "return document.querySelector('fedcat-search').shadowRoot.querySelector('details.facets').open"
    assert driver.execute_script(is_open) is True
    driver.execute_script("document.querySelector('fedcat-search').style.maxWidth = '400px'")
    wait_for(driver, lambda d: d.execute_script(is_open) is False, message="facets stay unfolded")
    root.find_element(By.CSS_SELECTOR, "details.facets > summary").click()
    assert driver.execute_script(is_open) is True
