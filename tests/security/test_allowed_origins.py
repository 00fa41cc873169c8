"""Harvests keep to the portal's scheme, host and port unless FEDCAT_ALLOWED_HOSTS says otherwise (issue 16, item 5)."""

from __future__ import annotations

import pytest

from harvesters.errors import FetchError
from harvesters.fetch.http import HttpClient, HttpSettings
from service.config import Settings, SettingsError


def _client(*entries: str) -> HttpClient:
    return HttpClient(allowed_hosts=frozenset(entries), settings=HttpSettings(retries=0))


@pytest.mark.parametrize(
    "entries,url",
    [
        (("http://portal.test:8080",), "http://portal.test:8080/catalog?page=2"),
        (("http://portal.test:80",), "https://portal.test/catalog"),  # the usual upgrade of a portal to https
        (("portal.test",), "https://portal.test/catalog"),
        (("portal.test",), "http://portal.test:80/catalog"),
        (("portal.test:8443",), "https://portal.test:8443/catalog"),
        (("portal.test:*",), "http://portal.test:9999/catalog"),
    ],
)
def test_allowed_origins(entries, url):
    _client(*entries)._check_host(url)


@pytest.mark.parametrize(
    "entries,url",
    [
        (("http://portal.test:8080",), "http://portal.test:8081/catalog"),
        (("http://portal.test:8080",), "https://portal.test:8080/catalog"),
        (("https://portal.test:443",), "http://portal.test/catalog"),  # never a downgrade
        (("portal.test",), "http://portal.test:8080/catalog"),
        (("portal.test:8443",), "https://portal.test:9443/catalog"),
    ],
)
def test_another_port_or_scheme_of_the_same_host_is_refused(entries, url):
    with pytest.raises(FetchError, match="not the configured scheme and port"):
        _client(*entries).get(url)


def test_another_host_is_refused_by_name():
    with pytest.raises(FetchError, match="'evil.test': not a configured portal host"):
        _client("http://portal.test:80", "portal.test:*").get("http://evil.test/catalog")


def test_the_setting_accepts_every_form_and_names_a_bad_one():
    entries = "cdn.portal.test, files.portal.test:8443, any.portal.test:*, https://api.portal.test:443, [::1]:8080"
    assert len(Settings.from_env({"FEDCAT_ALLOWED_HOSTS": entries}).allowed_hosts) == 5
    with pytest.raises(SettingsError, match="FEDCAT_ALLOWED_HOSTS.*'portal.test:http'"):
        Settings.from_env({"FEDCAT_ALLOWED_HOSTS": "portal.test:http"})
