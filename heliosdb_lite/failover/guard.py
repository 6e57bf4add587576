"""The primary's self-fencing clock: it may acknowledge (answer a COMMIT, or any result that could
show one) only until `deadline`, a monotonic time the failover agent moves forward after each lease
renewal that etcd confirmed and after it has read that the leader key still names this node in
this epoch.

deadline = (time the renewal was sent) + (TTL etcd granted) - retry_timeout_seconds. etcd counts
the TTL from when it received the renewal, later than it was sent, so the lease cannot expire —
and no other node can take the leader key — before the deadline plus retry_timeout. Past the
deadline, answers wait (they are not refused) until a renewal moves it again, or the agent gives
up leadership and restarts the server (docs/failover.md).
"""

from __future__ import annotations

import asyncio
import time

RECHECK_SECONDS = 1.0


class LeaseGuard:
    def __init__(self) -> None:
        self.deadline = 0.0
        self._moved = asyncio.Event()
        self.held_since: float | None = None  # when the last wait past the deadline began

    def valid(self) -> bool:
        return time.monotonic() < self.deadline

    def extend(self, deadline: float) -> None:
        self.deadline = deadline
        self._moved.set()

    def hold(self) -> None:
        """Stop acknowledging now (a hand-over in progress)."""
        self.deadline = 0.0

    async def wait(self) -> None:
        """Return once acknowledging is allowed."""
        while not self.valid():
            if self.held_since is None:
                self.held_since = time.monotonic()
            self._moved.clear()
            try:
                await asyncio.wait_for(self._moved.wait(), RECHECK_SECONDS)
            except TimeoutError:
                continue
        self.held_since = None
