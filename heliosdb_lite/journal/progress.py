"""A plain-text progress line on stderr for long work over a known number of bytes.

Shown from the start when the stream is a terminal (redrawn in place), otherwise only once the work
has taken more than a second (a line every few seconds, fit for logs). Nothing for quick work.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_SHOW_AFTER = 1.0
_TTY_EVERY = 0.2
_LOG_EVERY = 5.0
_BAR_WIDTH = 30


class Progress:
    """Call `update(done)` as often as convenient; `finish()` once at the end."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self._next_draw = self.started if self.tty else self.started + _SHOW_AFTER
        self._drawn = False

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now < self._next_draw:
            return
        self._next_draw = now + (_TTY_EVERY if self.tty else _LOG_EVERY)
        self._draw(done, now)

    def finish(self) -> None:
        if self._drawn:
            self._draw(self.total, time.monotonic())
            if self.tty:
                self.stream.write("\n")
            self.stream.flush()

    def _draw(self, done: int, now: float) -> None:
        fraction = min(done / self.total, 1.0)
        elapsed = now - self.started
        eta = elapsed / fraction - elapsed if fraction > 0 else 0.0
        filled = int(fraction * _BAR_WIDTH)
        line = (f"{self.label} [{'#' * filled}{' ' * (_BAR_WIDTH - filled)}] {fraction:6.1%} "
                f"{done / 2**20:.1f}/{self.total / 2**20:.1f} MB  ETA {eta:.0f}s")
        self.stream.write(f"\r{line}" if self.tty else f"{line}\n")
        self.stream.flush()
        self._drawn = True
