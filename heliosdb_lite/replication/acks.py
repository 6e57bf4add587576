"""The sync-mode barrier: a commit's answer waits until enough standbys have made it durable.

`StandbyAcks.wait(lsn)` is awaited where the server already waits for `journal.durable` (the
durability barrier, `CommitService.visible`), after the local fsync. One standby acknowledgement
(a STATUS message with its flushed LSN) settles every waiter at or below it: group commit covers
the standby round trip as it covers the fsync.

Modes (`[replication] replication_mode`):
- sync-strict: waits without limit (Maximum Protection);
- sync: a wait longer than sync_timeout_ms degrades the primary to async, loudly (log line, metric,
  ParameterStatus heliosdb.replication), until enough standbys hold every commit acknowledged so far
  (`acknowledged_lsn`; Maximum Availability);
- async: never waits (Maximum Performance, RPO > 0).
A fenced primary fails every present and future wait: it never acknowledges another commit.
With failover, `may_degrade` is awaited before sync degrades: it removes the standbys from etcd's
sync set first (so none of them can be elected without the commits acknowledged from then on), and
when it cannot, the commits keep waiting. The way back is the agent's: it ends the degradation
(`end_degraded`: from then on nothing is acknowledged until listed standbys count), waits until
enough standbys hold every commit acknowledged before (`acknowledged_bound`), and only then lists
them in etcd, so a listed standby never lacks an acknowledged commit.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable

from heliosdb_lite.errors import ADMIN_SHUTDOWN, DatabaseError, fatal
from heliosdb_lite.replication import metrics

log = logging.getLogger("heliosdb.replication")

SYNC_STRICT, SYNC, ASYNC = "sync-strict", "sync", "async"


class StandbyAcks:
    """Flushed LSNs reported by the connected sync standbys, and the commits waiting for them."""

    def __init__(self, mode: str, sync_timeout_ms: int, required: int, acked_lsn: int,
                 on_state_change: Callable[[str], None],
                 may_degrade: Callable[[Callable[[], bool]], Awaitable[bool]] | None = None) -> None:
        self.mode = mode
        self.required = required
        self._timeout = sync_timeout_ms / 1000
        self._flushed: dict[str, int] = {}
        self.acked_lsn = acked_lsn  # every LSN up to here is durable on `required` standbys (or predates us)
        self.acknowledged_lsn = acked_lsn  # no commit beyond this LSN has been acknowledged to its client
        self.degraded = False
        self._fenced: DatabaseError | None = None
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._on_state_change = on_state_change
        self._may_degrade = may_degrade
        metrics.DEGRADED.set(0)

    @property
    def state(self) -> str:
        if self._fenced is not None:
            return "fenced"
        if self.mode == ASYNC:
            return ASYNC
        return f"{self.mode} (degraded to async)" if self.degraded else self.mode

    def covers(self, lsn: int) -> bool:
        """Whether a commit at `lsn` may be acknowledged now, without waiting."""
        if lsn > self.acked_lsn:
            if self._fenced is not None:
                raise self._fenced
            if self.mode != ASYNC and not self.degraded:
                return False
        self.acknowledged_lsn = max(self.acknowledged_lsn, lsn)
        return True

    @property
    def timeout_seconds(self) -> float:
        return self._timeout

    @property
    def acknowledged_bound(self) -> int:
        """No commit beyond this LSN has been acknowledged, nor can be without more standby reports
        (`covers` lets through whatever is at or below `acked_lsn`)."""
        return max(self.acknowledged_lsn, self.acked_lsn)

    def holds_every_acknowledged(self, flushed_lsn: int) -> bool:
        """Whether a standby that has fsynced up to `flushed_lsn` holds every acknowledged commit."""
        return flushed_lsn >= self.acknowledged_bound

    async def wait(self, lsn: int) -> None:
        """Return once `lsn` may be acknowledged (see the module docstring)."""
        if self.covers(lsn):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (lsn, next(self._order), future))
        if self.mode == SYNC_STRICT:
            await future
            return
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(future), self._timeout)
                return
            except TimeoutError:
                if self._fenced is not None:
                    raise self._fenced from None
                if future.done() or self.degraded:
                    return
                if self._may_degrade is None or await self._may_degrade(lambda: not future.done()):
                    self.degrade(f"no standby acknowledged LSN {lsn} within sync_timeout_ms = "
                                 f"{int(self._timeout * 1000)}")
                    return

    def degrade(self, reason: str) -> None:
        """Acknowledge every waiting and later commit without standbys until a way back."""
        if not self.degraded:
            self.degraded = True
            metrics.DEGRADED.set(1)
            metrics.DEGRADATIONS.inc()
            log.error("replication: %s: DEGRADED TO ASYNC — commits are acknowledged without a standby copy "
                      "(RPO > 0) until a standby catches up", reason)
            self._on_state_change(self.state)
        self._settle(lambda _lsn: True)

    def start_degraded(self, reason: str) -> None:
        """Run async from the start (sync mode only): `reason` says why no standby can acknowledge."""
        self.degraded = True
        metrics.DEGRADED.set(1)
        log.warning("replication: %s: sync runs DEGRADED TO ASYNC until a standby catches up", reason)
        self._on_state_change(self.state)

    def end_degraded(self) -> None:
        """Back to waiting for standbys: no commit is acknowledged without them from here."""
        if self.degraded:
            self.degraded = False
            metrics.DEGRADED.set(0)
            log.warning("replication: back to %s: commits wait for standbys again (acknowledged: LSN %d)",
                        self.mode, self.acknowledged_bound)
            self._on_state_change(self.state)

    def standby_flushed(self, name: str, lsn: int) -> None:
        """Standby `name` (one whose acknowledgements count) has fsynced everything up to `lsn`."""
        self._flushed[name] = max(self._flushed.get(name, 0), lsn)
        ranked = sorted(self._flushed.values(), reverse=True)
        if len(ranked) >= self.required:
            self.acked_lsn = max(self.acked_lsn, ranked[self.required - 1])
            if self.holds_every_acknowledged(ranked[self.required - 1]):
                self.end_degraded()
        acked = self.acked_lsn
        self._settle(lambda waiting: waiting <= acked)

    def standby_gone(self, name: str) -> None:
        self._flushed.pop(name, None)

    def forget_standbys(self) -> None:
        """No standby's earlier acknowledgement counts any more (they left etcd's sync set)."""
        self._flushed.clear()

    def flushed(self, name: str) -> int:
        return self._flushed.get(name, 0)

    def fence(self, reason: str) -> None:
        """Fail every present and future wait: this server is no longer the primary."""
        if self._fenced is None:
            self._fenced = fatal(ADMIN_SHUTDOWN, f"terminating connection: {reason}; the commit was not "
                                 "acknowledged and may be lost",
                                 detail="Ask the new primary for the transaction's outcome with "
                                        "heliosdb_txn_outcome().")
            self._on_state_change(self.state)
        waiters, self._waiters = self._waiters, []
        for _, _, future in waiters:
            if not future.done():
                future.set_exception(self._fenced)

    def _settle(self, ready: Callable[[int], bool]) -> None:
        while self._waiters and ready(self._waiters[0][0]):
            lsn, _, future = heapq.heappop(self._waiters)
            if not future.done():
                self.acknowledged_lsn = max(self.acknowledged_lsn, lsn)
                future.set_result(None)
