"""Whether a function the translator leaves to SQLite under its PostgreSQL name exists there, so that
a call of a function no one has is PostgreSQL's 42883 naming the argument types (with its hint), as
PostgreSQL writes it, rather than SQLite's error about the name sqlglot generated. SQLite's own
functions that PostgreSQL 15 does not have (its JSON functions json_extract, json_group_array, ...,
typeof, instr, hex, ifnull, ...) are no such function either: SQLite would answer where PostgreSQL
refuses, or answer otherwise."""

from __future__ import annotations

import apsw

# SQLite's built-in functions that PostgreSQL 15 has not (by pg_proc's names)
SQLITE_ONLY = frozenset({
    "changes", "glob", "group_concat", "hex", "if", "ifnull", "iif", "instr", "json", "json_array",
    "json_array_insert", "json_error_position", "json_extract", "json_group_array", "json_group_object",
    "json_insert", "json_patch", "json_pretty", "json_quote", "json_remove", "json_replace", "json_set",
    "json_type", "json_valid", "jsonb", "jsonb_array", "jsonb_array_insert", "jsonb_extract",
    "jsonb_group_array", "jsonb_group_object", "jsonb_patch", "jsonb_remove", "jsonb_replace", "julianday",
    "last_insert_rowid", "likelihood", "likely", "load_extension", "log2", "median", "percentile", "quote",
    "randomblob", "sqlite_compileoption_get", "sqlite_compileoption_used", "sqlite_log", "sqlite_source_id",
    "sqlite_version", "subtype", "timediff", "total", "total_changes", "typeof", "unhex", "unicode",
    "unistr_quote", "unixepoch", "unlikely", "zeroblob",
})
_registered: set[str] = set()  # names PRAGMA function_list has shown (the same on every session)


def exists(connection: apsw.Connection, name: str, called: str) -> bool:
    """Whether PostgreSQL's function `name` is SQLite's function `called` (its name, or SQLite's for
    the same function)."""
    if name in SQLITE_ONLY:
        return False
    if called not in _registered:  # read again: a function may have been registered since
        _registered.update(str(row[0]) for row in connection.execute("PRAGMA function_list"))
    return called in _registered
