"""Session fixtures for the browser tests: the demo portals harvested once, fedcat served live,
a third-party page embedding the widget from another origin, a stand-in API, and Chromium."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from service.app import create_app
from tests.browser.support import chrome, demo_catalogue, host_page_app, live_server, stub_api_app


@pytest.fixture(scope="session")
def demo_store():
    """The sample portals harvested over HTTP, plus one hostile record on the Paris portal."""
    with ExitStack() as stack:
        yield demo_catalogue(stack)


@pytest.fixture(scope="session")
def fedcat_url(demo_store):
    """Base URL of the real app, served by werkzeug in a thread."""
    with live_server(create_app(catalogue=demo_store)) as url:
        yield url


@pytest.fixture(scope="session")
def host_url(fedcat_url):
    """A city portal's page (origin http://localhost:…) embedding the widget of fedcat (http://127.0.0.1:…)."""
    with live_server(host_page_app(fedcat_url), url_host="localhost") as url:
        yield url


@pytest.fixture(scope="session")
def stub_api_url():
    """A stand-in API with canned answers."""
    with live_server(stub_api_app(), url_host="localhost") as url:
        yield url


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium with JavaScript."""
    driver = chrome(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def nojs_browser(tmp_path_factory):
    """Headless Chromium with JavaScript turned off."""
    driver = chrome(tmp_path_factory.mktemp("chromium-nojs-profile"), javascript=False)
    yield driver
    driver.quit()


@pytest.fixture
def driver(browser):
    """The shared browser, its console log drained so each test sees only its own messages."""
    browser.get_log("browser")
    return browser
