"""What each server session is doing, as pg_stat_activity shows it, and the engine's view of the
server's sessions (`engine.interface.Backend`: pg_backend_pid, pg_stat_activity, pg_cancel_backend,
pg_terminate_backend).

A session is `active` from the moment a query (or an Execute) starts until ReadyForQuery, then
`idle`, `idle in transaction` or `idle in transaction (aborted)` by its transaction status; its
transaction started with the first statement after an `idle` state. The engine calls the backend
from a worker thread: signals are handed to the event loop, which owns the sessions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from heliosdb_lite.engine.interface import Activity, NamedStatement, RoleStore, Statement

_IDLE_STATES = {"I": "idle", "T": "idle in transaction", "E": "idle in transaction (aborted)"}


@dataclass(slots=True)
class SessionActivity:
    """One session's row of pg_stat_activity, kept up to date by the session."""

    user: str
    database: str
    application_name: str
    client_address: str | None
    client_port: int | None
    backend_start: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    transaction_start: dt.datetime | None = None
    query_start: dt.datetime | None = None
    state_change: dt.datetime | None = None
    state: str = "idle"
    query: str = ""

    def started(self, query: str) -> None:
        now = dt.datetime.now(dt.UTC)
        if self.state == "idle":
            self.transaction_start = now
        self.state, self.query, self.query_start, self.state_change = "active", query, now, now

    def finished(self, transaction_status: str) -> None:
        self.state, self.state_change = _IDLE_STATES[transaction_status], dt.datetime.now(dt.UTC)
        if transaction_status == "I":
            self.transaction_start = None

    def row(self, process_id: int) -> Activity:
        return Activity(process_id, self.user, self.database, self.application_name, self.client_address,
                        self.client_port, self.backend_start, self.transaction_start, self.query_start,
                        self.state_change, self.state, self.query)


class Signallable(Protocol):
    """A server session as the backend sees it."""

    @property
    def process_id(self) -> int: ...

    @property
    def activity(self) -> SessionActivity: ...

    def named_statements(self) -> list[NamedStatement]: ...

    def named_statement(self, name: str) -> Statement | None: ...

    def deallocate(self, name: str | None) -> bool: ...

    def cancel_running_statement(self) -> None: ...

    def terminate(self) -> None: ...

    def terminating(self) -> None: ...


class ServerBackend:
    """`engine.interface.Backend` for one session: the server's sessions come from `sessions()`."""

    def __init__(self, session: Signallable, sessions: Callable[[], Sequence[Signallable]],
                 loop: asyncio.AbstractEventLoop, roles: RoleStore | None = None) -> None:
        self._session = session
        self._sessions = sessions
        self._loop = loop
        self.roles = roles

    @property
    def process_id(self) -> int:
        return self._session.process_id

    def activity(self) -> list[Activity]:
        return [session.activity.row(session.process_id) for session in self._sessions()]

    def prepared_statements(self) -> list[NamedStatement]:
        return self._session.named_statements()

    def statement(self, name: str) -> Statement | None:
        return self._session.named_statement(name)

    def deallocate(self, name: str | None) -> bool:
        """Called from the session's own statement, while its event loop awaits it: nothing else
        touches the session's statements meanwhile."""
        return self._session.deallocate(name)

    def signal(self, process_id: int, *, terminate: bool) -> bool:
        target = next((session for session in self._sessions() if session.process_id == process_id), None)
        if target is None:
            return False
        if terminate and target is self._session:  # its own statement ends it, before its result goes out
            target.terminating()
        self._loop.call_soon_threadsafe(target.terminate if terminate else target.cancel_running_statement)
        return True
