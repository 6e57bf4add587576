"""CREATE TEMPORARY TABLE ... ON COMMIT DROP | DELETE ROWS | PRESERVE ROWS: the clause read off the
statement (sqlglot does not parse it), and what each commit then does to the session's temporary
tables, as in PostgreSQL: ON COMMIT DROP drops the table when its transaction commits (outside a
block, at once), DELETE ROWS empties it at every commit; a rollback forgets what the rolled-back
transaction created. The statements run after the commit, as the session's own, on the bare name,
which SQLite resolves to the temporary table before a permanent one of the same name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from heliosdb_lite.engine.sql.quoting import quote_identifier
from heliosdb_lite.errors import INVALID_TABLE_DEFINITION, UNDEFINED_TABLE, DatabaseError

_ON_COMMIT = re.compile(r"\s+on\s+commit\s+(drop|delete\s+rows|preserve\s+rows)\s*;?\s*$", re.IGNORECASE)
_CREATE_TABLE = re.compile(
    r'\s*create\s+(?:(?:global|local)\s+)?(?P<temporary>temp|temporary)?\s*(?:unlogged\s+)?table\s+'
    r'(?:if\s+not\s+exists\s+)?(?P<name>"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*\(', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class OnCommit:
    table: str  # the temporary table's name
    action: str  # drop | delete rows | preserve rows


def split_on_commit(sql: str) -> tuple[str, OnCommit | None]:
    """The statement without a trailing ON COMMIT clause, and the clause (None without one); 42P16
    for ON COMMIT on a table that is not temporary."""
    create = _CREATE_TABLE.match(sql)  # anchored: fails at once for any other statement (every prepare)
    clause = _ON_COMMIT.search(sql) if create is not None else None
    if create is None or clause is None:
        return sql, None
    if create.group("temporary") is None:
        raise DatabaseError(INVALID_TABLE_DEFINITION, "ON COMMIT can only be used on temporary tables")
    name = create.group("name")
    name = name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()
    return sql[:clause.start()], OnCommit(name, " ".join(clause.group(1).lower().split()))


class OnCommitActions:
    """The session's temporary tables with an ON COMMIT action (a TransactionParticipant)."""

    def __init__(self, run: Callable[[str], None]) -> None:
        self._run = run  # runs one statement as the session's own, outside any block
        self._drop: list[str] = []  # to drop when the transaction commits
        self._emptied: set[str] = set()  # DELETE ROWS tables, of committed transactions
        self._emptied_new: list[str] = []  # ... and of this one
        self._in_block = False

    def created(self, on_commit: OnCommit) -> None:
        if on_commit.action == "drop":
            self._drop.append(on_commit.table)
        elif on_commit.action == "delete rows":
            self._emptied_new.append(on_commit.table)
        if not self._in_block:
            self.commit()

    def begin(self) -> None:
        self._in_block = True

    def commit(self) -> None:
        self._in_block = False
        if not (self._drop or self._emptied or self._emptied_new):  # after every autocommit statement
            return
        self._emptied.update(self._emptied_new)
        self._emptied_new.clear()
        dropped, self._drop = self._drop, []
        self._emptied.difference_update(dropped)
        for table in dropped:
            self._run(f"DROP TABLE IF EXISTS {quote_identifier(table)}")
        for table in sorted(self._emptied):
            try:
                self._run(f"DELETE FROM {quote_identifier(table)}")
            except DatabaseError as error:  # the client dropped it since
                if error.sqlstate != UNDEFINED_TABLE:
                    raise
                self._emptied.discard(table)

    def rollback(self) -> None:
        self._in_block = False
        self._drop.clear()
        self._emptied_new.clear()

    def savepoint(self) -> None:
        """ON COMMIT actions look at the whole transaction, savepoints or not."""

    def release(self, depth: int) -> None:
        """As `savepoint`."""

    def rollback_to(self, depth: int) -> None:
        """As `savepoint`."""
