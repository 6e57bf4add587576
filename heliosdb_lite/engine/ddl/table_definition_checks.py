"""The checks PostgreSQL makes on the column and constraint list of a CREATE TABLE before creating
anything, which SQLite makes otherwise or not at all: a column named twice (42701), NULL beside
NOT NULL (42601), two defaults or a default on a serial column (42601), more than one primary key
(42P16), a key naming a column the table does not have (42703); and on a CREATE VIEW's columns
(two of one name, 42701; more names than columns, 42601)."""

from __future__ import annotations

from sqlglot import exp

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import (
    DUPLICATE_COLUMN,
    INVALID_TABLE_DEFINITION,
    SYNTAX_ERROR,
    UNDEFINED_COLUMN,
    DatabaseError,
)


def _key_columns(definition: exp.Expr) -> list[str]:
    inner = definition.expressions[0] if isinstance(definition, exp.Constraint) else definition
    if isinstance(inner, exp.PrimaryKey):
        return [key.name for key in inner.expressions]
    if isinstance(inner, exp.UniqueColumnConstraint) and isinstance(inner.this, exp.Schema):
        return [key.name for key in inner.this.expressions]
    return []


def _is_primary_key(definition: exp.Expr) -> bool:
    inner = definition.expressions[0] if isinstance(definition, exp.Constraint) else definition
    return isinstance(inner, exp.PrimaryKey)


def check_definitions(table: str, columns: list[exp.ColumnDef], others: list[exp.Expr]) -> None:
    """Raise PostgreSQL's error for the first fault of a CREATE TABLE's definitions (table: its
    name as written)."""
    seen: set[str] = set()
    primary_keys = sum(1 for definition in others if _is_primary_key(definition))
    for column in columns:
        name = column.name
        if name in seen:
            raise DatabaseError(DUPLICATE_COLUMN, f'column "{name}" specified more than once')
        seen.add(name)
        kinds = [constraint.kind for constraint in column.constraints]
        nullability = {bool(kind.args.get("allow_null")) for kind in kinds
                       if isinstance(kind, exp.NotNullColumnConstraint)}
        if len(nullability) > 1:
            raise DatabaseError(SYNTAX_ERROR, f'conflicting NULL/NOT NULL declarations for column "{name}" '
                                              f'of table "{table}"')
        defaults = sum(1 for kind in kinds if isinstance(kind, exp.DefaultColumnConstraint))
        serial = column.args.get("kind") is not None and column.args["kind"].this in t.SERIAL_DTYPES
        if defaults + serial > 1:
            raise DatabaseError(SYNTAX_ERROR, f'multiple default values specified for column "{name}" '
                                              f'of table "{table}"')
        primary_keys += sum(1 for kind in kinds if isinstance(kind, exp.PrimaryKeyColumnConstraint))
    if primary_keys > 1:
        raise DatabaseError(INVALID_TABLE_DEFINITION,
                            f'multiple primary keys for table "{table}" are not allowed')
    for definition in others:
        for key in _key_columns(definition):
            if key not in seen:
                raise DatabaseError(UNDEFINED_COLUMN, f'column "{key}" named in key does not exist')


def check_view_columns(names: list[str], outputs: list[str]) -> None:
    """A view's column names (as listed, then its query's own names for the rest)."""
    if len(names) > len(outputs):
        raise DatabaseError(SYNTAX_ERROR, "CREATE VIEW specifies more column names than columns")
    seen: set[str] = set()
    for name in names + outputs[len(names):]:
        if name in seen:
            raise DatabaseError(DUPLICATE_COLUMN, f'column "{name}" specified more than once')
        seen.add(name)
