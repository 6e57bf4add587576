"""One session's SQL-level prepared statements (PREPARE, EXECUTE, DEALLOCATE; parsed by
`sql.prepare_commands`).

PostgreSQL keeps them in one namespace with the protocol's named statements (Parse): EXECUTE runs
either kind, DEALLOCATE drops either kind (psycopg deallocates its protocol statements so), PREPARE
and Parse refuse a name the other holds (42P05). The protocol's are the server's; the engine reaches
them through its `Backend` (none in the embedded API). PREPARE is not transactional: a statement
stays after ROLLBACK, as in PostgreSQL. pg_prepared_statements shows these with from_sql true.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from heliosdb_lite.engine.interface import Backend, NamedStatement
from heliosdb_lite.errors import DUPLICATE_PREPARED_STATEMENT, INVALID_SQL_STATEMENT_NAME, DatabaseError

if TYPE_CHECKING:
    from heliosdb_lite.engine.prepared import PreparedStatement


@dataclass(frozen=True, slots=True)
class SqlPrepared:
    sql: str  # the PREPARE statement, as pg_prepared_statements shows it
    statement: PreparedStatement
    prepared_at: dt.datetime


def missing(name: str) -> DatabaseError:
    return DatabaseError(INVALID_SQL_STATEMENT_NAME, f'prepared statement "{name}" does not exist')


class SqlPreparedStatements:
    """The session's PREPAREd statements by name, beside the protocol's named ones (`backend`)."""

    def __init__(self) -> None:
        self._by_name: dict[str, SqlPrepared] = {}
        self.backend: Backend | None = None

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def lookup(self, name: str) -> Any:
        """The statement of either kind named `name` (26000 if there is none)."""
        prepared = self._by_name.get(name)
        if prepared is not None:
            return prepared.statement
        statement = self.backend.statement(name) if self.backend is not None and name else None
        if statement is None:
            raise missing(name)
        return statement

    def add(self, name: str, sql: str, statement: PreparedStatement) -> None:
        if name in self._by_name or (self.backend is not None and self.backend.statement(name) is not None):
            raise DatabaseError(DUPLICATE_PREPARED_STATEMENT, f'prepared statement "{name}" already exists')
        self._by_name[name] = SqlPrepared(sql, statement, dt.datetime.now(dt.UTC))

    def deallocate(self, name: str | None) -> None:
        """DEALLOCATE name (26000 if neither kind has it) or, for None, every named statement."""
        if name is None:
            self._by_name.clear()
            if self.backend is not None:
                self.backend.deallocate(None)
            return
        if self._by_name.pop(name, None) is None and not (self.backend is not None and name
                                                          and self.backend.deallocate(name)):
            raise missing(name)

    def named(self) -> list[NamedStatement]:
        return [NamedStatement(name, prepared.sql, prepared.prepared_at, prepared.statement.param_oids,
                               from_sql=True) for name, prepared in self._by_name.items()]
