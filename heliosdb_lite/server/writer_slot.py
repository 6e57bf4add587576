"""The writer slot (docs/design.md, "Transactions and the single writer"): one session at a time may
write, because SQLite has one writer. A session takes the slot before its first writing
statement and keeps it until its transaction ends; waiters queue first-come first-served in the
event loop (no thread blocked, no polling). Reads never take it.

A wait ends early, as PostgreSQL's lock waits do: lock_timeout → 55P03, statement_timeout →
57014, a CancelRequest → 57014.
"""

from __future__ import annotations

import asyncio

from heliosdb_lite.errors import LOCK_NOT_AVAILABLE, QUERY_CANCELED, DatabaseError


class WriterSlot:
    """A FIFO lock owned by sessions; `wait()` is cancellable through `SlotWait.cancel()`."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self.waiting = 0  # sessions in SlotWait.acquire

    async def take_if_free(self) -> bool:
        """Take the slot if it is free and nobody waits for it: at once, without a wait to set up
        (asyncio.Lock grants a free lock with no waiters without suspending)."""
        if self._lock.locked() or self.waiting:
            return False
        await self._lock.acquire()
        return True

    def begin_wait(self) -> SlotWait:
        return SlotWait(self)

    def release(self) -> None:
        self._lock.release()


class SlotWait:
    """One session's wait for the slot."""

    def __init__(self, slot: WriterSlot) -> None:
        self._slot = slot
        self._lock = slot._lock
        self._cancelled = asyncio.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    async def acquire(self, *, lock_timeout_ms: int, statement_timeout_ms: int) -> None:
        """Wait for the slot; raises DatabaseError if the wait times out or is cancelled."""
        limits = [(ms, kind) for ms, kind in ((lock_timeout_ms, "lock"), (statement_timeout_ms, "statement"))
                  if ms > 0]
        timeout_ms, kind = min(limits) if limits else (0, "")
        acquiring = asyncio.ensure_future(self._lock.acquire())
        cancelled = asyncio.ensure_future(self._cancelled.wait())
        self._slot.waiting += 1
        try:
            await asyncio.wait({acquiring, cancelled}, timeout=timeout_ms / 1000 if timeout_ms else None,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._slot.waiting -= 1
            cancelled.cancel()
            if not acquiring.done():
                acquiring.cancel()
        if acquiring.done() and not acquiring.cancelled():
            if not self._cancelled.is_set():
                return
            self._lock.release()  # granted just as the wait was cancelled: give it back
        if self._cancelled.is_set():
            raise DatabaseError(QUERY_CANCELED, "canceling statement due to user request")
        if kind == "lock":
            raise DatabaseError(LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout")
        raise DatabaseError(QUERY_CANCELED, "canceling statement due to statement timeout")
