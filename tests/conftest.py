"""Shared fixtures: an in-memory store, an app over it, and a client (the Flask tutorial's trio)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from harvesters.fetch.http import HttpSettings
from harvesters.fetch.network_guard import LOOPBACK_NETWORKS, trusted_networks
from mappings.jobs import HarvestJob
from mappings.portals import Portal
from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings
from service.harvesting.runner import HarvestHooks, HarvestOptions, harvest_portal
from service.search.tantivy_ import TantivyBackend

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
#: HTTP settings for harvests of the local simulators: one quick retry, and a read timeout so long
#: that only a server stalling on purpose reaches it, never a slow answer on a loaded machine.
FAST_HTTP = HttpSettings(retries=1, backoff=0.01, read_timeout=30)
#: The same without the retry, for tests that count requests or expect the first failure to stand.
NO_RETRY_HTTP = HttpSettings(retries=0, backoff=0.01, read_timeout=30)
#: For tests whose server stalls on purpose (it never answers, so any timeout is reached): 3 s is
#: still about a hundred times what a local answer takes on a loaded 2-core machine.
STALLING_HTTP = HttpSettings(retries=1, backoff=0.01, read_timeout=3)
_OPTION_NAMES = {f.name for f in fields(HarvestOptions)}
_HOOK_NAMES = {f.name for f in fields(HarvestHooks)}


def run_harvest(portal: Portal, backend: Any, *, job_id: str | None = None, lock_owner: str | None = None, **given: Any) -> HarvestJob:
    """:func:`harvest_portal` with each keyword sorted into :class:`HarvestOptions` or :class:`HarvestHooks`.

    Tests name only what they change (``http=FAST_HTTP, now=lambda: NOW, workers=2``); an unknown name fails.
    """
    unknown = set(given) - _OPTION_NAMES - _HOOK_NAMES
    assert not unknown, f"neither a HarvestOptions nor a HarvestHooks field: {sorted(unknown)}"
    options = HarvestOptions(**{k: v for k, v in given.items() if k in _OPTION_NAMES})
    hooks = HarvestHooks(**{k: v for k, v in given.items() if k in _HOOK_NAMES})
    return harvest_portal(portal, backend, options, hooks, job_id=job_id, lock_owner=lock_owner)


def quick_harvest(portal: Portal, backend: Any, **given: Any) -> HarvestJob:
    """A test harvest: :data:`FAST_HTTP`, retries without waiting, the fixed clock :data:`NOW`, no grace."""
    defaults = {"http": FAST_HTTP, "grace": timedelta(0), "now": lambda: NOW, "sleep": lambda seconds: None}
    return run_harvest(portal, backend, **{**defaults, **given})


TEST_PORTALS = [
    Portal(id="paris", name="Paris", kind="dcat", url="http://127.0.0.1:9/catalog.ttl"),
    Portal(id="lyon", name="Lyon", kind="dcat", url="http://127.0.0.1:9/lyon.ttl"),
]


@pytest.fixture(autouse=True, scope="session")
def harvest_loopback_simulators():
    """The portal simulators listen on 127.0.0.1, which harvests refuse by default: allow loopback in tests."""
    with trusted_networks(LOOPBACK_NETWORKS):
        yield


@pytest.fixture(autouse=True, scope="session")
def harvests_keep_the_tests_priority():
    """``fedcat harvest`` run in the test process would lower the whole run's CPU priority for good (and a
    harvest process's, on a loaded machine, only makes it slower): tests/…/test_harvest_priority.py sets it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEDCAT_HARVEST_NICE", "0")
        yield


@pytest.fixture
def fast_http() -> HttpSettings:
    """HTTP settings for harvesting a local simulator (see :data:`FAST_HTTP`)."""
    return FAST_HTTP


@pytest.fixture
def settings() -> Settings:
    return Settings(database=":memory:", base_url="http://fedcat.test", delete_grace_days=0)


@pytest.fixture
def backend():
    store = TantivyBackend(":memory:")
    yield store
    store.close()


@pytest.fixture
def catalogue(settings, backend) -> Catalogue:
    return Catalogue(settings, backend=backend, portals=list(TEST_PORTALS))


@pytest.fixture
def app(catalogue):
    app = create_app(catalogue=catalogue)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()
