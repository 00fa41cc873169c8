"""The whole path of a requested harvest across real processes: the API records it, a real
``fedcat scheduler`` process picks it up and runs it, and the web side sees it done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from service.app import create_app
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.integration.ops_support import dcat_portal, file_catalogue, wait_until

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-admin-token-for-tests"


def start_scheduler(tmp_path: Path, database: Path, portal_url: str) -> subprocess.Popen:
    """``fedcat scheduler`` configured the way production is, with a portal that has no schedule of its own."""
    portals = tmp_path / "portals.toml"
    portals.write_text(f'[[portal]]\nid = "paris"\nname = "Paris"\nkind = "dcat"\nurl = "{portal_url}"\n', encoding="utf-8")
    env = {
        **os.environ,
        "FEDCAT_DATABASE": str(database),
        "FEDCAT_PORTALS_FILE": str(portals),
        "FEDCAT_ALLOWED_NETWORKS": "127.0.0.0/8",
        "FEDCAT_REQUEST_POLL_SECONDS": "0.2",
        "FEDCAT_LINK_CHECK_SCHEDULE": "off",
        "PYTHONPATH": str(ROOT),
    }
    code = "import sys; from service.cli import main; sys.exit(main(['scheduler']))"
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_real_scheduler_process_runs_what_the_admin_api_requested(tmp_path):
    database = tmp_path / "requests.db"
    with DcatPortalSimulator(generate("paris", 12), page_size=5) as simulator:
        portal = dcat_portal(simulator)
        catalogue = file_catalogue(database, [portal], admin_token=TOKEN)
        client = create_app(catalogue=catalogue).test_client()
        scheduler = start_scheduler(tmp_path, database, portal.url)
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
