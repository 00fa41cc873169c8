"""Test helpers for the operations tests: a DCAT portal that holds its answers until told, and a catalogue on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from service.harvesting.locking import PortalBusy
from mappings.portals import Portal
from service.catalogue import Catalogue
from service.config import Settings
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from simulators.server import SimRequest, SimResponse
from tests.polling import wait_until

__all__ = ["GatedPortal", "dcat_portal", "fedcat_process", "file_catalogue", "kill_when", "retry_while_busy"]

ROOT = Path(__file__).resolve().parents[2]

#: a gate left shut fails the test rather than hanging it
GATE_TIMEOUT = 60.0


class GatedPortal(DcatPortalSimulator):
    """A DCAT portal whose requests wait at a gate: ``entered`` is set by the first, ``open()`` lets them through."""

    def __init__(self, portal_id: str = "paris", count: int = 12, **kwargs) -> None:
        super().__init__(generate(portal_id, count), page_size=5, **kwargs)
        self.entered = threading.Event()
        self._gate = threading.Event()

    def open(self) -> None:
        """Let every waiting and later request through."""
        self._gate.set()

    def handle(self, request: SimRequest) -> SimResponse:
        """Signal arrival, wait for the gate, then answer as a DCAT portal."""
        self.entered.set()
        self._gate.wait(GATE_TIMEOUT)
        return super().handle(request)


def dcat_portal(simulator: DcatPortalSimulator, portal_id: str = "paris", schedule: str | None = None) -> Portal:
    """A portal of kind dcat on a simulator."""
    return Portal(id=portal_id, name=portal_id.title(), kind="dcat", url=simulator.catalog_url("ttl"), schedule=schedule)


def file_catalogue(path, portals: list[Portal], **settings) -> Catalogue:
    """A catalogue on an SQLite file (threads and 'processes' share a file, not a private in-memory store)."""
    options = {"database": str(path), "base_url": "http://fedcat.test", "delete_grace_days": 0, "http_timeout": GATE_TIMEOUT}
    options.update(settings)
    return Catalogue(Settings(**options), portals=portals)


def kill_when(process: subprocess.Popen, condition: Callable[[], bool], *, timeout: float = GATE_TIMEOUT) -> None:
    """``kill -9`` the process once ``condition`` holds (fail after ``timeout``); never leave it running."""
    try:
        wait_until(condition, timeout=timeout)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=GATE_TIMEOUT) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=GATE_TIMEOUT)


def retry_while_busy(run: Callable[[], object], *, timeout: float):
    """``run()`` again while it finds the portal locked (a dead run's lock has yet to expire); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return run()
        except PortalBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fedcat_process(
    tmp_path: Path, database: Path, portal: Portal, command: str, *, stderr: int = subprocess.DEVNULL, **settings: str | None
) -> subprocess.Popen:
    """``fedcat <command>`` in a real process, configured the way production is (FEDCAT_* variables),
    with ``portal`` as the one configured portal; ``settings`` are more ``FEDCAT_*`` values by name
    (None leaves a variable unset: its default applies).

    Harvests keep the test's CPU priority unless ``harvest_nice`` is given (tests/conftest.py).

    :param stderr: where its log lines go (``subprocess.PIPE`` to read them with ``communicate``).
    """
    portals = tmp_path / "portals.toml"
    portals.write_text(
        f'[[portal]]\nid = "{portal.id}"\nname = "{portal.name}"\nkind = "{portal.kind}"\nurl = "{portal.url}"\n', encoding="utf-8"
    )
    env = {
        **os.environ,
        "FEDCAT_DATABASE": str(database),
        "FEDCAT_PORTALS_FILE": str(portals),
        "FEDCAT_ALLOWED_NETWORKS": "127.0.0.0/8",
        "FEDCAT_DELETE_GRACE_DAYS": "0",
        "PYTHONPATH": str(ROOT),
        **{f"FEDCAT_{name.upper()}": value for name, value in settings.items()},
    }
    env = {name: value for name, value in env.items() if value is not None}
    code = f"import sys; from service.cli import main; sys.exit(main([{command!r}]))"
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
