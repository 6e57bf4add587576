"""Where the sequence of a serial or identity column lives, for the table in the store or a
temporary one (SQLite's temp schema, the session's own).

Such a sequence, `<table>_<column>_seq`, has no row of its own until it is first drawn from: a
serial primary key is SQLite's AUTOINCREMENT rowid, counted in the schema's `sqlite_sequence`;
any other serial or identity column's default calls nextval of it, and its row is made by the
first nextval or setval, in the store's sequence table or, for a temporary table's column, in the
session's temporary one (never journaled, gone with the session), as PostgreSQL keeps a temporary
table's sequence in pg_temp.
"""

from __future__ import annotations

import re

import apsw

from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.store import added_defaults

SCHEMAS = (("temp", "sqlite_temp_master"), ("main", "sqlite_master"))  # searched as PostgreSQL: pg_temp first
_DRAWING_DEFAULT = re.compile(r"nextval\('((?:[^']|'')+)'\)", re.IGNORECASE)


def sequence_name(table: str, column: str) -> str:
    """The sequence of a serial or identity column of `table` (storage name): `<table>_<column>_seq`."""
    return f"{table}_{column}_seq"


def drawing_default(sequence: str, nextval: str) -> str:
    """The SQLite default of a column that draws from `sequence`: nextval('<sequence>')."""
    return f"{nextval}({string_literal(sequence)})"


def drawn_sequence(default: str | None, *, whole: bool = False) -> str | None:
    """The sequence a column default draws from (`drawing_default`; with whole, only when the
    default is that call alone), None if it draws from none."""
    match = (_DRAWING_DEFAULT.fullmatch if whole else _DRAWING_DEFAULT.search)(default or "")
    return match.group(1).replace("''", "'") if match else None


def table_schema(connection: apsw.Connection, table: str) -> str | None:
    """The SQLite schema ('temp' or 'main') of the table, None if there is none of that name."""
    for schema, master in SCHEMAS:
        if connection.execute(f"SELECT 1 FROM {master} WHERE type = 'table' AND name = ?",
                              (table,)).fetchall():
            return schema
    return None


def default_schema(connection: apsw.Connection, sequence: str, nextval: str) -> str | None:
    """The schema of a table with a column defaulting to `nextval('<sequence>')`, if any: in its
    SQLite definition, or (a serial column added by ALTER TABLE) recorded in `added_defaults`."""
    drawing = drawing_default(sequence, nextval)
    for schema, master in SCHEMAS:
        if connection.execute(f"SELECT 1 FROM {master} WHERE type = 'table' AND instr(sql, ?)",
                              (drawing,)).fetchall():
            return schema
    if connection.table_exists("main", added_defaults.TABLE) and connection.execute(
            f"SELECT 1 FROM {added_defaults.TABLE} WHERE instr(expression, ?)", (drawing,)).fetchall():
        return "main"
    return None


def rowid_table(connection: apsw.Connection, sequence: str) -> tuple[str, str] | None:
    """(schema, table) of the table whose serial primary key (an AUTOINCREMENT rowid) is the
    sequence `<table>_<column>_seq`, if any."""
    stem = sequence.removesuffix("_seq")
    for split in (i for i, character in enumerate(stem) if character == "_" and sequence.endswith("_seq")):
        table, column = stem[:split], stem[split + 1:]
        for schema, master in SCHEMAS:
            created: list[tuple[str | None]] = list(connection.execute(
                f"SELECT sql FROM {master} WHERE type = 'table' AND name = ?", (table,)))
            if not created or "AUTOINCREMENT" not in (created[0][0] or "").upper():
                continue
            keys = [key for (key,) in connection.execute(
                "SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0", (table, schema))]
            if keys == [column]:
                return schema, table
    return None


def rowid_sequence_value(connection: apsw.Connection, schema: str, table: str) -> int:
    """The last value an AUTOINCREMENT rowid handed out (or was set to)."""
    rows: list[tuple[int | None]] = list(connection.execute(
        f"SELECT max(seq) FROM {schema}.sqlite_sequence WHERE name = ?", (table,)))
    return rows[0][0] or 0


def set_rowid_sequence(connection: apsw.Connection, schema: str, table: str, value: int) -> None:
    connection.execute(f"DELETE FROM {schema}.sqlite_sequence WHERE name = ?", (table,))
    connection.execute(f"INSERT INTO {schema}.sqlite_sequence(name, seq) VALUES (?, ?)", (table, value))
