"""The ``fedcat`` command: harvest, serve, demo."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from typing import Sequence

from harvesters import harvester_kinds
from harvesters.base import HarvestReport
from mappings.jobs import HarvestJob
from mappings.portals import PortalConfigError
from service.catalogue import Catalogue, UnknownPortal
from service.config import Settings, SettingsError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fedcat`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (SettingsError, PortalConfigError, UnknownPortal, LookupError) as exc:
        print(f"fedcat: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fedcat", description="Federated catalogue of French open data.")
    commands = parser.add_subparsers(dest="command", required=True)

    harvest = commands.add_parser("harvest", help="harvest the configured portals into the store")
    harvest.add_argument("--portal", action="append", metavar="ID", help="harvest only this portal (repeatable)")
    harvest.set_defaults(handler=cmd_harvest)

    reindex = commands.add_parser("reindex", help="rebuild the search index from the stored records")
    reindex.set_defaults(handler=cmd_reindex)

    scheduler = commands.add_parser("scheduler", help="run the harvest scheduler (its own process)")
    scheduler.set_defaults(handler=cmd_scheduler)

    serve = commands.add_parser("serve", help="serve the API with gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.set_defaults(handler=cmd_serve)

    demo = commands.add_parser("demo", help="harvest the bundled sample portals offline, then serve them")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--database", default="fedcat-demo.db", help="SQLite file for the demo (default: %(default)s)")
    demo.add_argument("--no-serve", action="store_true", help="harvest and exit")
    demo.set_defaults(handler=cmd_demo)
    return parser


def cmd_harvest(args: argparse.Namespace) -> int:
    """``fedcat harvest``: harvest every (or the named) portal, printing progress and a summary."""
    catalogue = Catalogue(Settings.from_env())
    portals = [catalogue.portal(pid) for pid in args.portal] if args.portal else catalogue.portals
    failures = 0
    for portal in portals:
        if not catalogue.harvestable(portal):
            print(
                f"{portal.id}: cannot harvest yet: no harvester for kind {portal.kind!r}"
                f" (available kinds: {', '.join(harvester_kinds())})"
            )
            failures += 1
            continue
        print(f"{portal.id}: harvesting {portal.url}")
        job = catalogue.harvest(portal, on_progress=_progress_printer(portal.id))
        print()
        print(_summary_line(job))
        failures += job.status == "failed"
    catalogue.close()
    return 1 if failures else 0


def cmd_reindex(args: argparse.Namespace) -> int:
    """``fedcat reindex``: rebuild the index (Elasticsearch: a new index, then an atomic alias swap)."""
    catalogue = Catalogue(Settings.from_env())
    print(f"reindexed: {catalogue.backend.reindex()}")
    catalogue.close()
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    """``fedcat scheduler``: harvest each portal on its cron schedule until stopped."""
    from harvesters.scheduler import run_scheduler

    run_scheduler(Catalogue(Settings.from_env()))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """``fedcat serve``: the API under gunicorn."""
    Settings.from_env()  # fail here, readably, rather than in every worker
    _run_gunicorn(args.host, args.port, args.workers)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """``fedcat demo``: sample portals → harvest over HTTP → serve on 127.0.0.1."""
    from service.demo import harvest_demo

    settings = Settings.from_env().with_changes(database=args.database)
    with ExitStack() as stack:
        print("Harvesting the bundled sample portals over local HTTP:")
        run = harvest_demo(stack, settings)
        total = run.catalogue.backend.count()
        print(f"{total} datasets in {args.database}.")
        if args.no_serve:
            return 0 if all(job.status != "failed" for job in run.jobs) else 1
    return _serve_demo(run.catalogue, args.host, args.port)


def _serve_demo(catalogue: Catalogue, host: str, port: int) -> int:
    from werkzeug.serving import make_server

    from service.app import create_app

    app = create_app(catalogue=catalogue)
    server = make_server(host, port, app, threaded=True)
    root = f"http://{host}:{server.server_port}"
    print(f"\nfedcat demo on {root}  (Ctrl-C to stop)")
    print(f"  search:  curl '{root}/api/datasets?q=velos'")
    print(f"  portals: curl '{root}/api/portals'")
    print(f"  DCAT:    curl -H 'Accept: text/turtle' {root}/catalog")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped")
    return 0


def _run_gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)

        def load(self):
            from service.app import create_app

            return create_app()

    _Gunicorn().run()


def _progress_printer(portal_id: str):
    def show(report: HarvestReport) -> None:
        print(
            f"\r{portal_id}: page {report.pages}, {report.records} records, {report.failed_count} failed",
            end="",
            flush=True,
        )

    return show


def _summary_line(job: HarvestJob) -> str:
    s = job.stats
    line = (
        f"{job.portal_id}: {job.status} — {s.created} created, {s.updated} updated, {s.unchanged} unchanged,"
        f" {s.flagged} flagged missing, {s.deleted} deleted, {len(job.failed)} failed, {job.pages} pages"
    )
    if job.error:
        line += f"\n  error: {job.error}"
    for failure in job.failed[:5]:
        line += f"\n  failed: {failure.source}: {failure.reason}"
    for warning in job.warnings:
        line += f"\n  warning: {warning}"
    return line
