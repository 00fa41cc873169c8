"""Waiting for a condition the way every test here does: poll it, with a generous deadline, never sleep a fixed time."""

from __future__ import annotations

import time
from typing import Callable

#: long enough for a loaded 2-core machine; reaching it is a failure, not a timing
DEADLINE = 60.0


def wait_until(condition: Callable[[], bool], timeout: float = DEADLINE) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)
