"""The service's core, independent of Flask: settings, store, portals and profiles together.

The web layer and the CLI both drive this object (pygeoapi keeps its logic out
of ``flask_app.py`` the same way).
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Callable

from harvesters import get_harvester
from harvesters.base import HarvestReport
from harvesters.errors import UnknownHarvester
from harvesters.fetch.link_checker import LinkChecker, LinkCheckSettings
from service.harvesting.options import HarvestHooks, HarvestOptions
from service.harvesting.runner import PortalBusy, harvest_portal
from mappings.freshness import freshness
from mappings.jobs import HarvestJob
from mappings.links import record_urls
from mappings.portals import Portal, load_portals
from mappings.profiles.base import CatalogInfo, CatalogPage, Profile, get_profiles
from mappings.quality import assess
from mappings.record import Record
from service import metrics
from service.config import Settings
from service.insights import insights_body
from service.link_health import LinkRun, Stamper, check_links, forget_orphans
from service.search import get_backend
from service.errors import InvalidQuery, RecordNotFound
from service.export_pages import ExportPages
from service.results import QualityView, cluster_json, hit_json, page_json, quality_json
from service.search.base import Hit, SearchBackend, SearchPage, SearchQuery, Suggestion
from service.search.facets import FacetResolver, UnknownFacetValue
from service.store.link_checks import LinkCheckStore, SqliteLinkCheckStore

__all__ = ["Catalogue", "UnknownPortal"]


class UnknownPortal(LookupError):
    """No configured portal has that id."""


class Catalogue:
    """Everything a running fedcat needs, built once from :class:`Settings`."""

    def __init__(
        self,
        settings: Settings,
        *,
        backend: SearchBackend | None = None,
        portals: list[Portal] | None = None,
        link_checks: LinkCheckStore | None = None,
    ) -> None:
        self.settings = settings
        self.harvest_options = HarvestOptions.from_settings(settings)
        self.portals = portals if portals is not None else load_portals(settings.portals_path)
        self.profiles: list[Profile] = get_profiles(settings.export_profiles)
        self.backend = backend or _make_backend(settings)
        self.link_checks = link_checks or SqliteLinkCheckStore(_link_checks_path(settings))
        self.stamper = Stamper(self.link_checks, margin=settings.freshness_margin)
        self._insights: tuple[str | None, dict] = (None, {})
        self.facets = FacetResolver(self.backend)
        self.export_pages = ExportPages(self)

    def search(self, query: SearchQuery) -> SearchPage:
        """Run a search, its filter values read as codes or labels in any case.

        :raises InvalidQuery: when a filter value names nothing in the catalogue (the message lists valid ones).
        """
        try:
            resolved = self.facets.resolve(query)
        except UnknownFacetValue as exc:
            raise InvalidQuery(str(exc), errors={exc.facet: [str(exc)]}) from exc
        return self.backend.search(resolved)

    def search_page(self, query: SearchQuery, *, root: str) -> dict:
        """A search's complete results page (:func:`service.results.page_json`): highlights, labelled
        facets, and each result's copies on other portals; links under ``root``."""
        page = self.search(query)
        clusters = self.backend.cluster_members(h.cluster_id for h in page.hits if h.cluster_id)
        return page_json(page, clusters, self.facets, root)

    def suggest(self, prefix: str, *, limit: int = 8) -> list[Suggestion]:
        """Completions of what a user is typing (titles, keywords, publishers)."""
        return self.backend.suggest(prefix, limit=limit)

    def dataset_hit(self, record_id: str) -> Hit:
        """The stored record with that id.

        :raises RecordNotFound: when no portal has it.
        """
        hit = self.backend.get(record_id)
        if hit is None:
            raise RecordNotFound(f"No dataset with id {record_id!r}.")
        return hit

    def dataset(self, record_id: str, *, root: str) -> dict:
        """One dataset as the API shows it, with its merged cluster and its quality report.

        :raises RecordNotFound: when no portal has it.
        """
        hit = self.dataset_hit(record_id)
        members = self.backend.cluster_members([hit.cluster_id]).get(hit.cluster_id, []) if hit.cluster_id else []
        body = hit_json(hit, members, root)
        body["cluster"] = cluster_json(hit, members, root)
        body["quality_report"] = quality_json(hit.record, self.quality(hit.record))
        return body

    def quality(self, record: Record) -> QualityView:
        """A record's quality report, the checks of its links and its freshness today."""
        checks = self.link_checks.get_many(url for url, _ in record_urls(record))
        today = datetime.now(timezone.utc).date()
        return QualityView(assess(record, checks), checks, freshness(record, today, margin=self.settings.freshness_margin))

    def portal(self, portal_id: str) -> Portal:
        """The configured portal with that id."""
        for portal in self.portals:
            if portal.id == portal_id:
                return portal
        known = ", ".join(p.id for p in self.portals)
        raise UnknownPortal(f"no portal {portal_id!r}; configured portals: {known}")

    def harvestable(self, portal: Portal) -> bool:
        """True when a harvester is registered for the portal's kind."""
        try:
            get_harvester(portal.kind)
        except UnknownHarvester:
            return False
        return True

    def harvest(
        self,
        portal: Portal,
        *,
        on_progress: Callable[[HarvestReport], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        job_id: str | None = None,
        lock_owner: str | None = None,
    ) -> HarvestJob:
        """Harvest one portal into the store with the configured options, under its lock, counted in the metrics.

        :param should_stop: asked for every record read; True stops the run before anything is written.
        :param job_id: the id of the job (the admin API announces it before the run starts).
        :param lock_owner: who holds the lock (a caller that took it already passes its own name).
        :raises PortalBusy: when another run is harvesting the portal (nothing was changed).
        """
        hooks = HarvestHooks(
            on_progress=on_progress,
            should_stop=should_stop,
            on_error=lambda exc: metrics.harvest_error(portal.id, exc),
            transform=self.stamper,
        )
        started = time.perf_counter()
        try:
            job = harvest_portal(portal, self.backend, self.harvest_options, hooks, job_id=job_id, lock_owner=lock_owner)
        except PortalBusy:
            metrics.harvest_refused(portal.id)
            raise
        metrics.harvest_finished(job, time.perf_counter() - started)
        return job

    def check_links(
        self,
        portal_ids: list[str] | None = None,
        *,
        on_progress: Callable[[LinkRun, int], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        checker: LinkChecker | None = None,
        limit: int | None = None,
    ) -> LinkRun:
        """Check the oldest-checked distribution URLs of the portals (all by default) with the configured limits.

        :param checker: one built from :meth:`link_check_settings` (the demo routes its invented hosts).
        :raises UnknownPortal: for an id no portal has.
        """
        ids = [self.portal(pid).id for pid in portal_ids] if portal_ids else [p.id for p in self.portals]
        run = check_links(
            self.backend,
            self.link_checks,
            ids,
            settings=self.link_check_settings(),
            limit=limit or self.settings.link_check_limit,
            stamper=self.stamper,
            on_progress=on_progress,
            should_stop=should_stop,
            checker=checker,
        )
        if not portal_ids:  # a run over every portal knows every URL still linked
            run.forgotten = forget_orphans(self.backend, self.link_checks)
        return run

    def insights(self) -> dict:
        """The catalogue insights (:mod:`service.insights`), computed once per state of the data and day.

        The answer is kept in this process and in the link check store, so that every process
        (gunicorn workers, the scheduler that refreshes it after each run) shares one computation.
        The state of the data is the backend's ``data_version`` when it has one, the latest harvest
        job (records change only through harvests) and the link checks' version.
        """
        today = datetime.now(timezone.utc).date()
        # a harvest that failed writes a job (the trend) but no record: the latest job is part of the version
        latest_job = max((j.finished_at or j.started_at for j in self.backend.last_jobs().values()), default="")
        version = ":".join(
            str(part)
            for part in (self.backend.data_version(), self.link_checks.version(), latest_job, today, self.settings.freshness_margin)
        )
        if self._insights[0] == version:
            return self._insights[1]
        saved = self.link_checks.load_snapshot("insights", version)
        if saved is not None:
            self._insights = (version, json.loads(saved))
            return self._insights[1]
        portals = [(p.id, p.name, p.kind) for p in self.portals]
        body = insights_body(self.backend, self.link_checks, portals, margin=self.settings.freshness_margin, today=today)
        self.link_checks.save_snapshot("insights", version, json.dumps(body, ensure_ascii=False))
        self._insights = (version, body)
        return body

    def link_check_settings(self) -> LinkCheckSettings:
        """The politeness and time limits of link checks, from the settings."""
        s = self.settings
        return LinkCheckSettings(
            per_host=s.link_check_per_host,
            host_rate=s.link_check_host_rate,
            workers=s.link_check_workers,
            connect_timeout=min(10.0, s.link_check_timeout),
            read_timeout=s.link_check_timeout,
            allowed_networks=s.allowed_networks,
        )

    def portal_summaries(self) -> list[dict]:
        """Each portal with its kind, URL, record count and last harvest."""
        counts = self.backend.counts_by_portal()
        quality = self.backend.quality_by_portal()
        last_jobs = self.backend.last_jobs()
        return [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "url": p.url,
                "schedule": p.schedule,
                "harvestable": self.harvestable(p),
                "records": counts.get(p.id, 0),
                "quality": quality.get(p.id),
                "last_harvest": last_jobs[p.id].to_dict() if p.id in last_jobs else None,
            }
            for p in self.portals
        ]

    def catalog_page(self, *, base_url: str, page: int, page_size: int, page_url: Callable[[int], str]) -> CatalogPage:
        """One page of the exported catalogue, records in a stable order."""
        total = self.backend.count()
        records = list(self.backend.iter_records(offset=(page - 1) * page_size, limit=page_size))
        modified = self.last_modified()
        return CatalogPage(
            info=CatalogInfo(base_url=base_url),
            records=records,
            total=total,
            page=page,
            page_size=page_size,
            page_url=page_url,
            modified=modified,
        )

    def last_modified(self) -> str | None:
        """When the catalogue last changed: the end of the latest harvest that did not fail.

        The same on every page of the export, since a harvester merges the pages
        into one catalogue, and DCAT-AP allows it one ``dct:modified``.
        """
        jobs = self.backend.last_jobs().values()
        return max((job.finished_at for job in jobs if job.finished_at and job.status != "failed"), default=None)

    def close(self) -> None:
        """Release the stores."""
        self.backend.close()
        self.link_checks.close()


def _link_checks_path(settings: Settings) -> str:
    """The link check file: its own setting, else the embedded backend's SQLite file, else (Elasticsearch) fedcat-links.db."""
    if settings.link_checks_database:
        return settings.link_checks_database
    return "fedcat-links.db" if settings.search_backend == "elasticsearch" else settings.database


def _make_backend(settings: Settings) -> SearchBackend:
    backend_class = get_backend(settings.search_backend)
    return backend_class.from_settings(settings)
