"""The table OID and column number RowDescription reports for each result column.

PostgreSQL reports them for a result column that is a plain reference to a table's column, seen
through subqueries, CTEs and joins (the table's pg_class OID and the column's pg_attribute attnum),
and 0 for anything else: expressions, the columns of a set operation. SQLite's column metadata
(`sqlite3_column_table_name`/`origin_name`, apsw's `description_full`) follows the same paths,
with two differences handled here: it also names the table under a set operation (the caller says
when the statement is one), and it sees through views, where PostgreSQL reports the view (a query
that reads a view gets no origins at all). Origins are only reported for the user's tables, with
the OIDs and numbers the emulated catalog gives them (`pg_catalog.reader`).
"""

from __future__ import annotations

from collections.abc import Sequence

import apsw
import apsw.ext

from heliosdb_lite.engine.pg_catalog.reader import TEMPORARY_SCHEMA, object_oid
from heliosdb_lite.engine.store import schemas

NO_ORIGIN = (0, 0)
_INTERNAL_PREFIXES = ("_helios", "sqlite_")
_LISTINGS = {"main": "sqlite_schema", "temp": "sqlite_temp_schema"}


def origins(connection: apsw.Connection, info: apsw.ext.QueryDetails,
            set_operation: bool) -> tuple[tuple[int, int], ...]:
    """(table OID, column number) of each column of `info.description_full`, NO_ORIGIN where
    PostgreSQL reports none. Without `info.actions` (query_info's actions=False) the views a
    statement reads are not seen, and their columns report the table beneath them."""
    described = info.description_full or ()
    if set_operation or _reads_a_view(connection, info.actions or ()):
        return (NO_ORIGIN,) * len(described)
    return tuple(_origin(connection, database, table, column)
                 for _, _, database, table, column in described)


def _reads_a_view(connection: apsw.Connection, actions: Sequence[apsw.ext.QueryAction]) -> bool:
    return any(action.trigger_or_view is not None and _kind(connection, action.database_name or "main",
                                                           action.trigger_or_view) == "view"
               for action in actions if action.action_name == "SQLITE_READ")


def _kind(connection: apsw.Connection, database: str, name: str) -> str | None:
    listing = _LISTINGS.get(database)
    if listing is None:
        return None
    rows: list[tuple[str, str | None]] = list(
        connection.execute(f"SELECT type, sql FROM {listing} WHERE name = ?", (name,)))
    if not rows:
        return None
    kind, sql = rows[0]
    return "virtual" if kind == "table" and str(sql).upper().startswith("CREATE VIRTUAL") else kind


def _origin(connection: apsw.Connection, database: str | None, table: str | None,
            column: str | None) -> tuple[int, int]:
    if database is None or table is None or column is None or table.lower().startswith(_INTERNAL_PREFIXES):
        return NO_ORIGIN
    if _kind(connection, database, table) != "table":
        return NO_ORIGIN
    numbers: list[tuple[int]] = list(connection.execute(
        "SELECT cid FROM pragma_table_info(?, ?) WHERE name = ?", (table, database, column)))
    if not numbers:
        return NO_ORIGIN
    storage = table if database == "main" else schemas.storage_name(TEMPORARY_SCHEMA, table)
    return object_oid(storage), numbers[0][0] + 1
