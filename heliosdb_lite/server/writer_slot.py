"""The writer slot (docs/design.md, "Transactions and the single writer"): one session at a time may
write, because SQLite has one writer. A session takes the slot before its first writing
statement and keeps it until its transaction ends; waiters queue first-come first-served in the
event loop (no thread blocked, no polling). Reads never take it.

A wait ends early, as PostgreSQL's lock waits do: lock_timeout → 55P03, statement_timeout →
57014, a CancelRequest → 57014.
"""

from __future__ import annotations

import asyncio
import collections

from heliosdb_lite.errors import LOCK_NOT_AVAILABLE, QUERY_CANCELED, DatabaseError

_CANCELED = "canceling statement due to user request"


class WriterSlot:
    """A FIFO lock owned by sessions: `release` hands it to the first waiter still waiting, so a
    newcomer never takes it ahead of one; a wait ends early through `SlotWait.cancel()`."""

    def __init__(self) -> None:
        self._held = False
        self._queue: collections.deque[SlotWait] = collections.deque()
        self.waiting = 0  # sessions in SlotWait.acquire

    def take_if_free(self) -> bool:
        """Take the slot if it is free and nobody waits for it."""
        if self._held or self._queue:
            return False
        self._held = True
        return True

    def begin_wait(self) -> SlotWait:
        return SlotWait(self)

    def queue(self, wait: SlotWait) -> None:
        """`wait` waits from now on (SlotWait.acquire)."""
        self._queue.append(wait)
        self.waiting += 1

    def release(self) -> None:
        queue = self._queue
        while queue:
            if queue.popleft().grant():
                return
        self._held = False


class SlotWait:
    """One session's wait for the slot: a future in the slot's queue, ended by the slot's grant,
    a timeout or a cancel, whichever comes first."""

    def __init__(self, slot: WriterSlot) -> None:
        self._slot = slot
        self._future: asyncio.Future[None] | None = None
        self._cancelled = False

    def grant(self) -> bool:
        """The slot passes to this wait; False if the wait already ended (nothing was handed over)."""
        future = self._future
        if future is None or future.done():
            return False
        future.set_result(None)
        return True

    def cancel(self) -> None:
        self._cancelled = True
        self._end(DatabaseError(QUERY_CANCELED, _CANCELED))

    def _end(self, error: DatabaseError) -> None:
        future = self._future
        if future is not None and not future.done():
            future.set_exception(error)

    async def acquire(self, *, lock_timeout_ms: int, statement_timeout_ms: int) -> None:
        """Wait for the slot; raises DatabaseError if the wait times out or is cancelled."""
        if self._cancelled:
            raise DatabaseError(QUERY_CANCELED, _CANCELED)
        limits = [(ms, kind) for ms, kind in ((lock_timeout_ms, "lock"), (statement_timeout_ms, "statement"))
                  if ms > 0]
        timeout_ms, kind = min(limits) if limits else (0, "")
        loop = asyncio.get_running_loop()
        future = self._future = loop.create_future()
        timer = None
        if timeout_ms:
            expired = DatabaseError(LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout")
            if kind == "statement":
                expired = DatabaseError(QUERY_CANCELED, "canceling statement due to statement timeout")
            timer = loop.call_later(timeout_ms / 1000, self._end, expired)
        self._slot.queue(self)
        try:
            await future
        except BaseException:
            if future.done() and not future.cancelled() and future.exception() is None:
                self._slot.release()  # granted as the wait ended another way: hand it on
            raise
        finally:
            self._slot.waiting -= 1
            if timer is not None:
                timer.cancel()
        if self._cancelled:  # granted just as the wait was cancelled: give it back
            self._slot.release()
            raise DatabaseError(QUERY_CANCELED, _CANCELED)
