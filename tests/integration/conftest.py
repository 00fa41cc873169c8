"""The real search engines, started once per test session (never mocked, never skipped)."""

from __future__ import annotations

import pytest

from tests.engine.genuine import start_genuine
from tests.engine.opensearch import start_compat_proxy, start_engine


@pytest.fixture(scope="session")
def search_engine_url(tmp_path_factory):
    """URL of a live engine speaking the Elasticsearch API; an engine that cannot start fails the tests."""
    engine = start_engine(tmp_path_factory.mktemp("engine"))
    proxy_url, stop_proxy = start_compat_proxy(engine.url)
    yield proxy_url
    stop_proxy()
    engine.stop()


@pytest.fixture(scope="session")
def genuine_engine_url(tmp_path_factory):
    """URL of a genuine Elasticsearch 8 (integ-test distribution, no proxy); one that cannot start fails the tests."""
    engine = start_genuine(tmp_path_factory.mktemp("genuine-es"))
    yield engine.url
    engine.stop()
