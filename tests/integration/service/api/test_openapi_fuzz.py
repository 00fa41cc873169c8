"""schemathesis over every documented route: no 5xx, every response conforms to its schema.

Twice: over a store of factory records, and over the store a real harvest of
the demo's sample portals (one simulator per portal software) leaves, with
its odd values, clusters, themes and licences. Rate limiting is off in both
apps: the fuzzer is one client sending thousands of requests, and a 429
(documented, so conforming) would only hide the routes' own answers.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings
from service.demo import start_demo_portals
from service.search.tantivy_ import TantivyBackend
from tests.conftest import NOW, TEST_PORTALS
from tests.factories import RecordFactory


def _app():
    backend = TantivyBackend(":memory:")
    records = [RecordFactory(guid=f"https://opendata.paris.fr/explore/dataset/d{n}/", title=f"Vélos {n}") for n in range(30)]
    backend.replace_portal("paris", records, now=NOW)
    settings = Settings(database=":memory:", base_url="http://fedcat.test", rate_limit="off")
    catalogue = Catalogue(settings, backend=backend, portals=list(TEST_PORTALS))
    return create_app(catalogue=catalogue)


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_conforming_responses(case):
    # Some valid-looking requests are rightly refused with a 400 the schema cannot express
    # (page x page_size over the result window, since after until): every other check runs.
    # The WSGI transport does not inflate gzip bodies, so ask for identity (gzip has its own test).
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=[positive_data_acceptance])


#: the app of the second run: its store is filled by the ``demo_harvest`` fixture before the run
_HARVESTED = Catalogue(
    Settings(database=":memory:", rate_limit="off", allowed_networks=("127.0.0.1/32",), delete_grace_days=0), portals=[]
)
harvested = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app(catalogue=_HARVESTED))


@pytest.fixture(scope="module")
def demo_harvest():
    """Harvest the demo's sample portals (real HTTP, every harvester kind) into the second app's store."""
    with ExitStack() as stack:
        pairs = start_demo_portals(stack)
        _HARVESTED.portals[:] = [portal for portal, _ in pairs]
        jobs = [_HARVESTED.harvest(portal) for portal, _ in pairs]
    assert all(job.status == "done" for job in jobs), [(job.portal_id, job.error) for job in jobs]
    assert _HARVESTED.backend.count() > 0


@harvested.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_after_a_real_harvest_no_server_errors_and_conforming_responses(case, demo_harvest):
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=[positive_data_acceptance])
