"""PostgreSQL's advisory locks, shared by every session of one engine.

Keys are one bigint or two ints (two key spaces, as PostgreSQL keeps them apart); locks are
exclusive or shared, held by the session (re-entrant: each lock needs its unlock) or by the
transaction (released when it ends; outside a block, at the end of the statement). A blocking
lock waits until it is granted, the statement is cancelled (57014, statement_timeout too) or
lock_timeout passes (55P03); a wait that would close a cycle of waiting sessions fails at once with
40P01, as PostgreSQL's deadlock check does. A session's locks go when it closes. pg_advisory_unlock
of a lock not held answers false with PostgreSQL's WARNING.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import (
    DEADLOCK_DETECTED,
    LOCK_NOT_AVAILABLE,
    QUERY_CANCELED,
    WARNING,
    DatabaseError,
)

Key = tuple[int, ...]  # (bigint,) or (int, int)
_LOCKING = tuple(f"pg_{'' if wait else 'try_'}advisory_{'xact_' if transaction else ''}lock"
                 f"{'_shared' if shared else ''}"
                 for transaction in (False, True) for shared in (False, True) for wait in (True, False))
WAITING = frozenset(name for name in _LOCKING if not name.startswith("pg_try_"))  # the functions that wait
# result type OIDs by function: void for a lock that waits, boolean for the others
RESULT_TYPES = {**{name: t.BOOL if name.startswith("pg_try_") else t.VOID for name in _LOCKING},
                "pg_advisory_unlock": t.BOOL, "pg_advisory_unlock_shared": t.BOOL,
                "pg_advisory_unlock_all": t.VOID}
_POLL_SECONDS = 0.05  # how often a waiter looks at its cancel event


class AdvisoryLocks:
    """The engine's advisory lock table: holders by key (exclusive or shared, with counts, for locks
    taken again by their holder) and who waits for what."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._held: dict[bool, dict[Key, Counter[object]]] = {False: {}, True: {}}  # by shared
        self._waiting: dict[object, Key] = {}
        self._waiting_shared: dict[object, bool] = {}

    def try_acquire(self, owner: object, key: Key, *, shared: bool) -> bool:
        with self._condition:
            return self._grant(owner, key, shared)

    def acquire(self, owner: object, key: Key, *, shared: bool, cancelled: threading.Event,
                timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while not self._grant(owner, key, shared):
                if self._closes_a_cycle(owner, key):
                    raise DatabaseError(DEADLOCK_DETECTED, "deadlock detected",
                                        detail=f"Waiting for advisory lock {key} would wait for itself.")
                if cancelled.is_set():
                    raise DatabaseError(QUERY_CANCELED, "canceling statement due to user request")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DatabaseError(LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout")
                self._waiting[owner] = key
                self._waiting_shared[owner] = shared
                try:
                    self._condition.wait(min(_POLL_SECONDS, remaining))
                finally:
                    del self._waiting[owner], self._waiting_shared[owner]

    def release(self, owner: object, key: Key, *, shared: bool) -> None:
        with self._condition:
            holders = self._held[shared][key]
            holders[owner] -= 1
            if holders[owner] == 0:
                del holders[owner]
            if not holders:
                del self._held[shared][key]
            self._condition.notify_all()

    def listed(self) -> list[tuple[object, Key, bool, bool]]:
        """(owner, key, shared, granted) of every lock held and every lock waited for (pg_locks)."""
        with self._condition:
            held = [(owner, key, shared, True) for shared, keys in self._held.items()
                    for key, holders in keys.items() for owner in holders]
            waiting = [(owner, key, self._waiting_shared.get(owner, False), False)
                       for owner, key in self._waiting.items()]
        return held + waiting

    def _grant(self, owner: object, key: Key, shared: bool) -> bool:
        others = self._holders(key, exclusive_only=shared) - {owner}
        if others:
            return False
        self._held[shared].setdefault(key, Counter())[owner] += 1
        return True

    def _holders(self, key: Key, *, exclusive_only: bool = False) -> set[object]:
        holders = set(self._held[False].get(key, ()))
        if not exclusive_only:
            holders |= set(self._held[True].get(key, ()))
        return holders

    def _closes_a_cycle(self, owner: object, key: Key) -> bool:
        """Whether a holder of `key` waits, directly or through others, for a lock `owner` holds."""
        seen: set[object] = set()
        frontier = list(self._holders(key) - {owner})
        while frontier:
            holder = frontier.pop()
            if holder in seen:
                continue
            seen.add(holder)
            wanted = self._waiting.get(holder)
            if wanted is None:
                continue
            blockers = self._holders(wanted)
            if owner in blockers:
                return True
            frontier.extend(blockers - seen)
        return False


class SessionAdvisoryLocks:
    """One session's advisory locks: counts of what it holds (re-entrant), the transaction's ones."""

    def __init__(self, table: AdvisoryLocks, cancelled: threading.Event, lock_timeout_s: Callable[[], float],
                 warn: Callable[[DatabaseError], None]) -> None:
        """lock_timeout_s: the statement's lock_timeout in seconds (inf: wait as long as needed)."""
        self._table = table
        self._cancelled = cancelled
        self._lock_timeout_s = lock_timeout_s
        self._warn = warn
        self._held: Counter[tuple[Key, bool]] = Counter()
        self._transaction: list[tuple[Key, bool]] = []
        self._in_block = False
        self.process_id: Callable[[], int] = os.getpid  # the session's backend, as pg_locks shows it

    def lock(self, key: Key, *, shared: bool, transaction: bool, wait: bool) -> bool:
        if wait:
            self._table.acquire(self, key, shared=shared, cancelled=self._cancelled,
                                timeout_s=self._lock_timeout_s())
        elif not self._table.try_acquire(self, key, shared=shared):
            return False
        if not transaction:
            self._held[(key, shared)] += 1
        elif self._in_block:
            self._transaction.append((key, shared))
        else:  # no block: the statement's transaction ends with the statement
            self._table.release(self, key, shared=shared)
        return True

    def unlock(self, key: Key, *, shared: bool) -> bool:
        if self._held[(key, shared)] <= 0:
            kind = "Share" if shared else "Exclusive"
            self._warn(DatabaseError(WARNING, f"you don't own a lock of type {kind}Lock", severity="WARNING"))
            return False
        self._held[(key, shared)] -= 1
        self._table.release(self, key, shared=shared)
        return True

    def unlock_all(self) -> None:
        """pg_advisory_unlock_all, and the session's end: every session-level lock goes."""
        for (key, shared), count in list(self._held.items()):
            for _ in range(count):
                self._table.release(self, key, shared=shared)
        self._held.clear()

    def close(self) -> None:
        self.unlock_all()
        self.rollback()

    def functions(self) -> dict[str, Callable[..., Any]]:
        """The SQL functions by name: pg_[try_]advisory_[xact_]lock[_shared] (each on one bigint key
        or two int keys), pg_advisory_unlock[_shared], pg_advisory_unlock_all."""
        functions: dict[str, Callable[..., Any]] = {
            name: self._locking(shared=name.endswith("_shared"), transaction="_xact_" in name,
                                wait=name in WAITING) for name in _LOCKING}
        functions["pg_advisory_unlock"] = self._unlocking(shared=False)
        functions["pg_advisory_unlock_shared"] = self._unlocking(shared=True)
        functions["pg_advisory_unlock_all"] = self.unlock_all
        return functions

    def _locking(self, *, shared: bool, transaction: bool, wait: bool) -> Callable[..., Any]:
        def call(*key: int | None) -> int | None:
            if any(part is None for part in key):
                return None
            granted = self.lock(tuple(int(part) for part in key if part is not None), shared=shared,
                                transaction=transaction, wait=wait)
            return None if wait else int(granted)
        return call

    def _unlocking(self, *, shared: bool) -> Callable[..., Any]:
        def call(*key: int | None) -> int | None:
            if any(part is None for part in key):
                return None
            return int(self.unlock(tuple(int(part) for part in key if part is not None), shared=shared))
        return call

    # --- the transaction ---------------------------------------------------------------------------------

    def begin(self) -> None:
        self._in_block = True

    def commit(self) -> None:
        self.rollback()

    def rollback(self) -> None:
        for key, shared in self._transaction:
            self._table.release(self, key, shared=shared)
        self._transaction.clear()
        self._in_block = False

    def savepoint(self) -> None:
        """Transaction-level locks are kept until the transaction ends, savepoints or not."""

    def release(self, depth: int) -> None:
        """As `savepoint`."""

    def rollback_to(self, depth: int) -> None:
        """As `savepoint`."""
