"""Column defaults SQLite cannot keep: those of columns added by ALTER TABLE ... ADD COLUMN with a
default that is not a constant (serial, identity, now(), gen_random_uuid(), nextval(...)), and
those set or dropped later by ALTER COLUMN ... SET/DROP DEFAULT (SQLite cannot change a default).

SQLite refuses a non-constant default in ADD COLUMN, so such a column is added without one, the
rows already there get the default computed row by row (as PostgreSQL fills them), and the
default's SQLite expression is kept in `_helios_added_defaults(table_name, column_name,
expression)`; a recorded default takes the place of the one in the table's SQLite definition
(NULL: none). The catalog reads it as the column's default; INSERT and COPY FROM fill the column
with it when they give no value. Dropping or renaming the table or column keeps the rows in step.
"""

from __future__ import annotations

import re

import apsw

from heliosdb_lite.engine.sql.quoting import string_literal

TABLE = "_helios_added_defaults"
NO_DEFAULT = "NULL"  # recorded by ALTER COLUMN ... DROP DEFAULT
CREATE_TABLE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
                "expression TEXT NOT NULL, PRIMARY KEY (table_name, column_name))")
_FUNCTION_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*\(")


def is_constant(expression: str) -> bool:
    """Whether SQLite takes `expression` as an added column's default (no function call in it)."""
    return _FUNCTION_CALL.search(expression) is None


def load(connection: apsw.Connection, table: str) -> dict[str, str]:
    """column name (lower case) → SQLite expression, for `table`."""
    rows: list[tuple[str, str]] = list(connection.execute(
        f"SELECT column_name, expression FROM {TABLE} WHERE table_name = ?", (table,)))
    return {column.lower(): expression for column, expression in rows}


def recorded(table: str, column: str, expression: str) -> str:
    return (f"INSERT OR REPLACE INTO {TABLE} (table_name, column_name, expression) "
            f"VALUES ({string_literal(table)}, {string_literal(column)}, {string_literal(expression)})")


def table_dropped(table: str) -> str:
    return f"DELETE FROM {TABLE} WHERE table_name = {string_literal(table)}"


def column_dropped(table: str, column: str) -> str:
    return (f"DELETE FROM {TABLE} WHERE table_name = {string_literal(table)} "
            f"AND column_name = {string_literal(column)}")


def table_renamed(old: str, new: str) -> str:
    return f"UPDATE {TABLE} SET table_name = {string_literal(new)} WHERE table_name = {string_literal(old)}"


def column_renamed(table: str, old: str, new: str) -> str:
    return (f"UPDATE {TABLE} SET column_name = {string_literal(new)} "
            f"WHERE table_name = {string_literal(table)} AND column_name = {string_literal(old)}")


def prefix_renamed(old: str, new: str) -> str:
    """Tables whose names start with `old` (a schema's prefix) now start with `new`."""
    return (f"UPDATE {TABLE} SET table_name = {string_literal(new)} || substr(table_name, {len(old) + 1}) "
            f"WHERE substr(table_name, 1, {len(old)}) = {string_literal(old)}")


def dropped_where(condition: str) -> str:
    """The statement forgetting the added defaults of the tables `condition` (over table_name) selects."""
    return f"DELETE FROM {TABLE} WHERE {condition}"
