"""Shorthands for engine tests: run a statement on a session, get its rows, value or error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from heliosdb_lite.engine.interface import Cursor
from heliosdb_lite.engine.session import SQLiteSession
from heliosdb_lite.errors import DatabaseError


def run(session: SQLiteSession, sql: str, params: Sequence[Any] = (), oids: Sequence[int] = ()) -> Cursor:
    """Prepare and execute one statement."""
    return session.execute(session.prepare(sql, oids), params)


def rows(session: SQLiteSession, sql: str, params: Sequence[Any] = (), oids: Sequence[int] = ()
         ) -> list[tuple[Any, ...]]:
    return run(session, sql, params, oids).fetch(0)


def value(session: SQLiteSession, sql: str, params: Sequence[Any] = (), oids: Sequence[int] = ()) -> Any:
    (row,) = rows(session, sql, params, oids)
    (single,) = row
    return single


def error(session: SQLiteSession, sql: str, params: Sequence[Any] = ()) -> DatabaseError:
    """The DatabaseError a statement raises (when preparing or executing it)."""
    with pytest.raises(DatabaseError) as raised:
        run(session, sql, params)
    return raised.value


def columns(session: SQLiteSession, sql: str, oids: Sequence[int] = ()) -> list[tuple[str, int, int]]:
    """(name, type OID, typmod) of each result column, known before execution."""
    return [(c.name, c.type_oid, c.type_modifier) for c in session.prepare(sql, oids).columns or ()]
