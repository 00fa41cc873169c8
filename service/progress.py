"""A plain progress line on stderr for long harvests, reindexing and exports (no dependency).

Redrawn in place at most ten times a second, and only on a terminal: piped
or logged output gets the commands' summary lines and nothing else.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

__all__ = ["Progress", "render"]

_BAR_WIDTH = 24
_CLEAR_TO_END = "\x1b[K"


def render(label: str, done: int, total: int | None, detail: str, elapsed: float) -> str:
    """One progress line: a bar when the total is known, else the count and detail so far."""
    clock = f"{int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}"
    suffix = f" {detail}" if detail else ""
    if not total:
        return f"{label} {done:,}{suffix} {clock}"
    fraction = min(max(done / total, 0.0), 1.0)
    filled = int(fraction * _BAR_WIDTH)
    bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
    return f"{label} [{bar}] {fraction:4.0%} {done:,}/{total:,}{suffix} {clock}"


class Progress:
    """A progress line for one task; use as a context manager, call :meth:`update` as work is done.

    :param enabled: draw or not; by default only when ``stream`` is a terminal.
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.1,
    ) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self._clock = clock
        self._interval = interval
        self._started = clock()
        self._drawn_at: float | None = None
        self._state = (0, "")

    def update(self, done: int, *, total: int | None = None, detail: str = "") -> None:
        """Record progress; redraw if the last drawing is old enough."""
        if total is not None:
            self.total = total
        self._state = (done, detail)
        now = self._clock()
        if self._drawn_at is None or now - self._drawn_at >= self._interval:
            self._draw(now)

    def finish(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled and self._drawn_at is not None:
            self._draw(self._clock())
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.finish()

    def _draw(self, now: float) -> None:
        self._drawn_at = now
        if not self.enabled:
            return
        done, detail = self._state
        self.stream.write("\r" + render(self.label, done, self.total, detail, now - self._started) + _CLEAR_TO_END)
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
