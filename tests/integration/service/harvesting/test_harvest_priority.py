"""Harvest processes give the CPU to searches first: they run at a lower priority (``FEDCAT_HARVEST_NICE``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.ops_support import GATE_TIMEOUT, ROOT, GatedPortal, dcat_portal, fedcat_process
from tests.polling import wait_until


def niceness(pid: int) -> int:
    """The lowest niceness among a live process's threads (Linux keeps one per thread: field 19 of their stat)."""
    stats = [path.read_text() for path in Path(f"/proc/{pid}/task").glob("*/stat")]
    return min(int(stat.rsplit(")", 1)[1].split()[16]) for stat in stats)


def expected(configured: int) -> int:
    return max(configured, os.getpriority(os.PRIO_PROCESS, 0))  # a niceness is never given back


@pytest.mark.parametrize(("setting", "configured"), [({"harvest_nice": None}, 10), ({"harvest_nice": "7"}, 7)])
def test_a_harvest_runs_below_the_web_workers_priority(tmp_path, setting, configured):
    portal = GatedPortal(count=8).start()
    process = fedcat_process(tmp_path, tmp_path / "store.db", dcat_portal(portal), "harvest", **setting)
    try:
        assert portal.entered.wait(GATE_TIMEOUT), "the harvest never asked the portal"
        assert niceness(process.pid) == expected(configured)
    finally:
        portal.open()
        returncode = process.wait(timeout=GATE_TIMEOUT)
        portal.stop()
    assert returncode == 0


def test_the_scheduler_process_runs_below_the_web_workers_priority(tmp_path):
    portal = GatedPortal(count=4).start()
    portal.open()
    process = fedcat_process(tmp_path, tmp_path / "store.db", dcat_portal(portal), "scheduler", harvest_nice="12")
    try:
        wait_until(lambda: niceness(process.pid) == expected(12), timeout=GATE_TIMEOUT)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=GATE_TIMEOUT)
        portal.stop()


def test_a_process_already_nicer_keeps_its_niceness():
    code = "import os; from service.harvesting.priority import yield_cpu_to_searches as y; os.nice(15); print(y(5))"
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=GATE_TIMEOUT)
    assert int(output.stdout) == max(15, os.getpriority(os.PRIO_PROCESS, 0))


def test_a_niceness_out_of_range_is_refused():
    from service.config import Settings, SettingsError

    with pytest.raises(SettingsError, match="HARVEST_NICE"):
        Settings.from_env({"FEDCAT_HARVEST_NICE": "25"})
