"""Shared fixtures: an in-memory store, an app over it, and a client (the Flask tutorial's trio)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from harvesters.network_guard import LOOPBACK_NETWORKS, trusted_networks
from mappings.portals import Portal
from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings
from service.search.tantivy_ import TantivyBackend

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
TEST_PORTALS = [
    Portal(id="paris", name="Paris", kind="dcat", url="http://127.0.0.1:9/catalog.ttl"),
    Portal(id="lyon", name="Lyon", kind="dcat", url="http://127.0.0.1:9/lyon.ttl"),
]


@pytest.fixture(autouse=True, scope="session")
def harvest_loopback_simulators():
    """The portal simulators listen on 127.0.0.1, which harvests refuse by default: allow loopback in tests."""
    with trusted_networks(LOOPBACK_NETWORKS):
        yield


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
