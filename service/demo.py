"""``fedcat demo``: bundled sample portals served locally, harvested over real HTTP, then browsed.

Nothing leaves the machine: each sample portal is an in-process simulator of
the real portal's software on 127.0.0.1 (Opendatasoft for Paris, GeoNetwork
for Lyon, DKAN for Montpellier, udata for data.gouv.fr), and the harvest goes
through the same harvesters, store and API as production.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from harvesters.fetch.link_checker import LinkChecker
from mappings.links import record_urls

from mappings.jobs import HarvestJob
from mappings.portals import Portal, load_portals
from service.catalogue import Catalogue
from service.config import Settings, default_portals_file
from simulators.dkan import DkanSimulator
from simulators.file_host import FileHostSimulator, route_to
from simulators.geonetwork import GeonetworkSimulator
from simulators.opendatasoft import OpendatasoftSimulator
from simulators.sample_data import generate
from simulators.server import PortalSimulator
from simulators.udata import UdataSimulator

__all__ = ["DEMO_PORTALS", "DemoRun", "start_demo_portals", "harvest_demo"]

#: (id, display name, harvester kind) of the bundled sample portals.
DEMO_PORTALS = (
    ("paris", "Paris Data (exemple)", "opendatasoft"),
    ("lyon", "DATA Grand Lyon (exemple)", "geonetwork"),
    ("montpellier", "Montpellier Méditerranée Métropole (exemple)", "dkan"),
    ("datagouv", "data.gouv.fr (exemple)", "udata"),
)


@dataclass
class DemoRun:
    """The sample portals, the catalogue they were harvested into, and the jobs."""

    catalogue: Catalogue
    simulators: list[PortalSimulator]
    jobs: list[HarvestJob]


def start_demo_portals(stack: ExitStack, *, size: int | None = None) -> list[tuple[Portal, PortalSimulator]]:
    """Start one simulator per demo portal, each speaking its portal's software; they stop when ``stack`` closes."""
    started = []
    public = public_addresses()
    for portal_id, name, kind in DEMO_PORTALS:
        simulator, url, options = _simulator(kind, portal_id, size)
        stack.enter_context(simulator)
        portal = Portal(id=portal_id, name=name, kind=kind, url=url(simulator), public_url=public.get(portal_id), options=options)
        started.append((portal, simulator))
    return started


def public_addresses() -> dict[str, str]:
    """The real portals' addresses (bundled ``portals.toml``), which the demo's records carry.

    The simulators listen on a new local port at each run; records built from that
    address would point at a dead URL, change at every run and never match the
    copies other portals publish.
    """
    return {portal.id: portal.url for portal in load_portals(default_portals_file())}


def _simulator(kind: str, portal_id: str, size: int | None):
    """The simulator of a kind, how to reach it, and the portal options its harvest uses."""
    datasets = generate(portal_id, size)
    if kind == "opendatasoft":
        return OpendatasoftSimulator(datasets), lambda sim: sim.url, {}
    if kind == "geonetwork":
        return GeonetworkSimulator(datasets), lambda sim: sim.csw_url, {"page_size": 10}
    if kind == "dkan":
        return DkanSimulator(datasets), lambda sim: sim.url, {"page_size": 10}
    return UdataSimulator(datasets, page_size=10), lambda sim: sim.url, {"page_size": 10}


def harvest_demo(stack: ExitStack, settings: Settings, *, size: int | None = None, echo=print) -> DemoRun:
    """Start the sample portals and harvest each of them into the settings' store."""
    pairs = start_demo_portals(stack, size=size)
    portals = [portal for portal, _ in pairs]
    # the sample portals listen on 127.0.0.1, which harvests refuse unless allowed: allow it for them alone
    local = settings.with_changes(delete_grace_days=0, allowed_networks=(*settings.allowed_networks, "127.0.0.1/32"))
    catalogue = Catalogue(local, portals=portals)
    jobs = []
    for portal in portals:
        job = catalogue.harvest(portal)
        jobs.append(job)
        stats = job.stats
        echo(
            f"  {portal.id:<12} {portal.kind:<13} {job.status:<17} {stats.created + stats.updated + stats.unchanged:>5} records"
            f" ({stats.created} new, {stats.updated} updated, {stats.deleted} removed, {len(job.failed)} failed)"
        )
    check_demo_links(stack, catalogue, echo=echo)
    return DemoRun(catalogue=catalogue, simulators=[s for _, s in pairs], jobs=jobs)


def check_demo_links(stack: ExitStack, catalogue: Catalogue, *, echo=print) -> None:
    """Check every distribution URL of the demo offline: their invented hosts are routed to a local file host."""
    files = stack.enter_context(FileHostSimulator(demo=True))
    hosts = sorted({urlsplit(url).hostname for r in catalogue.backend.iter_records() for url, _ in record_urls(r)} - {None})
    settings = replace(catalogue.link_check_settings(), host_rate=500.0, read_timeout=10.0)
    checker = LinkChecker(settings)
    route_to(checker.session, hosts, files.url)
    run = catalogue.check_links(checker=checker, limit=1_000_000)
    v = run.verdicts
    echo(f"  links        {run.checked} URLs checked: {v['ok']} ok, {v['broken']} broken, {v['wrong_type']} of the wrong type")
