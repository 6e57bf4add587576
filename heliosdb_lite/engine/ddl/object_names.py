"""Which stored object a DDL statement names: the storage names (`schemas`) of objects created,
altered and dropped, and PostgreSQL's errors and notices when they are missing or of another kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.store.sequences import Sequences
from heliosdb_lite.engine.store.table_info import object_kind
from heliosdb_lite.engine.translate.result import schema_of, unsupported
from heliosdb_lite.errors import (
    DEPENDENT_OBJECTS_STILL_EXIST,
    INVALID_SCHEMA_NAME,
    UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

NO_OP = "SELECT 1 WHERE 0"  # a statement with nothing left to do (all its objects skipped)


def schema_version_bump(table: str, column: str) -> list[str]:
    """Statements that change SQLite's schema version by re-creating an index on an engine table:
    after a change that is only a write to that table (which schemas exist, a recorded default),
    translations and catalog entries cached under the old version are not reused."""
    index = f"{table}_version"
    return [f"DROP INDEX IF EXISTS {index}", f"CREATE INDEX {index} ON {table} ({column})"]


def temporary(node: exp.Create) -> bool:
    properties = node.args.get("properties")
    return properties is not None and any(isinstance(p, exp.TemporaryProperty)
                                          for p in properties.expressions)


def existing(translator: Translator, table: exp.Expr,
              exists: Callable[[str], bool] | None = None) -> str:
    """The storage name of the existing table (or view, or what `exists` accepts) a DDL statement
    names."""
    if not isinstance(table, exp.Table):
        raise unsupported(f"object name {table.sql('postgres')}")
    return translator.relation(table, exists)


def created(translator: Translator, node: exp.Create, table: exp.Expr) -> str:
    """The storage name of the table, view or sequence a CREATE statement makes (a temporary table
    keeps its bare name: SQLite keeps it apart)."""
    if temporary(node) and isinstance(table, exp.Table) and table.args.get("db") is None:
        return table.name
    return translator.new_object(table)


def index_exists(translator: Translator) -> Callable[[str], bool]:
    connection = translator.catalog.connection
    return lambda stored: bool(connection.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?", (stored,)).fetchall())


def sequence_exists(translator: Translator) -> Callable[[str], bool]:
    """Whether a sequence (temporary or not) has the storage name (`sequences`)."""
    return Sequences(translator.catalog.connection).exists


def dropped(translator: Translator, table: exp.Expr, kind: str, if_exists: bool) -> str | None:
    """The storage name of the object a DROP names, None if it is missing and IF EXISTS was given
    (a notice says so); PostgreSQL's errors when it is missing or of another kind."""
    if not isinstance(table, exp.Table):
        raise unsupported(f"object name {table.sql('postgres')}")
    schema = schema_of(table)
    if schema is not None and schema not in translator.catalog.schemas():
        if if_exists:
            translator.notice(f'schema "{schema}" does not exist, skipping')
            return None
        raise DatabaseError(INVALID_SCHEMA_NAME, f'schema "{schema}" does not exist')
    connection = translator.catalog.connection
    if kind == "sequence":
        found = sequence_exists(translator)
    else:
        def found(stored: str) -> bool:
            return object_kind(connection, stored) is not None
    stored = translator.relation(table, found)
    if not found(stored):
        if if_exists:
            translator.notice(f'{kind} "{table.name}" does not exist, skipping')
            return None
        raise DatabaseError(UNDEFINED_OBJECT if kind == "index" else UNDEFINED_TABLE,
                            f'{kind} "{table.name}" does not exist')
    actual = kind if kind == "sequence" else object_kind(connection, stored)
    if actual != kind:
        raise DatabaseError(WRONG_OBJECT_TYPE, f'"{table.name}" is not {_article(kind)} {kind}',
                            hint=f"Use DROP {str(actual).upper()} to remove {_article(str(actual))} "
                                 f"{actual}.")
    return stored


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"


NAME_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1


def clipped(name: str, size: int) -> str:
    """`name` cut to at most `size` bytes of UTF-8, at a character's boundary (pg_mbcliplen)."""
    return name.encode()[:size].decode(errors="ignore")


def object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName: name1_name2_label within 63 bytes, the longer of name1 and name2
    shortened first (the label whole)."""
    first, second = name1.encode(), (name2 or "").encode()
    available = NAME_BYTES - len(label.encode()) - 1 - (1 if name2 else 0)
    size1, size2 = len(first), len(second)
    while size1 + size2 > available:
        if size1 > size2:
            size1 -= 1
        else:
            size2 -= 1
    parts = [clipped(name1, size1), *([clipped(name2, size2)] if name2 else []), label]
    return "_".join(parts)


def fails_if_rows(query: str, sqlstate: str, message: str) -> str:
    """A statement failing with a PostgreSQL error if `query` has rows (validating the rows already
    there against a constraint added later), else doing nothing."""
    return f"SELECT 1 WHERE {fn.FAIL_IF}(EXISTS ({query}), {string_literal(sqlstate)}, " \
           f"{string_literal(message)}) IS NULL"


def refuse_dependents(dropped: str, dependents: list[str], details: list[str] | None = None) -> None:
    """2BP01 when a DROP without CASCADE would take `dependents` with it (`dropped`: "table t"); the
    DETAIL's lines say what depends on it, or are `details` when given."""
    if dependents:
        raise DatabaseError(DEPENDENT_OBJECTS_STILL_EXIST,
                            f"cannot drop {dropped} because other objects depend on it",
                            detail="\n".join(details or [f"{what} depends on {dropped}"
                                                          for what in dependents]),
                            hint="Use DROP ... CASCADE to drop the dependent objects too.")


def cascade_notice(translator: Translator, dependents: list[str]) -> None:
    """PostgreSQL's NOTICE naming what a DROP ... CASCADE dropped with its object."""
    if len(dependents) == 1:
        translator.notice(f"drop cascades to {dependents[0]}")
    elif dependents:
        translator.notice(f"drop cascades to {len(dependents)} other objects",
                          "\n".join(f"drop cascades to {what}" for what in dependents))
