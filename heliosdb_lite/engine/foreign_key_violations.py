"""PostgreSQL's 23503 for a foreign key SQLite's own enforcement refused: the message naming the
constraint, the DETAIL with the key (`Key (x)=(1) is not present in table "p".`, or for a parent
row's change `Key (id)=(1) is still referenced from table "c".`) and the error's schema, table and
constraint fields, as PostgreSQL's ri_ReportViolation sends them (its table is the referencing one).

SQLite says only `FOREIGN KEY constraint failed`, after undoing the statement. `probed` runs the
refused statement again in a savepoint under `PRAGMA defer_foreign_keys`, finds the row it left
without a parent (`PRAGMA foreign_key_check`, over the tables the statement can orphan rows of),
and rolls the savepoint back: the row's key is told as it was before the statement when the row
did not change (a parent row deleted or re-keyed under it), else as the statement wrote it.
`at_commit` describes a deferred key unresolved at COMMIT; SQLite's check then sees only the
orphaned row, so it is told as the referencing row's (`deferred_constraints`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import apsw

from heliosdb_lite.engine.pg_catalog.reader import TEMPORARY_SCHEMA
from heliosdb_lite.engine.sql.quoting import quote_name
from heliosdb_lite.engine.store import constraint_names, schemas
from heliosdb_lite.engine.types import casts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import FOREIGN_KEY_VIOLATION, DatabaseError

SQLITE_MESSAGE = "FOREIGN KEY constraint failed"  # all SQLite says of its own foreign keys
_PROBE = "helios_foreign_key_probe"
_DATABASES = ("main", "temp")


@dataclass(frozen=True, slots=True)
class _Violation:
    """A row `foreign_key_check` reports: its table (storage name), rowid, the referenced table and
    the foreign key's id in `foreign_key_list`."""

    database: str
    table: str
    rowid: int | None
    parent: str
    key: int


Shown = Callable[[int, Any], str]  # (type OID, a value as SQLite stores it) -> its text output


def probed(connection: apsw.Connection, run: Callable[[], object], target: str | None,
           shown: Shown = casts.stored_text) -> DatabaseError | None:
    """The 23503 PostgreSQL reports for the statement `run` runs, which SQLite refused for a
    foreign key, on table `target` (storage name; None: not known), inside the open transaction; None
    if it cannot be told (the statement then fails as SQLite said)."""
    if not connection.in_transaction:
        return None
    tables = _candidates(connection, target)
    before = _violations(connection, tables)
    connection.execute(f"SAVEPOINT {_PROBE}")
    try:
        connection.execute("PRAGMA defer_foreign_keys = ON")
        try:
            run()
        except apsw.Error:
            return None
        found = _violations(connection, tables) - before
        if not found:
            return None
        violation = min(found, key=lambda v: (v.table != target, v.rowid or 0, -v.key))
        columns, referenced = _key(connection, violation)
        written = _row(connection, violation, columns)
    finally:
        connection.execute(f"ROLLBACK TO SAVEPOINT {_PROBE}")  # spelled so `replay.write_capture` sees it
        connection.execute(f"RELEASE SAVEPOINT {_PROBE}")
        connection.execute("PRAGMA defer_foreign_keys = OFF")
    unchanged = written is not None and _row(connection, violation, columns) == written
    return _error(connection, violation, columns, referenced, written, parent_side=unchanged, shown=shown)


def at_commit(connection: apsw.Connection, shown: Shown = casts.stored_text) -> DatabaseError | None:
    """The 23503 for a deferred foreign key SQLite would refuse the COMMIT for; None if none is."""
    found = _violations(connection, None)
    if not found:
        return None
    violation = min(found, key=lambda v: (v.database, v.table, v.rowid or 0, -v.key))
    columns, referenced = _key(connection, violation)
    return _error(connection, violation, columns, referenced, _row(connection, violation, columns),
                  parent_side=False, shown=shown)


def _candidates(connection: apsw.Connection, target: str | None) -> list[tuple[str, str]] | None:
    """(database, table) of the tables a statement on `target` can leave rows without a parent in:
    it and the tables referencing it; None (every table) when the target is not known."""
    if target is None:
        return None
    found = []
    for database in _DATABASES:
        rows: list[tuple[str]] = list(connection.execute(
            f"SELECT m.name FROM {database}.sqlite_schema AS m, pragma_foreign_key_list(m.name, ?) AS f "
            "WHERE m.type = 'table' AND (m.name = ? OR f.\"table\" = ?) GROUP BY m.name",
            (database, target, target)))
        found += [(database, name) for (name,) in rows]
    return found


def _violations(connection: apsw.Connection, tables: list[tuple[str, str]] | None) -> set[_Violation]:
    checks = [(database, f"PRAGMA {database}.foreign_key_check({quote_name(table)})") for database, table
              in tables] if tables is not None else \
        [(database, f"PRAGMA {database}.foreign_key_check") for database in _DATABASES]
    found: set[_Violation] = set()
    for database, pragma in checks:
        rows: list[tuple[str, int | None, str, int]] = list(connection.execute(pragma))
        found.update(_Violation(database, table, rowid, parent, key) for table, rowid, parent, key in rows)
    return found


def _key(connection: apsw.Connection, violation: _Violation) -> tuple[list[str], list[str]]:
    """The foreign key's columns and the referenced table's columns they match."""
    rows: list[tuple[str, str | None]] = list(connection.execute(
        'SELECT "from", "to" FROM pragma_foreign_key_list(?, ?) WHERE id = ? ORDER BY seq',
        (violation.table, violation.database, violation.key)))
    columns = [column for column, _ in rows]
    if all(referenced is not None for _, referenced in rows):
        return columns, [str(referenced) for _, referenced in rows]
    keys: list[tuple[str]] = list(connection.execute("SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0 "
                                                     "ORDER BY pk", (violation.parent, violation.database)))
    return columns, [name for (name,) in keys]


def _row(connection: apsw.Connection, violation: _Violation, columns: list[str]) -> tuple[Any, ...] | None:
    """The key columns' values in the violating row as the store has them now (None: no such row)."""
    if violation.rowid is None:
        return None
    listed = ", ".join(quote_name(column) for column in columns)
    row = connection.execute(f"SELECT {listed} FROM {violation.database}.{quote_name(violation.table)} "
                             "WHERE rowid = ?", (violation.rowid,)).fetchone()
    return None if row is None else tuple(row)


def _types(connection: apsw.Connection, violation: _Violation, columns: list[str]) -> list[int]:
    declared = dict(connection.execute("SELECT name, type FROM pragma_table_info(?, ?)",
                                       (violation.table, violation.database)))
    return [(t.type_from_declared(declared.get(column)) or t.TEXT_TYPE).oid for column in columns]


def _error(connection: apsw.Connection, violation: _Violation, columns: list[str], referenced: list[str],
           values: tuple[Any, ...] | None, *, parent_side: bool, shown: Shown) -> DatabaseError:
    schema, child = schemas.split(violation.table)
    schema = TEMPORARY_SCHEMA if violation.database == "temp" else schema
    parent = schemas.split(violation.parent)[1]
    name = constraint_names.declared_foreign_keys(connection, violation.table, violation.database).get(
        violation.key) or constraint_names.foreign_key(child, columns)
    if parent_side:
        message = f'update or delete on table "{parent}" violates foreign key constraint "{name}" ' \
                  f'on table "{child}"'
    else:
        message = f'insert or update on table "{child}" violates foreign key constraint "{name}"'
    detail = None
    if values is not None:
        listed = ", ".join("null" if value is None else shown(oid, value)
                           for oid, value in zip(_types(connection, violation, columns), values, strict=True))
        detail = f'Key ({", ".join(referenced)})=({listed}) is still referenced from table "{child}".' \
            if parent_side else f'Key ({", ".join(columns)})=({listed}) is not present in table "{parent}".'
    return DatabaseError(FOREIGN_KEY_VIOLATION, message, detail=detail, schema_name=schema, table_name=child,
                         constraint_name=name)
