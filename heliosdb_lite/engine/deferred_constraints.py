"""The checks SQLite makes at COMMIT, made before the commit protocol journals the transaction.

SQLite checks DEFERRABLE INITIALLY DEFERRED foreign keys (and all of them under
`PRAGMA defer_foreign_keys`) when the transaction commits. The commit protocol appends the journal
entry before SQLite's COMMIT, so a COMMIT refused there would leave the journal holding a
transaction the store does not have. `check` runs first, while the transaction can still roll back
cleanly: SQLite's count of unresolved deferred constraints (SQLITE_DBSTATUS_DEFERRED_FKS, one C
call) is zero on every commit that will succeed; when it is not, `foreign_key_check` finds a
violating row and the transaction fails with PostgreSQL's 23503 message.

A violation caused by deleting or re-keying a parent row is reported, like one caused by the
child row, as `insert or update on table "<child>"`: SQLite's check sees only the orphaned child.
"""

from __future__ import annotations

import apsw

from heliosdb_lite.engine.sql.quoting import quote_name
from heliosdb_lite.engine.store import constraint_names, schemas
from heliosdb_lite.errors import FOREIGN_KEY_VIOLATION, DatabaseError


def check(connection: apsw.Connection) -> None:
    """Raise 23503 if SQLite would refuse this connection's COMMIT for a deferred foreign key."""
    if connection.status(apsw.SQLITE_DBSTATUS_DEFERRED_FKS)[0] == 0:
        return
    raise _violation(connection) or DatabaseError(
        FOREIGN_KEY_VIOLATION, "insert or update violates a deferred foreign key constraint")


def _violation(connection: apsw.Connection) -> DatabaseError | None:
    for database in ("main", "temp"):
        # table, rowid (NULL for a WITHOUT ROWID table), parent, foreign key id
        violations: list[tuple[str, int | None, str, int]] = list(connection.execute(
            f"PRAGMA {database}.foreign_key_check"))
        for table, rowid, parent, key in violations:
            columns = [column for (column,) in connection.execute(
                'SELECT "from" FROM pragma_foreign_key_list(?, ?) WHERE id = ? ORDER BY seq',
                (table, database, key))]
            values = connection.execute(
                f"SELECT {', '.join(quote_name(c) for c in columns)} FROM {database}.{quote_name(table)} "
                "WHERE rowid = ?", (rowid,)).fetchone() if rowid is not None else None
            child = _shown(table)
            name = constraint_names.declared_foreign_keys(connection, table, database).get(key) \
                or constraint_names.foreign_key(child, columns)
            error = DatabaseError(FOREIGN_KEY_VIOLATION, f'insert or update on table "{child}" violates '
                                  f'foreign key constraint "{name}"')
            if values is not None:
                shown = ", ".join("null" if v is None else str(v) for v in values)
                error.detail = (f"Key ({', '.join(columns)})=({shown}) is not present in table "
                                f'"{_shown(parent)}".')
            return error
    return None


def _shown(stored: str) -> str:
    return schemas.split(stored)[1]
