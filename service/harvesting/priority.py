"""The CPU priority of the processes that harvest: below the web workers, so searches keep their latency.

Harvests are batch work: on a machine shared with gunicorn, a full re-harvest of a large portal
would otherwise take half of the CPU from the searches while it parses and writes. Like udata's
and CKAN's harvest workers run beside their web processes, fedcat's harvest processes lower their
own priority (``FEDCAT_HARVEST_NICE``) and their page workers inherit it.
"""

from __future__ import annotations

import logging
import os

__all__ = ["yield_cpu_to_searches"]

logger = logging.getLogger(__name__)


def yield_cpu_to_searches(nice: int) -> int:
    """Lower this process's CPU priority to at least ``nice`` (never raise it); the niceness it now has.

    A process already started with a higher niceness (``nice -n 15 fedcat harvest``) keeps it. Call it
    before any thread starts: Linux keeps a niceness per thread, and a new thread inherits its creator's.
    """
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if nice > current:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        except OSError as exc:  # a sandbox may forbid it: harvesting at the same priority still works
            logger.warning("could not lower the harvest's CPU priority to nice %d: %s", nice, exc)
            return current
    return os.getpriority(os.PRIO_PROCESS, 0)
