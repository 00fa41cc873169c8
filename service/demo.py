"""``fedcat demo``: bundled sample portals served locally, harvested over real HTTP, then browsed.

Nothing leaves the machine: each sample portal is an in-process HTTP server on
127.0.0.1, and the harvest goes through the same harvesters, store and API as
production.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from mappings.jobs import HarvestJob
from mappings.portals import Portal
from service.catalogue import Catalogue
from service.config import Settings
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import PORTAL_PROFILES, generate
from simulators.server import PortalSimulator

__all__ = ["DEMO_PORTALS", "DemoRun", "start_demo_portals", "harvest_demo"]

#: (id, display name) of the bundled sample portals.
DEMO_PORTALS = (
    ("paris", "Paris Data (exemple)"),
    ("lyon", "DATA Grand Lyon (exemple)"),
    ("montpellier", "Montpellier Méditerranée Métropole (exemple)"),
    ("datagouv", "data.gouv.fr (exemple)"),
)


@dataclass
class DemoRun:
    """The sample portals, the catalogue they were harvested into, and the jobs."""

    catalogue: Catalogue
    simulators: list[PortalSimulator]
    jobs: list[HarvestJob]


def start_demo_portals(stack: ExitStack, *, size: int | None = None) -> list[tuple[Portal, PortalSimulator]]:
    """Start one sample portal per demo portal; they stop when ``stack`` closes."""
    started = []
    for portal_id, name in DEMO_PORTALS:
        public = f"https://{PORTAL_PROFILES[portal_id].domain}"
        simulator = stack.enter_context(
            DcatPortalSimulator(generate(portal_id, size), page_size=10, dataset_base=public)
        )
        portal = Portal(id=portal_id, name=name, kind="dcat", url=simulator.catalog_url("ttl"))
        started.append((portal, simulator))
    return started


def harvest_demo(stack: ExitStack, settings: Settings, *, size: int | None = None, echo=print) -> DemoRun:
    """Start the sample portals and harvest each of them into the settings' store."""
    pairs = start_demo_portals(stack, size=size)
    portals = [portal for portal, _ in pairs]
    catalogue = Catalogue(settings.with_changes(delete_grace_days=0), portals=portals)
    jobs = []
    for portal in portals:
        job = catalogue.harvest(portal)
        jobs.append(job)
        stats = job.stats
        echo(
            f"  {portal.id:<12} {job.status:<17} {stats.created + stats.updated + stats.unchanged:>5} records"
            f" ({stats.created} new, {stats.updated} updated, {stats.deleted} removed, {len(job.failed)} failed)"
        )
    return DemoRun(catalogue=catalogue, simulators=[s for _, s in pairs], jobs=jobs)
