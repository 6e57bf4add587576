"""The checks SQLite makes at COMMIT, made before the commit protocol journals the transaction.

SQLite checks DEFERRABLE INITIALLY DEFERRED foreign keys (and all of them under
`PRAGMA defer_foreign_keys`) when the transaction commits. The commit protocol appends the journal
entry before SQLite's COMMIT, so a COMMIT refused there would leave the journal holding a
transaction the store does not have. `check` runs first, while the transaction can still roll back
cleanly: SQLite's count of unresolved deferred constraints (SQLITE_DBSTATUS_DEFERRED_FKS, one C
call) is zero on every commit that will succeed; when it is not, `foreign_key_check` finds a
violating row and the transaction fails with PostgreSQL's 23503 error (`foreign_key_violations`).

A violation caused by deleting or re-keying a parent row is reported, like one caused by the
child row, as `insert or update on table "<child>"`: SQLite's check sees only the orphaned child.
"""

from __future__ import annotations

import apsw

from heliosdb_lite.engine import foreign_key_violations
from heliosdb_lite.errors import FOREIGN_KEY_VIOLATION, DatabaseError


def check(connection: apsw.Connection) -> None:
    """Raise 23503 if SQLite would refuse this connection's COMMIT for a deferred foreign key."""
    if connection.status(apsw.SQLITE_DBSTATUS_DEFERRED_FKS)[0] == 0:
        return
    raise foreign_key_violations.at_commit(connection) or DatabaseError(
        FOREIGN_KEY_VIOLATION, "insert or update violates a deferred foreign key constraint")
