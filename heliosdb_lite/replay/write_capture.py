"""What one write transaction changed in the store, in the order replay must redo it.

SQLite's session extension records row changes (a changeset) but no schema, and a changeset is
computed from the rows as they are when it is taken: it cannot be taken after a table it recorded
was dropped or renamed ("database schema has changed"), and replaying all DDL before all row
changes would apply rows to the wrong schema. So the capture is cut at every DDL statement and
every SAVEPOINT: the changes made so far become a step, the DDL is recorded after them, and a new
session starts. Replay (`replay.recovery`) runs the WriteSet's `schema_sql`, then each
step's changeset and DDL, then the final changeset.

The capture sees the SQL the connection runs through its exec tracer, installed while the capture
is open (statements outside a write transaction pay no callback); one regular expression picks out
the statements it cares about. Savepoints: the SQL the engine runs (`SAVEPOINT "s"`, `ROLLBACK TO
SAVEPOINT "s"`, `RELEASE SAVEPOINT "s"`). A ROLLBACK TO drops the steps and DDL
recorded since the savepoint (cutting at SAVEPOINT makes that exact) and restarts the capture; a
savepoint the capture did not see (made before the transaction first wrote) stands for its start.
DDL on the temp schema run inside a statement (temporary sequences' tables) is recorded without a
cut: temporary objects are not in a changeset, and a cut inside a running statement is unsafe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import apsw

from heliosdb_lite.journal import WriteSet, WriteStep
from heliosdb_lite.replay import txn_table

AUTOINCREMENT_TABLE = "sqlite_sequence"
_UNCAPTURED = (txn_table.TXN_TABLE, AUTOINCREMENT_TABLE)
# what `traced` may act on (DDL, savepoints): the tracer's quick test before the exact ones below
_NOTABLE = re.compile(r"\s*(CREATE|ALTER|DROP|SAVEPOINT|RELEASE|ROLLBACK)\b", re.IGNORECASE)
_DDL = re.compile(r"\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)
_TEMP_DDL = re.compile(r"\s*(CREATE\s+TEMP|(CREATE|ALTER|DROP)\s+\w+\s+(IF\s+(NOT\s+)?EXISTS\s+)?temp\.)",
                       re.IGNORECASE)
_SAVEPOINT = re.compile(
    r'\s*(SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK\s+TO\s+SAVEPOINT)\s+("(?:[^"]|"")*"|\S+)', re.IGNORECASE)


@dataclass
class _Step:
    changeset: bytes
    schema_sql: list[str] = field(default_factory=list)


@dataclass
class _Mark:
    """Where a savepoint was made: how many steps there were, and how long the DDL list then was."""

    name: str
    steps: int
    ddl: int


class WriteCapture:
    """The row changes and DDL of the transaction open on one connection."""

    def __init__(self, connection: apsw.Connection) -> None:
        self._connection = connection
        self._session = self._new_session()
        self._schema_sql: list[str] = []  # DDL before the first change
        self._steps: list[_Step] = []
        self._marks: list[_Mark] = []
        connection.exec_trace = self._trace

    def _new_session(self) -> apsw.Session:
        session = apsw.Session(self._connection, "main")
        session.config(apsw.SQLITE_SESSION_OBJCONFIG_ROWID, 1)
        session.table_filter(_captured)
        session.attach()
        return session

    def _ddl_list(self) -> list[str]:
        return self._steps[-1].schema_sql if self._steps else self._schema_sql

    def _cut(self) -> None:
        """The changes recorded so far become a step; a new session records what follows."""
        changes = self._session.changeset()
        if changes:
            self._steps.append(_Step(changes))
            self._restart()

    def _restart(self) -> None:
        self._session.close()
        self._session = self._new_session()

    def _trace(self, _cursor: apsw.Cursor, sql: str, _bindings: Any) -> bool:
        """The connection's exec tracer: `sql` is about to run."""
        if _NOTABLE.match(sql) is not None:
            self.traced(sql)
        return True

    def traced(self, sql: str) -> None:
        """A statement the connection is about to run."""
        savepoint = _SAVEPOINT.match(sql)
        if savepoint is not None:
            self._savepoint(savepoint.group(1).split()[0].upper(), savepoint.group(2))
        elif _DDL.match(sql):
            if not _TEMP_DDL.match(sql):
                self._cut()
            self._ddl_list().append(sql)

    def _savepoint(self, verb: str, name: str) -> None:
        if verb == "SAVEPOINT":
            self._cut()
            self._marks.append(_Mark(name, len(self._steps), len(self._ddl_list())))
            return
        found = next((i for i in range(len(self._marks) - 1, -1, -1) if self._marks[i].name == name), None)
        if verb == "RELEASE":
            del self._marks[found if found is not None else len(self._marks):]
            return
        mark = self._marks[found] if found is not None else _Mark(name, 0, 0)
        del self._marks[(found + 1) if found is not None else 0:]
        del self._steps[mark.steps:]
        del self._ddl_list()[mark.ddl:]
        self._restart()

    def write_set(self, autoincrement: dict[str, int]) -> WriteSet | None:
        """The transaction's writes in replay order; None if it changed nothing."""
        final = self._session.changeset()
        if not final and not self._steps and not self._schema_sql:
            return None
        parts = [*(step.changeset for step in self._steps), final]
        tables = sorted({change.name for part in parts if part for change in apsw.Changeset.iter(part)})
        steps = [WriteStep(memoryview(step.changeset), step.schema_sql) for step in self._steps]
        return WriteSet(tables=tables, changeset=memoryview(final), schema_sql=self._schema_sql,
                        autoincrement=autoincrement, steps=steps)

    def close(self) -> None:
        self._connection.exec_trace = None
        self._session.close()


def _captured(table: str) -> bool:
    """The session's table filter: every table but the commit protocol's own and SQLite's."""
    return table not in _UNCAPTURED
