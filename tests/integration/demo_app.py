"""The bundled sample portals harvested through the real harvesters, and a test client over the result."""

from __future__ import annotations

from contextlib import ExitStack

from service.app import create_app
from service.config import Settings
from service.demo import harvest_demo


def harvested_demo(stack: ExitStack, base_url: str):
    """``(run, client)``: the demo's four simulators harvested into memory, every job done, and a Flask test client."""
    run = harvest_demo(stack, Settings(database=":memory:", base_url=base_url), echo=lambda *args: None)
    assert all(job.status == "done" for job in run.jobs), [job.error for job in run.jobs]
    return run, create_app(catalogue=run.catalogue).test_client()
