"""DROP TABLE, DROP VIEW, DROP INDEX and TRUNCATE, rendered for SQLite by hand: what a dropped table
takes with it (its foreign-key triggers, recorded defaults, owned sequences and their rows, a
view's recorded column types), and TRUNCATE ... RESTART IDENTITY's sequences started again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.ddl.foreign_keys import dropped_with
from heliosdb_lite.engine.ddl.object_names import NO_OP, dropped, existing
from heliosdb_lite.engine.ddl.sequences import owned_sequences_dropped
from heliosdb_lite.engine.sql.quoting import quote_name, string_literal
from heliosdb_lite.engine.store import added_defaults, serial_sequences
from heliosdb_lite.engine.store.conventions import VIEW_COLUMNS_TABLE
from heliosdb_lite.engine.store.sequences import SEQUENCES_TABLE, TEMP_SEQUENCES_TABLE
from heliosdb_lite.engine.translate.result import unsupported

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_DROP_KINDS = {"TABLE": "DROP TABLE", "VIEW": "DROP VIEW", "INDEX": "DROP INDEX"}


def translate_drop(translator: Translator, node: exp.Drop) -> tuple[str, str]:
    kind = (node.args.get("kind") or "").upper()
    if kind not in _DROP_KINDS:
        raise unsupported(f"DROP {kind}")
    statements = []
    for table in node.args.get("tables") or node.expressions:
        name = dropped(translator, table, kind.lower(), bool(node.args.get("exists")))
        if name is None:
            continue
        if kind == "TABLE":
            statements += dropped_with(translator, name, bool(node.args.get("cascade")))
        statements.append(f"DROP {kind} {quote_name(name)}")
        if kind == "TABLE":
            statements.append(added_defaults.table_dropped(name))
            statements += owned_sequences_dropped(translator, name)
        if kind == "VIEW" and translator.catalog.table(VIEW_COLUMNS_TABLE) is not None:
            statements.append(f"DELETE FROM {VIEW_COLUMNS_TABLE} WHERE view = {string_literal(name)}")
        info = translator.catalog.table(name) if kind == "TABLE" else None
        statements += _serial_rows_deleted(translator, name, [c.sequence for c in info.columns if c.sequence]
                                           if info else [])
    return "; ".join(statements) or NO_OP, _DROP_KINDS[kind]


def translate_truncate(translator: Translator, node: exp.TruncateTable) -> str:
    statements = []
    for table in node.expressions:
        name = existing(translator, table)
        statements.append(f"DELETE FROM {quote_name(name)}")
        if (node.args.get("identity") or "").upper() == "RESTART":
            info = translator.catalog.table(name)
            drawn = [c.sequence for c in info.columns if c.sequence] if info else []
            statements += _serial_rows_deleted(translator, name, drawn)
            if info is not None and any(c.rowid_alias for c in info.columns):
                schema = serial_sequences.table_schema(translator.catalog.connection, name) or "main"
                statements.append(f"DELETE FROM {schema}.sqlite_sequence WHERE name = {string_literal(name)}")
    return "; ".join(statements)


def _serial_rows_deleted(translator: Translator, table: str, sequences: list[str]) -> list[str]:
    """Statements deleting the rows of a table's serial and identity columns' sequences: in the
    session's temporary sequence table for a temporary table (`serial_sequences`)."""
    connection = translator.catalog.connection
    temporary = serial_sequences.table_schema(connection, table) == "temp"
    values = TEMP_SEQUENCES_TABLE if temporary else SEQUENCES_TABLE
    if not sequences or (temporary and not connection.table_exists("temp", values)):
        return []
    listed = ", ".join(string_literal(sequence) for sequence in sequences)
    return [f"DELETE FROM {values} WHERE name IN ({listed})"]
