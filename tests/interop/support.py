"""The interoperability tier's plumbing: the demo catalogue over real HTTP, and the clients' virtualenvs.

Each client (udata, ckanext-dcat) lives in its own virtualenv under
``$FEDCAT_CLIENTS_DIR`` (default ``~/.cache/fedcat/clients``), made by
``.ci/install-clients.sh`` (``make prerequisites``); its reader script under
``tests/interop/clients/`` runs there as a subprocess and prints JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from werkzeug.serving import WSGIRequestHandler, make_server

from service.app import create_app
from service.config import Settings
from service.demo import harvest_demo

__all__ = ["CLIENTS", "ClientMissing", "client_python", "run_client", "serve_demo_catalogue"]

HERE = Path(__file__).resolve().parent
CLIENTS = HERE / "clients"
FIXTURES = HERE / "fixtures"
#: generous: udata imports its whole application before harvesting; nothing here is timed
CLIENT_TIMEOUT_S = 600


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: the clients fetch every page, the test reports what they read."""

    def log_request(self, *args, **kwargs) -> None:
        """Log nothing."""


class ClientMissing(RuntimeError):
    """A client's virtualenv is not installed."""


def clients_dir() -> Path:
    """Where ``.ci/install-clients.sh`` puts the clients' virtualenvs."""
    default = Path.home() / ".cache" / "fedcat" / "clients"
    return Path(os.environ.get("FEDCAT_CLIENTS_DIR") or default)


def client_python(name: str) -> Path:
    """The Python interpreter of a client's virtualenv; :class:`ClientMissing` names the command that makes it."""
    python = clients_dir() / name / "bin" / "python"
    if not python.exists():
        raise ClientMissing(f"{python} is missing: run `bash .ci/install-clients.sh` (part of `make prerequisites`)")
    return python


def run_client(name: str, script: str, *args: str) -> dict:
    """Run a reader script in a client's virtualenv; its JSON output (a failure shows the client's stderr)."""
    completed = subprocess.run(
        [str(client_python(name)), str(CLIENTS / script), *args],
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT_S,
        env={**os.environ, "PYTHONPATH": "", "NO_PROXY": "*"},
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"{name} client failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout)


@contextmanager
def serve_demo_catalogue(tmp_path: Path) -> Iterator[tuple[str, list]]:
    """Harvest the four simulated portals through the real harvesters and serve fedcat on loopback.

    Yields the base URL and the harvested records.
    """
    with ExitStack() as stack:
        settings = Settings(database=str(tmp_path / "interop.db"))
        run = harvest_demo(stack, settings, echo=lambda *args: None)
        assert all(job.status == "done" for job in run.jobs), [job.error for job in run.jobs]
        stack.callback(run.catalogue.close)
        server = make_server(
            "127.0.0.1", 0, create_app(catalogue=run.catalogue), threaded=True, request_handler=_QuietHandler
        )
        thread = threading.Thread(target=server.serve_forever, name="interop-fedcat", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", list(run.catalogue.backend.iter_records())
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=30)
