"""A prepared statement (`PreparedStatement`, immutable and shared by every session through the
engine's statement cache), its result columns as RowDescription reports them, and the cursor of a
translated statement once it has run, with PostgreSQL's command tag."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from heliosdb_lite.engine.interface import Column, CopySpec, Cursor
from heliosdb_lite.engine.sql.copy_statement import CopyCommand
from heliosdb_lite.engine.sql.utility import TransactionCommand, UtilityCommand
from heliosdb_lite.engine.temporary_tables import OnCommit
from heliosdb_lite.engine.translate.result import OutputColumn, Translation
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import type_from_declared
from heliosdb_lite.engine.types.value_storage import Converter, from_storage


@dataclass(slots=True, unsafe_hash=True)
class PreparedStatement:
    """A statement ready to execute (implements `interface.Statement`); immutable and shareable.
    Immutable by convention, not frozen: a frozen dataclass's __init__ sets each of these fields
    through object.__setattr__ (2.7 µs against 0.3 µs), and one is built for every simple query with
    constants (`bound_to`). The hash and equality are a frozen one's (unsafe_hash)."""

    sql: str
    param_oids: tuple[int, ...]
    columns: tuple[Column, ...] | None
    copy: CopySpec | None = None
    utility: UtilityCommand | None = None
    translation: Translation | None = None
    copy_command: CopyCommand | None = None
    writes: bool = False
    sqlite_param_count: int = 0
    schema_version: int = -1
    schema_epoch: int | None = None  # Catalog.epoch when prepared during an uncommitted schema change
    readers: tuple[Converter, ...] = ()
    writers: tuple[Converter, ...] = ()
    literals: tuple[Any, ...] = ()  # values bound after the client's, for literal-normalised statements
    cursor_query: PreparedStatement | None = None  # DECLARE's query, run when the cursor is declared
    executes: PreparedStatement | None = None  # EXECUTE's prepared statement
    arguments: PreparedStatement | None = None  # EXECUTE's arguments: a SELECT of them, cast to its types
    on_commit: OnCommit | None = None  # CREATE TEMP TABLE ... ON COMMIT: what each commit does to it
    restartable: bool = False  # a read an interruption leaves nothing of (EngineSession.can_start_over)
    bounded_write: bool = False  # a write of a few rows found by key (write_bounds; can_write_inline)

    def bound_to(self, sql: str, literals: tuple[Any, ...]) -> PreparedStatement:
        """This literal-normalised template as the statement of `sql`, whose constants `literals`
        are bound after the client's values (dataclasses.replace, at half its cost: every simple
        query with constants comes this way)."""
        values = list(_FIELD_VALUES(self))
        values[_SQL], values[_PARAM_OIDS], values[_LITERALS] = sql, (), literals
        return PreparedStatement(*values)

    @property
    def ends_failed_transaction(self) -> bool:
        """COMMIT, ROLLBACK, ROLLBACK TO and PREPARE TRANSACTION (a ROLLBACK there) are the
        statements a failed transaction accepts."""
        return isinstance(self.utility, TransactionCommand) and self.utility.action in (
            "commit", "rollback", "rollback_to", "prepare_transaction")


_FIELD_NAMES = tuple(field.name for field in fields(PreparedStatement))
_FIELD_VALUES = operator.attrgetter(*_FIELD_NAMES)
_SQL, _PARAM_OIDS, _LITERALS = (_FIELD_NAMES.index(name) for name in ("sql", "param_oids", "literals"))


def result_columns(outputs: Sequence[OutputColumn], description: Sequence[tuple[str, str | None]],
             origins: Sequence[tuple[int, int]]) -> tuple[Column, ...]:
    """Result columns: names from the translator (PostgreSQL's), types from SQLite's declared types
    where it has them (direct column references), else from the translator; the table OID and
    column number of each (`result_origins`)."""
    if not outputs:  # SELECT with an empty select list (SQLite's one column stands in)
        return ()
    stars = [i for i, output in enumerate(outputs) if output.type is None and output.name == "*"]
    if not stars and len(outputs) == len(description):
        pairs = list(zip(outputs, description, strict=True))
    elif len(stars) == 1 and len(description) >= len(outputs) - 1:
        star = stars[0]
        width = len(description) - len(outputs) + 1
        expanded = [OutputColumn(name, None) for name, _ in description[star:star + width]]
        pairs = list(zip([*outputs[:star], *expanded, *outputs[star + 1:]], description, strict=True))
    else:
        pairs = [(OutputColumn(name, None), (name, declared)) for name, declared in description]
    columns = []
    for (output, (_, declared)), (table_oid, column_number) in zip(pairs, origins, strict=True):
        pg_type = type_from_declared(declared) or output.type or t.TEXT_TYPE
        columns.append(Column(output.name, pg_type.oid, pg_type.typmod, table_oid, column_number))
    return tuple(columns)


def result_type(columns: Sequence[Column] | None) -> tuple[tuple[str, int, int], ...] | None:
    """Names and types of result columns (not where they come from: a dropped column renumbers)."""
    return None if columns is None else tuple((c.name, c.type_oid, c.type_modifier) for c in columns)


def same_shape(exact: PreparedStatement, normalised: PreparedStatement) -> bool:
    """Whether a statement translated with its literals as parameters gives the same result shape
    (columns with types, command, writer or not) as with its literals."""
    assert exact.translation is not None and normalised.translation is not None
    return (exact.columns == normalised.columns and exact.writes == normalised.writes
            and exact.translation.command == normalised.translation.command
            and not normalised.translation.schema_change)


def readers(columns: Sequence[Column] | None) -> tuple[Converter, ...]:
    return tuple(from_storage(column.type_oid) for column in columns or ())


def executed(statement: PreparedStatement, translation: Translation, rows: list[tuple[Any, ...]],
             changes: int) -> Cursor:
    """The cursor of an executed translated statement, with PostgreSQL's command tag."""
    command = translation.command
    if statement.copy is not None:
        return Cursor(statement.columns, "COPY", len(rows), rows)
    if command == "INSERT":
        return Cursor(statement.columns, "INSERT 0", changes, rows)
    if command in ("UPDATE", "DELETE") or (command == "SELECT" and translation.schema_change):
        return Cursor(statement.columns, command, changes, rows)
    return Cursor(statement.columns, command, None, rows)
