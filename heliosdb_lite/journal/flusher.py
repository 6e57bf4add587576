"""Group commit: one thread makes written entries durable in batches, one sync per batch.

An append requests a sync of its LSN at once (`request`), so the sync overlaps whatever the
committer does before it waits; committers then wait for their LSN (`wait` from asyncio,
`wait_sync` from threads). The flusher thread sleeps until a requested LSN is above the flushed
LSN, then asks the journal for everything written so far (`collect`: the last LSN and the
segments to sync), syncs it with no lock held, publishes the new flushed LSN and settles every
waiter it covers; asyncio futures are settled on their own loop through call_soon_threadsafe, one
call per loop and batch. Only then does it run `after_batch` (the journal's counters). Commits
that arrive during a sync join the next batch, so one sync covers many commits.

The wake-up of a lone committer is on its critical path (the flusher must start the sync, then
wake the event loop), so the flusher sleeps on a bare lock a request releases, not on a
Condition, and does nothing between waking and the sync but take the batch.

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
Waiter = tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]


class GroupCommit:
    """The flusher thread and the committers waiting on it."""

    def __init__(self, collect: Collect, sync: Sync, flushed_lsn: int, interval: float | None,
                 after_batch: Callable[[], None] = lambda: None) -> None:
        """`interval`: None to sync only on demand; else also sync whatever was written this
        often (the async sync mode, where nobody waits). `after_batch`: run by the flusher after
        each batch's waiters are settled, off their critical path."""
        self._collect = collect
        self._sync = sync
        self._interval = interval
        self._after_batch = after_batch
        self._lock = threading.Lock()
        self._flushed_changed = threading.Condition(self._lock)
        self._thread_waiters = 0  # threads in wait_sync
        # released to wake the flusher; held while it runs or sleeps. Released only by whoever
        # turns _sleeping from True to False, under _lock, so never released twice.
        self._wake = threading.Lock()
        self._wake.acquire()
        self._sleeping = False
        self._flushed = flushed_lsn
        self._requested = flushed_lsn
        self._waiters: list[Waiter] = []
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
            self._thread_waiters += 1
            try:
                while lsn > self._flushed and self._failure is None:
                    self._flushed_changed.wait()
            finally:
                self._thread_waiters -= 1
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
            self._wake_flusher()

    def _wake_flusher(self) -> None:
        """With _lock held: end the flusher's sleep, if it sleeps."""
        if self._sleeping:
            self._sleeping = False
            self._wake.release()

    def fail(self, error: DatabaseError) -> None:
        """Make every present and future wait raise `error`."""
        with self._lock:
            if self._failure is None:
                self._failure = error
            waiters, self._waiters = self._waiters, []
            self._flushed_changed.notify_all()
            self._wake_flusher()
        _settle(waiters, error)

    def stop(self) -> None:
        """Sync whatever was written, settle the waiters and end the thread."""
        with self._lock:
            self._stopping = True
            self._wake_flusher()
        self._thread.join()

    def _sleep(self) -> bool:
        """Sleep until there is work (or, with an interval, until it passes); False to end the thread."""
        while True:
            with self._lock:
                if self._failure is not None:
                    return False
                if self._requested > self._flushed or self._stopping:
                    return True
                self._sleeping = True
            woken = self._wake.acquire(timeout=-1 if self._interval is None else self._interval)
            if not woken:
                with self._lock:
                    if self._sleeping:  # nobody woke it: the interval passed
                        self._sleeping = False
                        return True
                self._wake.acquire()  # a wake-up raced the timeout: take the lock it released

    def _run(self) -> None:
        while self._sleep():
            with self._lock:
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
                ready, waiting = _split(self._waiters, target)
                self._waiters = waiting
                if self._thread_waiters:
                    self._flushed_changed.notify_all()
            if ready:
                _settle(ready, None)
            self._after_batch()
            if taken:
                metrics.FSYNC_SECONDS.observe(synced - started)
            if target > previous:
                metrics.GROUP_SIZE.observe(target - previous)
                metrics.FLUSHED_LSN.set(target)
            if stopping:
                return


def _split(waiters: list[Waiter], lsn: int) -> tuple[list[Waiter], list[Waiter]]:
    """(the waiters `lsn` covers, the others)."""
    if all(waiter[0] <= lsn for waiter in waiters):
        return waiters, []
    return [w for w in waiters if w[0] <= lsn], [w for w in waiters if w[0] > lsn]


def _settle(waiters: list[Waiter], error: DatabaseError | None) -> None:
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
