"""Real headless Chromium and a live fedcat, for the browser tests and ``python -m tests.browser.screenshots``.

The browser is Debian's ``chromium`` driven by Debian's ``chromedriver``: Selenium
Manager is never asked to download anything (``SE_OFFLINE``, explicit paths).
A missing browser is an error, not a skip (``.ci/install-browser.sh`` installs it).
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from mappings.record import Agent, Concept, Distribution, Record, make_record_id
from service.catalogue import Catalogue
from service.config import Settings
from service.demo import harvest_demo

__all__ = [
    "HOSTILE_TITLE",
    "api_json",
    "chrome",
    "console_errors",
    "demo_catalogue",
    "host_page_app",
    "live_server",
    "stub_api_app",
    "wait_for",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-proxy-server",
    "--force-device-scale-factor=1",
    "--lang=fr-FR",
)
#: A title an attacker could publish on a portal: it must only ever be shown as text.
HOSTILE_TITLE = 'Vélos piégés <script>alert(1)</script> & "<img src=x onerror=alert(2)>"'
#: Installed before any page script runs: records alert()/confirm()/prompt() calls,
#: every fetch (URL and signal) and every "fedcat-results" event of the widget.
PAGE_PROBES = """
window.__alerts = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (message) => { window.__alerts.push(String(message)); };
}
window.__fetches = [];
const realFetch = window.fetch;
window.fetch = function (input, init) {
  window.__fetches.push({ url: String(input), signal: init && init.signal });
  return realFetch.apply(this, arguments);
};
window.__results = [];
window.addEventListener("fedcat-results", (event) => window.__results.push(event.detail), true);
"""


def chrome(user_data_dir: Path, *, javascript: bool = True, size: tuple[int, int] = (1280, 900)) -> WebDriver:
    """Start headless Chromium from the Debian packages, with a fresh profile; fails if they are missing."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        raise RuntimeError(f"browser tests need {' and '.join(missing)}: run .ci/install-browser.sh")
    os.environ["SE_OFFLINE"] = "true"
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    if javascript:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PAGE_PROBES})
    return driver


def demo_catalogue(stack: ExitStack, *, hostile: bool = True) -> Catalogue:
    """The bundled sample portals harvested over local HTTP into an in-memory store.

    :param hostile: also publish, on the Paris portal, a dataset whose title and description carry markup.
    """
    settings = Settings(database=":memory:", delete_grace_days=0)
    catalogue = harvest_demo(stack, settings, echo=lambda *_: None).catalogue
    stack.callback(catalogue.close)
    if hostile:
        paris = [r for r in catalogue.backend.iter_records() if r.portal_id == "paris"]
        catalogue.backend.replace_portal("paris", paris + [_hostile_record()], now=datetime.now(timezone.utc))
    return catalogue


def _hostile_record() -> Record:
    guid = "https://opendata.paris.fr/explore/dataset/velos-pieges/"
    return Record(
        record_id=make_record_id("paris", guid),
        portal_id="paris",
        guid=guid,
        source_uri=guid,
        title=HOSTILE_TITLE,
        description='Un jeu piégé </script><script>alert(3)</script> <b onmouseover="alert(4)">vélos</b>.',
        keywords=("vélo", "<script>alert(5)</script>"),
        themes=(Concept(label="Mobilité et Transport"),),
        publisher=Agent(name="Ville de Paris <i>officielle</i>"),
        license=Concept(label="odbl", uri="javascript:alert(6)"),
        modified="2025-02-01",
        distributions=(Distribution(download_url="javascript:alert(7)", title="<script>alert(8)</script>", format="CSV"),),
        harvested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


@contextmanager
def live_server(wsgi_app: Callable, *, url_host: str = "127.0.0.1") -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1, on a free port, in a thread; yields its base URL.

    :param url_host: the host name in that URL (``localhost`` makes a second origin on the same machine).
    """
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"live-server-{server.server_port}", daemon=True)
    thread.start()
    try:
        yield f"http://{url_host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def host_page_app(fedcat_url: str) -> Callable:
    """A third-party page embedding the widget, the way a city portal would (another origin).

    Query parameters become attributes of ``<fedcat-search>``. The page has its own strict
    CSP: the widget must work without inline styles or scripts.
    """

    @WsgiRequest.application
    def app(request: WsgiRequest) -> WsgiResponse:
        attributes = "".join(f' {escape(k)}="{escape(v)}"' for k, v in request.args.items(multi=True))
        html = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Ville exemple</title>'
            '<link rel="icon" href="data:,"></head>'
            "<body><h1>Les données de la ville</h1>"
            f'<script src="{escape(fedcat_url)}/widget.js" type="module"></script>'
            f"<fedcat-search{attributes}></fedcat-search></body></html>"
        )
        api = request.args.get("api", fedcat_url)
        policy = f"default-src 'self'; script-src {fedcat_url}; connect-src {api}; style-src 'self'; img-src data:"
        return WsgiResponse(html, mimetype="text/html", headers={"Content-Security-Policy": policy})

    return app


def stub_api_app() -> Callable:
    """A stand-in fedcat API with canned answers: highlight segments, hostile text, and a slow
    answer (queries starting with "lent") to show that stale requests are cancelled.

    The slow answer is held until a later search ("vite") has arrived, never for a fixed time,
    so the newer search always overtakes it however loaded the machine is.
    """
    overtaken = threading.Event()

    @WsgiRequest.application
    def app(request: WsgiRequest) -> WsgiResponse:
        if request.path.endswith("/api/portals"):
            body: dict = {"total": 1, "results": [{"id": "stub", "name": "Portail bouchon"}]}
        else:
            query = request.args.get("q", "")
            if query.startswith("vite"):
                overtaken.set()
            if query.startswith("lent"):
                overtaken.wait(60)
            body = _stub_page(query)
        return WsgiResponse(json.dumps(body), mimetype="application/json", headers={"Access-Control-Allow-Origin": "*"})

    return app


def _stub_page(query: str) -> dict:
    result = {
        "id": "stub:1",
        "title": f"Vélos et {query}",
        "description": "Pistes cyclables.",
        "publisher": {"name": "Ville bouchon"},
        "portal_id": "stub",
        "formats": ["CSV"],
        "links": {"page": "javascript:alert(10)"},
        "highlight": {
            "title": [{"text": "Vélos", "match": True}, {"text": f" et {query}", "match": False}],
            "description": [{"text": "<script>alert(9)</script>", "match": True}, {"text": " pistes", "match": False}],
        },
    }
    facets = {"portal": [{"value": "stub", "count": 1}], "format": [{"value": "CSV", "count": 1}]}
    return {"total": 1, "page": 1, "page_size": 10, "pages": 1, "sort": "relevance", "results": [result], "facets": facets}


def api_json(base: str, path: str, **params: Any) -> dict:
    """GET a fedcat JSON route (what the browser should be showing)."""
    query = urlencode(params, doseq=True)
    with urlopen(Request(f"{base}{path}?{query}", headers={"Accept": "application/json"}), timeout=10) as response:
        return json.load(response)


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 30, message: str = "") -> Any:
    """Wait until ``condition(driver)`` is truthy and return it."""
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition, message)


def console_errors(driver: WebDriver) -> list[str]:
    """Severe browser console messages since the last call (CSP violations, script errors, 404s)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
