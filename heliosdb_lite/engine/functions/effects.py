"""The SQL functions a statement that is started over must not call (`EngineSession.can_start_over`:
a read interrupted by its time budget runs again, so nothing of its first run may remain).

Every function registered on a session's connection that is not known to be pure is named here
as it is registered: it may have an effect (pg_notify, set_config, advisory locks, nextval), wait
for something (pg_sleep; heliosdb_promote waits for the event loop, which a statement run on the
event loop holds) or read state that moves (now(), a replication status). The engine's pure
functions, aggregates and table functions are registered directly.

Those that may wait (a timer, a lock, the event loop) are also named as such: a write runs on the
event loop only if it calls none of them (`EngineSession.can_write_inline`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import apsw

from heliosdb_lite.engine.functions import table_valued

_NOT_PURE: set[str] = set()
_WAITING: set[str] = set()
_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_$]*)\s*\(")


def _named(name: str, waits: bool) -> None:
    _NOT_PURE.add(name.lower())
    if waits:
        _WAITING.add(name.lower())


def scalar(connection: apsw.Connection, name: str, function: Callable[..., Any], nargs: int = -1, *,
           waits: bool = False) -> None:
    """Register `name`, a scalar function that is not pure (and `waits`: may wait), on `connection`."""
    _named(name, waits)
    connection.create_scalar_function(name, function, nargs)


def table(connection: apsw.Connection, name: str, rows: table_valued.Rows, columns: tuple[str, ...], *,
          waits: bool = False) -> None:
    """Register `name`, a table function that is not pure (and `waits`: may wait), on `connection`."""
    _named(name, waits)
    table_valued.register(connection, name, rows, columns)


def _calls(sqlite_sql: str, names: set[str]) -> bool:
    return any(match.group(1).lower() in names for match in _CALL.finditer(sqlite_sql))


def calls_impure(sqlite_sql: str) -> bool:
    """Whether the (translated) statement calls a function registered here."""
    return _calls(sqlite_sql, _NOT_PURE)


def calls_waiting(sqlite_sql: str) -> bool:
    """Whether the (translated) statement calls a function registered here as one that may wait."""
    return _calls(sqlite_sql, _WAITING)
