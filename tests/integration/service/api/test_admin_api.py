"""The admin API: bearer token, requested harvests under the portal's lock (run by the scheduler
process, never by the web worker that answered), requested, running and past jobs."""

from __future__ import annotations

import logging
import threading

import pytest

from service.app import create_app
from service.harvesting.locking import lock_name
from service.harvesting.requests import pending_requests, run_request
from tests.integration.ops_support import GATE_TIMEOUT, GatedPortal, dcat_portal, file_catalogue

TOKEN = "s3cret-admin-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TRIGGER = "/api/admin/portals/paris/harvest"


@pytest.fixture
def site():
    with GatedPortal() as simulator:
        yield simulator


@pytest.fixture
def admin(tmp_path, site):
    """An app with the admin API on, over an SQLite file, and its background harvests."""
    catalogue = file_catalogue(tmp_path / "a.db", [dcat_portal(site)], admin_token=TOKEN)
    app = create_app(catalogue=catalogue)
    yield app
    site.open()  # never leave a harvest thread waiting at the gate
    catalogue.close()


def run_pending_as_the_scheduler_would(app) -> threading.Thread:
    """The scheduler's part, in a thread of the test: run the one requested job."""
    catalogue = app.extensions["fedcat"]
    (job,) = pending_requests(catalogue)
    thread = threading.Thread(target=run_request, args=(catalogue, job), daemon=True)
    thread.start()
    return thread


def assert_error(response, status: int, code: str) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"ok", "status", "code", "error", "errors"}
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    return body


@pytest.mark.parametrize("route,method", [(TRIGGER, "post"), ("/api/admin/jobs", "get")])
@pytest.mark.parametrize(
    "headers,code",
    [
        ({}, "missing_token"),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, "missing_token"),
        ({"Authorization": "Bearer "}, "missing_token"),
        ({"Authorization": "Bearer wrong-token-of-some-length"}, "invalid_token"),
        ({"Authorization": f"Bearer {TOKEN}x"}, "invalid_token"),
    ],
)
def test_missing_or_wrong_tokens_are_rejected(admin, site, route, method, headers, code):
    response = getattr(admin.test_client(), method)(route, headers=headers)
    assert_error(response, 401, code)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not site.entered.is_set(), "nothing was started"


def test_without_a_token_configured_the_admin_routes_do_not_exist(client):
    assert_error(client.post(TRIGGER, headers=AUTH), 404, "not_found")
    assert_error(client.get("/api/admin/jobs", headers=AUTH), 404, "not_found")
    assert all(not path.startswith("/api/admin") for path in client.get("/api/openapi.json").get_json()["paths"])


def test_read_routes_stay_public(admin):
    client = admin.test_client()
    for route in ("/api/datasets", "/api/portals", "/api/harvest/jobs", "/healthz", "/metrics"):
        assert client.get(route).status_code == 200, route


def test_a_triggered_harvest_is_requested_then_run_by_the_scheduler_not_the_web_worker(admin, site):
    client = admin.test_client()
    threads_before = set(threading.enumerate())
    response = client.post(TRIGGER, headers=AUTH)
    assert response.status_code == 202
    job = response.get_json()["job"]
    assert job["status"] == "requested" and job["portal_id"] == "paris"
    assert response.headers["Location"] == "/api/admin/jobs?portal=paris"
    assert set(threading.enumerate()) == threads_before, "the web worker started no harvest thread"
    waiting = client.get("/api/admin/jobs", headers=AUTH).get_json()
    assert [j["job_id"] for j in waiting["requested"]] == [job["job_id"]] and waiting["running"] == []
    assert not site.entered.is_set(), "nothing read the portal yet"

    scheduler = run_pending_as_the_scheduler_would(admin)
    assert site.entered.wait(GATE_TIMEOUT)
    listed = client.get("/api/harvest/jobs?portal=paris").get_json()["results"]
    assert [(j["job_id"], j["status"]) for j in listed] == [(job["job_id"], "running")], "the same job, now running"
    site.open()
    scheduler.join(GATE_TIMEOUT)
    (finished,) = client.get("/api/harvest/jobs?portal=paris").get_json()["results"]
    assert (finished["job_id"], finished["status"], finished["stats"]["created"]) == (job["job_id"], "done", 12)
    after = client.get("/api/admin/jobs", headers=AUTH).get_json()
    assert after["requested"] == after["running"] == [] and [j["job_id"] for j in after["recent"]] == [job["job_id"]]


def test_a_second_trigger_is_refused_while_the_first_waits_or_runs(admin, site):
    client = admin.test_client()
    first = client.post(TRIGGER, headers=AUTH).get_json()["job"]
    body = assert_error(client.post(TRIGGER, headers=AUTH), 409, "harvest_running")
    assert f"portal paris is already being harvested by job {first['job_id']}" in body["error"]
    scheduler = run_pending_as_the_scheduler_would(admin)
    assert site.entered.wait(GATE_TIMEOUT)
    assert_error(client.post(TRIGGER, headers=AUTH), 409, "harvest_running")
    site.open()
    scheduler.join(GATE_TIMEOUT)
    assert client.post(TRIGGER, headers=AUTH).status_code == 202, "free again once the first has finished"


def test_a_request_no_scheduler_picked_up_is_failed_by_the_next_run(admin, site):
    catalogue = admin.extensions["fedcat"]
    job = admin.test_client().post(TRIGGER, headers=AUTH).get_json()["job"]
    catalogue.backend.acquire_lock(lock_name("paris"), f"request:{job['job_id']}", 0)  # its lock expired
    site.open()
    assert catalogue.harvest(catalogue.portal("paris")).status == "done"
    stale = next(j for j in catalogue.backend.jobs(portal_id="paris") if j.job_id == job["job_id"])
    assert stale.status == "failed" and "no scheduler picked up" in stale.error


def test_a_trigger_is_refused_while_another_process_harvests(admin):
    catalogue = admin.extensions["fedcat"]
    catalogue.backend.acquire_lock(lock_name("paris"), "scheduler-host:42:abcd", 60)
    assert_error(admin.test_client().post(TRIGGER, headers=AUTH), 409, "harvest_running")
    assert catalogue.backend.jobs() == [], "a refused trigger records no job"


def test_unknown_portal_and_bad_parameters(admin):
    client = admin.test_client()
    assert_error(client.post("/api/admin/portals/nowhere/harvest", headers=AUTH), 404, "not_found")
    assert_error(client.get("/api/admin/jobs?portal=nowhere", headers=AUTH), 400, "invalid_query")
    assert_error(client.get("/api/admin/jobs?limit=0", headers=AUTH), 400, "invalid_query")


def test_the_harvest_log_lines_carry_the_triggering_request_id(admin, site, caplog):
    caplog.set_level(logging.INFO)
    client = admin.test_client()
    site.open()
    response = client.post(TRIGGER, headers={**AUTH, "X-Request-ID": "ops-trigger-1"})
    assert response.headers["X-Request-ID"] == "ops-trigger-1"
    run_pending_as_the_scheduler_would(admin).join(GATE_TIMEOUT)
    lines = [r for r in caplog.records if r.name == "service.harvesting.requests"]
    assert [r.getMessage().split(" (job")[0] for r in lines] == ["requested harvest of paris starting", "requested harvest of paris: done"]
    assert {r.request_id for r in lines} == {"ops-trigger-1"}


def test_the_admin_jobs_route_is_documented_when_on(admin):
    paths = admin.test_client().get("/api/openapi.json").get_json()["paths"]
    assert "/api/admin/jobs" in paths and "401" in paths["/api/admin/jobs"]["get"]["responses"]
