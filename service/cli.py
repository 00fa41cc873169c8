"""The ``fedcat`` command: harvest, reindex, status, export, scheduler, serve, demo."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from harvesters import harvester_kinds
from harvesters.base import HarvestReport
from service.harvesting.locking import PortalBusy
from service.harvesting.priority import yield_cpu_to_searches
from mappings.jobs import HarvestJob
from mappings.portals import Portal, PortalConfigError
from service.catalogue import Catalogue, UnknownPortal
from service.config import Settings, SettingsError
from service.errors import CatalogueError, CommandFailed, StoreMissing, UsageError, error_body, error_line
from service.logging_ import configure_logging, new_request_id, request_id_scope
from service.progress import Progress
from service.rdf_formats import RDF_FORMATS, format_for_extension
from service.search.base import StoreError

__all__ = ["main", "store_error_line"]

_DEFAULT_BASE_URL = "http://localhost:8000"
#: Where ``fedcat demo`` (and so ``make demo``) harvests unless told otherwise.
DEMO_DATABASE = "fedcat-demo.db"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fedcat`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_format, settings.log_level)
        return args.handler(args)
    except (StoreError, sqlite3.Error) as exc:
        print(store_error_line(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - every error ends as one line, never a traceback
        return _report_error(as_catalogue_error(exc), json_output=getattr(args, "json", False))


def as_catalogue_error(exc: Exception) -> CatalogueError:
    """Any exception a command meets, as one of the API's errors (the same code and message)."""
    if isinstance(exc, CatalogueError):
        return exc
    if isinstance(exc, (SettingsError, PortalConfigError, UnknownPortal, LookupError)):
        return UsageError(str(exc))
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return CommandFailed(f"cannot use{where}: {exc.strerror or exc}")
    logging.getLogger("fedcat.cli").debug("unexpected error", exc_info=exc)
    return CatalogueError(f"unexpected error: {type(exc).__name__}: {exc} (FEDCAT_LOG_LEVEL=DEBUG shows the traceback)")


def _report_error(error: CatalogueError, *, json_output: bool) -> int:
    """Print the error on stderr: one line, or the API's JSON body for ``--json``; 2 for usage errors, else 1."""
    if json_output:
        print(json.dumps(error_body(error.status, error.message, error.errors, error.code), ensure_ascii=False), file=sys.stderr)
    else:
        print(error_line(error), file=sys.stderr)
    return 2 if error.status == 400 else 1


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line like every other error (with where to find help)."""

    def error(self, message: str):
        """Print ``fedcat: <message> (see <prog> --help)`` on stderr and exit 2."""
        print(error_line(UsageError(f"{message} (see {self.prog} --help)")), file=sys.stderr)
        raise SystemExit(2)


def store_error_line(exc: BaseException) -> str:
    """One line for a store that failed (disk full, read-only, corrupt file): the API's ``store_error`` code and why.

    SQLite's own errors are caught too: some statements (the schema, a pragma) run
    outside the backend's translation, and a disk that is full fails them first.
    """
    reason = " ".join(str(exc).split()) or exc.__class__.__name__
    return f"fedcat: store_error: the catalogue store failed: {reason}"


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="fedcat", description="Federated catalogue of French open data.")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_store_commands(commands)
    _add_export_command(commands)
    _add_process_commands(commands)
    return parser


def _add_store_commands(commands) -> None:
    """The commands that fill the store, check it or read it: harvest, check-links, reindex, status."""
    harvest = commands.add_parser("harvest", help="harvest the configured portals into the store")
    harvest.add_argument("--portal", action="append", metavar="ID", help="harvest only this portal (repeatable)")
    harvest.set_defaults(handler=cmd_harvest)

    check = commands.add_parser("check-links", help="check distribution URLs (oldest-checked first) and record what they answer")
    check.add_argument("--portal", action="append", metavar="ID", help="check only this portal's URLs (repeatable)")
    check.add_argument("--limit", type=_positive, help="most URLs to check (default: FEDCAT_LINK_CHECK_LIMIT)")
    check.add_argument("--json", action="store_true", help="print the summary as JSON")
    check.set_defaults(handler=cmd_check_links)

    reindex = commands.add_parser("reindex", help="rebuild the search index from the stored records")
    reindex.set_defaults(handler=cmd_reindex)

    status = commands.add_parser("status", help="each portal's records, last harvest and next scheduled run")
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.set_defaults(handler=cmd_status)


def _add_export_command(commands) -> None:
    export = commands.add_parser("export", help="write the whole catalogue as one DCAT-AP file, page by page")
    export.add_argument("--format", required=True, choices=[f.extension for f in RDF_FORMATS])
    export.add_argument("--output", required=True, metavar="FILE", help="file to write (replaced once complete)")
    export.add_argument("--page-size", type=_positive, default=500, help="records per page (default: %(default)s)")
    export.add_argument("--base-url", help=f"public URL in the exported IRIs (default: FEDCAT_BASE_URL, else {_DEFAULT_BASE_URL})")
    export.set_defaults(handler=cmd_export)


def _add_process_commands(commands) -> None:
    """The long-running processes: the scheduler, the web server and the demo."""
    scheduler = commands.add_parser("scheduler", help="run the harvest scheduler (its own process)")
    scheduler.add_argument("--metrics-port", type=int, default=0, help="serve Prometheus metrics on this port (0: off)")
    scheduler.add_argument("--metrics-host", default="127.0.0.1", help="address of the metrics server (default: %(default)s)")
    scheduler.set_defaults(handler=cmd_scheduler)

    serve = commands.add_parser("serve", help="serve the API with gunicorn (settings of service/gunicorn_conf.py)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, help="worker processes (default: from the CPU count, or WEB_CONCURRENCY)")
    serve.set_defaults(handler=cmd_serve)

    demo = commands.add_parser("demo", help="harvest the bundled sample portals offline, then serve them")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--database", default=DEMO_DATABASE, help="SQLite file for the demo (default: %(default)s)")
    demo.add_argument("--no-serve", action="store_true", help="harvest and exit")
    demo.set_defaults(handler=cmd_demo)


# -- harvesting ------------------------------------------------------------------------


def _batch_settings() -> Settings:
    """The settings of a command that harvests or reindexes, its CPU priority lowered first (before any thread starts)."""
    settings = Settings.from_env()
    yield_cpu_to_searches(settings.harvest_nice)
    return settings


def cmd_harvest(args: argparse.Namespace) -> int:
    """``fedcat harvest``: harvest every (or the named) portal, with a progress line and a summary each."""
    catalogue = Catalogue(_batch_settings())
    portals = [catalogue.portal(pid) for pid in args.portal] if args.portal else catalogue.portals
    outcomes = {portal.id: _harvest_one(catalogue, portal) for portal in portals}
    catalogue.close()
    print(overall_line(outcomes))
    return 1 if any(job is None or job.status == "failed" for job in outcomes.values()) else 0


def _harvest_one(catalogue: Catalogue, portal: Portal) -> HarvestJob | None:
    """Harvest one portal, printing what happened; None when it could not be harvested at all."""
    if not catalogue.harvestable(portal):
        print(
            f"{portal.id}: cannot harvest yet: no harvester for kind {portal.kind!r}"
            f" (available kinds: {', '.join(harvester_kinds())})"
        )
        return None
    print(f"{portal.id}: harvesting {portal.url}", flush=True)
    with Progress(portal.id) as progress:
        try:
            job = catalogue.harvest(portal, on_progress=_harvest_progress(progress))
        except PortalBusy as busy:
            print(f"{portal.id}: skipped: {busy}")
            return None
    print(_summary_line(job))
    return job


def overall_line(outcomes: dict[str, HarvestJob | None]) -> str:
    """The line that ends every ``fedcat harvest``: portals by outcome, records by change."""
    jobs = [job for job in outcomes.values() if job is not None]
    failed = [pid for pid, job in outcomes.items() if job is not None and job.status == "failed"]
    skipped = [pid for pid, job in outcomes.items() if job is None]
    created, updated, unchanged = (sum(getattr(j.stats, name) for j in jobs) for name in ("created", "updated", "unchanged"))
    line = f"harvested {len(jobs) - len(failed)} of {len(outcomes)} portals: {created} created, {updated} updated, {unchanged} unchanged"
    if failed:
        line += f"; failed: {', '.join(failed)}"
    if skipped:
        line += f"; not harvested: {', '.join(skipped)}"
    return line


def _harvest_progress(progress: Progress) -> Callable[[HarvestReport], None]:
    def show(report: HarvestReport) -> None:
        progress.update(report.records, detail=f"records · page {report.pages} · {report.failed_count} failed")

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


def cmd_check_links(args: argparse.Namespace) -> int:
    """``fedcat check-links``: check the oldest-checked URLs politely, with a progress line and a summary."""
    catalogue = Catalogue(Settings.from_env())
    try:
        with Progress("check-links") as progress:
            run = catalogue.check_links(
                args.portal,
                limit=args.limit,
                on_progress=lambda run, total: progress.update(run.checked, total=total, detail=f"· {run.verdicts['broken']} broken"),
            )
    finally:
        catalogue.close()
    if args.json:
        print(json.dumps(run.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(_link_summary(run))
    return 0


def _link_summary(run) -> str:
    v = run.verdicts
    lines = [
        f"checked {run.checked} of {run.known_urls} URLs ({', '.join(run.portals)}):"
        f" {v.get('ok', 0)} ok, {v.get('broken', 0)} broken, {v.get('wrong_type', 0)} of the wrong type;"
        f" {run.restamped} records restamped"
    ]
    lines += [f"  broken on {host}: {count}" for host, count in sorted(run.broken_by_host.items(), key=lambda kv: -kv[1])[:10]]
    lines += [f"  not restamped (being harvested): {portal}" for portal in run.skipped_portals]
    return "\n".join(lines)


def cmd_reindex(args: argparse.Namespace) -> int:
    """``fedcat reindex``: rebuild the index (Elasticsearch: a new index, then an atomic alias swap)."""
    catalogue = existing_catalogue(_batch_settings(), "reindex")
    with Progress("reindex", total=catalogue.backend.count()) as progress:
        built = catalogue.backend.reindex(on_progress=lambda done, total: progress.update(done, total=total))
    print(f"reindexed: {built}")
    catalogue.close()
    return 0


# -- operating -------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    """``fedcat status``: a table of portals, record counts, last job and next scheduled run."""
    from service.status import portal_statuses, render_table

    catalogue = existing_catalogue(Settings.from_env(), "status")
    rows = portal_statuses(catalogue, datetime.now(timezone.utc))
    catalogue.close()
    if args.json:
        print(json.dumps([row.to_dict() for row in rows], ensure_ascii=False, indent=2))
    else:
        print(render_table(rows))
    return 0


def existing_catalogue(settings: Settings, command: str) -> Catalogue:
    """The catalogue over a store that exists: reading commands never create an empty one silently."""
    database = settings.database
    if settings.search_backend != "elasticsearch" and database != ":memory:" and not Path(database).exists():
        hint = "run `fedcat harvest` to fill it"
        if Path(DEMO_DATABASE).exists() and Path(database).resolve() != Path(DEMO_DATABASE).resolve():
            hint += f", or read the demo's: FEDCAT_DATABASE={DEMO_DATABASE} fedcat {command}"
        raise StoreMissing(f"no store at {database} (FEDCAT_DATABASE): {hint}")
    return Catalogue(settings)


def cmd_export(args: argparse.Namespace) -> int:
    """``fedcat export``: the whole catalogue in one RDF file, written page by page, replaced atomically."""
    from service.export_stream import export_catalogue

    settings = Settings.from_env()
    fmt = format_for_extension(args.format)
    target = Path(args.output)
    if not target.parent.is_dir():
        raise CommandFailed(f"cannot write {target}: the directory {target.parent} does not exist")
    catalogue = existing_catalogue(settings, "export")
    empty = catalogue.backend.count() == 0
    partial = target.with_name(target.name + ".partial")
    base_url = args.base_url or settings.base_url or _DEFAULT_BASE_URL
    try:
        with partial.open("wb") as out, Progress(f"export {fmt.extension}") as progress:
            written = export_catalogue(
                catalogue, fmt, out, base_url=base_url, page_size=args.page_size,
                on_progress=lambda done, total: progress.update(done, total=total),
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        catalogue.close()
    print(f"exported {written} datasets to {target} ({fmt.media_type})")
    if empty:
        print(f"fedcat: the store {settings.database} holds no datasets yet, so only the catalogue's own description"
              " was written: run `fedcat harvest` first", file=sys.stderr)
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    """``fedcat scheduler``: harvest each portal on its cron schedule until stopped."""
    from service.scheduler import run_scheduler

    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=args.metrics_host)
    run_scheduler(Catalogue(_batch_settings()), scope=_run_scope)
    return 0


def _run_scope(portal: Portal) -> request_id_scope:
    """Each scheduled run gets an id of its own, carried by every log line of the harvest."""
    return request_id_scope(f"{portal.id}-{new_request_id()[:12]}")


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


# -- serving -----------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """``fedcat serve``: the API under gunicorn."""
    Settings.from_env()  # fail here, readably, rather than in every worker
    _run_gunicorn(args.host, args.port, args.workers)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """``fedcat demo``: sample portals → harvest over HTTP → serve on 127.0.0.1."""
    from service.demo import harvest_demo

    settings = Settings.from_env().with_changes(database=args.database)
    if not args.no_serve:
        check_port_free(args.host, args.port)
    with ExitStack() as stack:
        print("Harvesting the bundled sample portals over local HTTP:")
        run = harvest_demo(stack, settings)
        total = run.catalogue.backend.count()
        print(f"{total} datasets in {args.database}.")
        print(f"The command line reads this store with: FEDCAT_DATABASE={args.database} {_fedcat_command()} status")
        if args.no_serve:
            return 0 if all(job.status != "failed" for job in run.jobs) else 1
    return _serve_demo(run.catalogue, args.host, args.port)


def check_port_free(host: str, port: int) -> None:
    """Fail before harvesting, not after, when the demo could not serve on ``host:port``."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        raise CommandFailed(
            f"cannot serve on {host}:{port}: {(exc.strerror or str(exc)).lower()};"
            f" choose another port: make demo PORT=8080 (or fedcat demo --port 8080)"
        ) from None


def _fedcat_command() -> str:
    """How this shell reaches ``fedcat``: the venv's path when it was run from there (``make demo``)."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("fedcat")
    if program.name != "fedcat" or program.parent == Path("."):
        return "fedcat"  # found on PATH, or not run as the console script
    if not program.is_absolute():
        return str(program)
    try:
        return str(program.relative_to(Path.cwd()))
    except ValueError:
        return "fedcat"


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


def _run_gunicorn(host: str, port: int, workers: int | None) -> None:
    from gunicorn.app.base import BaseApplication

    from service import gunicorn_conf

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for name in gunicorn_conf.__all__:
                if name in self.cfg.settings:
                    self.cfg.set(name, getattr(gunicorn_conf, name))
            self.cfg.set("bind", f"{host}:{port}")
            if workers:
                self.cfg.set("workers", workers)

        def load(self):
            from service.app import create_app

            return create_app()

    _Gunicorn().run()


if __name__ == "__main__":
    sys.exit(main())
