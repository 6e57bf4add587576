"""Group commit: one thread makes written entries durable in batches, one sync per batch.

An append requests a sync of its LSN at once (`request`), so the sync overlaps whatever the
committer does before it waits; committers then wait for their LSN (`wait` from asyncio,
`wait_sync` from threads). The flusher thread sleeps until a requested LSN is above the flushed
LSN, then asks the journal for everything written so far (`collect`: the last LSN and the
segments to sync), syncs it with no lock held, publishes the new flushed LSN and settles every
waiter it covers; asyncio futures are settled on their own loop through call_soon_threadsafe, one
call per loop and batch. Commits that arrive during a sync join the next batch, so one sync
covers many commits.

Invariant: the flushed LSN only grows, and only after a sync that returned covered it.
A failed sync is final: every waiter, present and future, gets the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.journal import metrics
from heliosdb_lite.journal.errors import journal_io_error

Collect = Callable[[], tuple[int, Any]]
Sync = Callable[[Any], None]


class GroupCommit:
    """The flusher thread and the committers waiting on it."""

    def __init__(self, collect: Collect, sync: Sync, flushed_lsn: int, interval: float | None) -> None:
        """`interval`: None to sync only on demand; else also sync whatever was written this
        often (the async sync mode, where nobody waits)."""
        self._collect = collect
        self._sync = sync
        self._interval = interval
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._flushed_changed = threading.Condition(self._lock)
        self._flushed = flushed_lsn
        self._requested = flushed_lsn
        self._waiters: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._failure: DatabaseError | None = None
        self._stopping = False
        metrics.FLUSHED_LSN.set(flushed_lsn)
        self._thread = threading.Thread(target=self._run, name="journal-flusher", daemon=True)
        self._thread.start()

    @property
    def flushed_lsn(self) -> int:
        return self._flushed

    @property
    def failure(self) -> DatabaseError | None:
        return self._failure

    async def wait(self, lsn: int) -> None:
        """Return once a completed sync covers `lsn`."""
        if lsn <= self._flushed:
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if lsn <= self._flushed:
                return
            self._waiters.append((lsn, loop, future))
            self._request(lsn)
        await future

    def wait_sync(self, lsn: int) -> None:
        """Block the calling thread until a completed sync covers `lsn`."""
        with self._lock:
            self._request(lsn)
            while lsn > self._flushed and self._failure is None:
                self._flushed_changed.wait()
            if lsn > self._flushed:
                failure = self._failure
                assert failure is not None
                raise failure

    def request(self, lsn: int) -> None:
        """Start syncing up to `lsn` now, before anyone waits for it (so the sync overlaps
        whatever the committer does between writing and waiting)."""
        with self._lock:
            self._request(lsn)

    def _request(self, lsn: int) -> None:
        if lsn > self._requested:
            self._requested = lsn
            self._work.notify()

    def fail(self, error: DatabaseError) -> None:
        """Make every present and future wait raise `error`."""
        with self._lock:
            if self._failure is None:
                self._failure = error
            waiters, self._waiters = self._waiters, []
            self._flushed_changed.notify_all()
            self._work.notify()
        _settle(waiters, error)

    def stop(self) -> None:
        """Sync whatever was written, settle the waiters and end the thread."""
        with self._lock:
            self._stopping = True
            self._work.notify()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._requested <= self._flushed and not self._stopping and self._failure is None:
                    if not self._work.wait(self._interval) and self._interval is not None:
                        break
                if self._failure is not None:
                    return
                stopping = self._stopping
                previous = self._flushed
            target, taken = self._collect()
            started = time.perf_counter()
            if taken:
                try:
                    self._sync(taken)
                except OSError as error:
                    self.fail(journal_io_error("sync", error))
                    return
            synced = time.perf_counter()
            with self._lock:
                self._flushed = max(target, previous)
                ready = [waiter for waiter in self._waiters if waiter[0] <= target]
                self._waiters = [waiter for waiter in self._waiters if waiter[0] > target]
                self._flushed_changed.notify_all()
            _settle(ready, None)
            if taken:
                metrics.FSYNC_SECONDS.observe(synced - started)
            if target > previous:
                metrics.GROUP_SIZE.observe(target - previous)
                metrics.FLUSHED_LSN.set(target)
            if stopping:
                return


def _settle(waiters: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]],
            error: DatabaseError | None) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for _, loop, future in waiters:
        by_loop.setdefault(loop, []).append(future)
    for loop, futures in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            loop.call_soon_threadsafe(_settle_futures, futures, error)


def _settle_futures(futures: list[asyncio.Future[None]], error: DatabaseError | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
