"""SSRF: harvests reach the configured portals' hosts only, and public addresses unless a network is allowed.

The test suite allows loopback for the whole process (tests/conftest.py), because
the simulators listen on 127.0.0.1; these tests take that allowance away where
they check the production default.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from harvesters.fetch import network_guard
from harvesters.errors import FetchError
from harvesters.fetch.http import HttpClient, HttpSettings
from harvesters.fetch.network_guard import AddressRefused, NetworkPolicy, is_public, trusted_networks
from mappings.portals import Portal
from service.catalogue import Catalogue
from service.config import Settings, SettingsError
from simulators.server import PortalSimulator, SimRequest, SimResponse
from tests.conftest import NOW, NO_RETRY_HTTP, run_harvest
from tests.reliability.hostile_cases import GOOD_TTL, CatalogPortal



class RedirectingPortal(PortalSimulator):
    """Redirects every request to ``target``."""

    target = ""

    def handle(self, request: SimRequest) -> SimResponse:
        """A 302 to the target."""
        return SimResponse(302, b"", "text/plain", {"Location": self.target}, conditional=False)


@pytest.fixture
def production_default():
    """No process-wide allowance: only what a policy itself allows."""
    with trusted_networks((), replace=True):
        yield


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
     "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::1", "64:ff9b::7f00:1"],
)
def test_special_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "193.51.24.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are(address):
    assert is_public(ipaddress.ip_address(address))


def test_a_policy_allows_only_its_networks(production_default):
    policy = NetworkPolicy.from_texts(["10.0.0.0/8"])
    assert policy.permits(ipaddress.ip_address("10.9.9.9"))
    assert not policy.permits(ipaddress.ip_address("192.168.1.1"))
    assert not NetworkPolicy().permits(ipaddress.ip_address("127.0.0.1"))


def test_loopback_portal_is_refused_by_default(production_default, backend):
    with CatalogPortal() as simulator:
        portal = Portal(id="p", name="p", kind="dcat", url=simulator.url + "/catalog")
        job = run_harvest(portal, backend, http=NO_RETRY_HTTP, now=lambda: NOW)
        requests_seen = len(simulator.requests)
    assert job.status == "failed"
    assert "refused to connect to 127.0.0.1" in job.error and "FEDCAT_ALLOWED_NETWORKS" in job.error
    assert requests_seen == 0, "no connection was made"


def test_loopback_portal_is_harvested_when_its_network_is_allowed(production_default, backend):
    with CatalogPortal() as simulator:
        portal = Portal(id="p", name="p", kind="dcat", url=simulator.url + "/catalog")
        settings = HttpSettings(retries=0, allowed_networks=("127.0.0.0/8",))
        job = run_harvest(portal, backend, http=settings, now=lambda: NOW)
    assert job.status == "done" and job.stats.created == 3


def test_the_setting_reaches_the_harvest(production_default, tmp_path):
    with CatalogPortal() as simulator:
        portal = Portal(id="p", name="p", kind="dcat", url=simulator.url + "/catalog")
        refused = Catalogue(Settings(database=":memory:"), portals=[portal]).harvest(portal)
        allowed = Catalogue(Settings(database=":memory:", allowed_networks=("127.0.0.1/32",)), portals=[portal]).harvest(portal)
    assert refused.status == "failed" and "refused to connect" in refused.error
    assert allowed.status == "done"


def test_a_bad_network_setting_is_named():
    with pytest.raises(SettingsError, match="FEDCAT_ALLOWED_NETWORKS"):
        Settings.from_env({"FEDCAT_ALLOWED_NETWORKS": "intranet"})


def test_a_redirect_to_a_private_address_of_an_allowed_host_is_refused(production_default, monkeypatch):
    """The portal's own host name, re-pointed at a private address: the check runs on every hop's connection."""
    with RedirectingPortal() as simulator:
        port = int(simulator.url.rsplit(":", 1)[1])
        simulator.target = f"http://intranet.portal.test:{port}/catalog"
        _fake_dns(monkeypatch, {"portal.test": "127.0.0.1", "intranet.portal.test": "10.20.30.40"})
        client = HttpClient(
            allowed_hosts=frozenset({f"portal.test:{port}", f"intranet.portal.test:{port}"}),
            settings=HttpSettings(retries=0, connect_timeout=1, allowed_networks=("127.0.0.0/8",)),
        )
        with pytest.raises(AddressRefused, match="10.20.30.40"):
            client.get(f"http://portal.test:{port}/catalog")
        assert len(simulator.requests) == 1, "the first hop was served, the second never connected"


def test_the_checked_address_is_the_one_connected_to(production_default, monkeypatch):
    """DNS rebinding: one resolution per connection, and the socket goes to the address that was checked."""
    with CatalogPortal() as simulator:
        port = int(simulator.url.rsplit(":", 1)[1])
        answers = iter(["127.0.0.1", "169.254.169.254", "169.254.169.254"])
        calls = _fake_dns(monkeypatch, lambda host: next(answers))
        connected = _record_connections(monkeypatch)
        client = HttpClient(allowed_hosts=frozenset({f"rebind.test:{port}"}), settings=HttpSettings(retries=0, allowed_networks=("127.0.0.0/8",)))
        response = client.get(f"http://rebind.test:{port}/catalog")
        host_header = simulator.requests[-1].headers.get("Host")
    assert response.status == 200 and response.content == GOOD_TTL.encode()
    assert calls == ["rebind.test"], "resolved once, for the one connection"
    assert connected == [("127.0.0.1", port)]
    assert host_header == f"rebind.test:{port}", "the Host header keeps the name"


def test_a_name_resolving_to_cloud_metadata_is_never_connected(production_default, monkeypatch):
    _fake_dns(monkeypatch, {"metadata.test": "169.254.169.254"})
    connected = _record_connections(monkeypatch)
    client = HttpClient(allowed_hosts=frozenset({"metadata.test"}), settings=HttpSettings(retries=0))
    with pytest.raises(AddressRefused, match="169.254.169.254"):
        client.get("http://metadata.test/latest/meta-data/")
    assert connected == []


def test_every_resolved_address_is_checked(production_default, monkeypatch):
    """A name with a public and a private address: only the public one may be connected to."""
    _fake_dns(monkeypatch, {"mixed.test": ["10.0.0.5", "93.184.216.34"]})
    connected = _record_connections(monkeypatch, fail=True)
    client = HttpClient(allowed_hosts=frozenset({"mixed.test"}), settings=HttpSettings(retries=0, connect_timeout=0.5))
    with pytest.raises(FetchError):
        client.get("http://mixed.test/catalog")
    assert [address for address, _ in connected] == ["93.184.216.34"]


def test_environment_proxies_are_ignored(production_default, monkeypatch):
    """HTTP_PROXY would resolve and connect out of reach of the check: harvests never use it."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setenv("http_proxy", "http://10.0.0.1:3128")
    with CatalogPortal() as simulator:
        client = HttpClient(allowed_hosts=frozenset({simulator.url}), settings=HttpSettings(retries=0, allowed_networks=("127.0.0.1/32",)))
        assert client.get(simulator.url + "/catalog").status == 200


def test_the_demo_allows_loopback_for_its_own_simulators_only(production_default, tmp_path):
    from contextlib import ExitStack

    from service.demo import harvest_demo

    with ExitStack() as stack:
        run = harvest_demo(stack, Settings(database=str(tmp_path / "demo.db")), size=3, echo=lambda line: None)
        statuses = [job.status for job in run.jobs]
        allowed = run.catalogue.settings.allowed_networks
        run.catalogue.close()
    assert statuses == ["done"] * 4
    assert allowed == ("127.0.0.1/32",)
    assert Settings().allowed_networks == (), "the production default allows nothing private"


# -- helpers -----------------------------------------------------------------------------


def _fake_dns(monkeypatch, table) -> list[str]:
    """Make the guard's resolver answer from ``table`` (a dict, or a function of the host); returns the hosts asked."""
    calls: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if _is_address(host):  # connecting to a checked address resolves nothing
            return real(host, port, family, type, proto, flags)
        answer = table(host) if callable(table) else table.get(host)
        if answer is None:
            return real(host, port, family, type, proto, flags)
        calls.append(host)
        addresses = [answer] if isinstance(answer, str) else answer
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(network_guard.socket, "getaddrinfo", getaddrinfo)
    return calls


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _record_connections(monkeypatch, *, fail: bool = False) -> list[tuple[str, int]]:
    """Record each address the guard connects to (refusing them all when ``fail``)."""
    seen: list[tuple[str, int]] = []
    real = network_guard.urllib3_connection.create_connection

    def create_connection(address, *args, **kwargs):
        seen.append(address)
        if fail:
            raise OSError("no route (test)")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(network_guard.urllib3_connection, "create_connection", create_connection)
    return seen
