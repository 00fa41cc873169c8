"""Take the screenshots in docs/screenshots/ with the same headless Chromium as the tests.

    python -m tests.browser.screenshots [--out docs/screenshots]

Harvests the bundled sample portals, serves fedcat, and saves widget.png, embed.png,
search.png, dataset.png, insights.png and insights-portal.png.
"""

from __future__ import annotations

import argparse
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Sequence

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from service.app import create_app
from tests.browser.support import api_json, chrome, demo_catalogue, host_page_app, live_server, wait_for

WIDTH = 1280
MAX_HEIGHT = 2400


def main(argv: Sequence[str] | None = None) -> int:
    """Save the screenshots; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        fedcat = stack.enter_context(live_server(create_app(catalogue=demo_catalogue(stack, hostile=False))))
        host = stack.enter_context(live_server(host_page_app(fedcat), url_host="localhost"))
        driver = chrome(Path(stack.enter_context(tempfile.TemporaryDirectory())), size=(WIDTH, 900))
        stack.callback(driver.quit)
        shoot_widget(driver, host, args.out / "widget.png")
        shoot_page(driver, f"{fedcat}/embed?portal=lyon&lang=en", args.out / "embed.png", wait_widget=True)
        shoot_page(driver, f"{fedcat}/?q=velos", args.out / "search.png")
        record = api_json(fedcat, "/api/datasets", q="velib", portal="paris")["results"][0]
        shoot_page(driver, record["links"]["page"], args.out / "dataset.png")
        shoot_page(driver, f"{fedcat}/insights", args.out / "insights.png")
        shoot_page(driver, f"{fedcat}/insights/paris?lang=en", args.out / "insights-portal.png")
    for name in ("widget", "embed", "search", "dataset", "insights", "insights-portal"):
        print(args.out / f"{name}.png")
    return 0


def shoot_widget(driver: WebDriver, host: str, path: Path) -> None:
    """The widget alone, after a search for « velos » with one facet ticked."""
    driver.set_window_size(WIDTH, 900)
    driver.get(f"{host}/?page-size=4")
    _wait_results(driver, 1)
    root = driver.find_element(By.CSS_SELECTOR, "fedcat-search").shadow_root
    root.find_element(By.CSS_SELECTOR, "input[type=search]").send_keys("velos", Keys.ENTER)
    _wait_results(driver, 2)
    root.find_element(By.CSS_SELECTOR, 'input[data-facet="format"][data-value="CSV"]').click()
    _wait_results(driver, 3)
    _fit_height(driver)
    driver.find_element(By.CSS_SELECTOR, "fedcat-search").screenshot(str(path))


def shoot_page(driver: WebDriver, url: str, path: Path, *, wait_widget: bool = False) -> None:
    """A whole page (up to MAX_HEIGHT pixels tall)."""
    driver.set_window_size(WIDTH, 900)
    driver.get(url)
    if wait_widget:
        _wait_results(driver, 1)
    _fit_height(driver)
    driver.save_screenshot(str(path))


def _wait_results(driver: WebDriver, count: int) -> None:
    wait_for(driver, lambda d: d.execute_script("return window.__results.length") >= count)


def _fit_height(driver: WebDriver) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, min(MAX_HEIGHT, height + 140))


if __name__ == "__main__":
    raise SystemExit(main())
