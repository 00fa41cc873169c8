"""The whole path of a requested harvest across real processes: the API records it, a real
``fedcat scheduler`` process picks it up and runs it, and the web side sees it done."""

from __future__ import annotations

import signal
import subprocess

from service.app import create_app
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.integration.ops_support import dcat_portal, fedcat_process, file_catalogue
from tests.polling import wait_until

TOKEN = "s3cret-admin-token-for-tests"



def test_a_real_scheduler_process_runs_what_the_admin_api_requested(tmp_path):
    database = tmp_path / "requests.db"
    with DcatPortalSimulator(generate("paris", 12), page_size=5) as simulator:
        portal = dcat_portal(simulator)
        catalogue = file_catalogue(database, [portal], admin_token=TOKEN)
        client = create_app(catalogue=catalogue).test_client()
        scheduler = fedcat_process(
            tmp_path, database, portal, "scheduler", stderr=subprocess.PIPE, request_poll_seconds="0.2", link_check_schedule="off"
        )
        try:
            response = client.post("/api/admin/portals/paris/harvest", headers={"Authorization": f"Bearer {TOKEN}"})
            assert response.status_code == 202, response.get_json()
            job_id = response.get_json()["job"]["job_id"]

            def finished() -> bool:
                jobs = client.get("/api/harvest/jobs?portal=paris").get_json()["results"]
                return any(j["job_id"] == job_id and j["status"] not in ("requested", "running") for j in jobs)

            wait_until(finished, timeout=120)
        finally:
            scheduler.send_signal(signal.SIGTERM)
            _, errors = scheduler.communicate(timeout=120)
        (job,) = client.get("/api/harvest/jobs?portal=paris").get_json()["results"]
        assert (job["job_id"], job["status"], job["stats"]["created"]) == (job_id, "done", 12), errors.decode()[-2000:]
        assert client.get("/api/datasets").get_json()["total"] == 12
        assert scheduler.returncode == 0, errors.decode()[-2000:]
        catalogue.close()
