"""The service's core, independent of Flask: settings, store, portals and profiles together.

The web layer and the CLI both drive this object (pygeoapi keeps its logic out
of ``flask_app.py`` the same way).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Callable

from harvesters import get_harvester
from harvesters.base import HarvestReport
from harvesters.errors import UnknownHarvester
from harvesters.http import HttpSettings
from harvesters.limits import HarvestLimits, RecordLimits
from service.harvesting.runner import PortalBusy, harvest_portal
from mappings.jobs import HarvestJob
from mappings.portals import Portal, load_portals
from mappings.profiles.base import CatalogInfo, CatalogPage, Profile, get_profiles
from service import metrics
from service.config import Settings
from service.search import get_backend
from service.errors import InvalidQuery
from service.search.base import SearchBackend, SearchPage, SearchQuery
from service.search.facets import FacetResolver, UnknownFacetValue

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
    ) -> None:
        self.settings = settings
        self.portals = portals if portals is not None else load_portals(settings.portals_path)
        self.profiles: list[Profile] = get_profiles(settings.export_profiles)
        self.backend = backend or _make_backend(settings)
        self.facets = FacetResolver(self.backend)

    def search(self, query: SearchQuery) -> SearchPage:
        """Run a search, its filter values read as codes or labels in any case.

        :raises InvalidQuery: when a filter value names nothing in the catalogue (the message lists valid ones).
        """
        try:
            resolved = self.facets.resolve(query)
        except UnknownFacetValue as exc:
            raise InvalidQuery(str(exc)) from exc
        return self.backend.search(resolved)

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
        **options: Any,
    ) -> HarvestJob:
        """Harvest one portal into the store with the configured limits, under its lock, counted in the metrics.

        :param options: more of :func:`service.harvesting.runner.harvest_portal`'s options
            (``job_id``, ``lock_owner``, ``should_stop``).
        :raises PortalBusy: when another run is harvesting the portal (nothing was changed).
        """
        settings = self.settings
        started = time.perf_counter()
        try:
            job = harvest_portal(
                portal,
                self.backend,
                http_settings=HttpSettings(
                    read_timeout=settings.http_timeout,
                    max_bytes=settings.max_download_mb * 1024 * 1024,
                    deadline=settings.http_deadline,
                    allowed_networks=settings.allowed_networks,
                ),
                allowed_hosts=frozenset(settings.allowed_hosts),
                grace=timedelta(days=settings.delete_grace_days),
                max_pages=settings.max_pages,
                on_progress=on_progress,
                lock_ttl=settings.harvest_lock_ttl,
                workers=settings.harvest_workers,
                limits=HarvestLimits(
                    max_page_triples=settings.max_page_triples,
                    record=RecordLimits(
                        max_text_chars=settings.max_literal_chars,
                        max_keywords=settings.max_keywords,
                        max_distributions=settings.max_distributions,
                    ),
                ),
                on_error=lambda exc: metrics.harvest_error(portal.id, exc),
                **options,
            )
        except PortalBusy:
            metrics.harvest_refused(portal.id)
            raise
        metrics.harvest_finished(job, time.perf_counter() - started)
        return job

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
        """Release the store."""
        self.backend.close()


def _make_backend(settings: Settings) -> SearchBackend:
    backend_class = get_backend(settings.search_backend)
    return backend_class.from_settings(settings)
