"""Small builders of the SQLite nodes the translator emits, shared by its modules: function calls
(`call`), literals of stored values, parameter numbers, and the collations that make SQLite compare a
value as PostgreSQL compares its type."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.store import user_types
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.value_storage import NAN_TEXT


def bool_output(node: exp.Expr) -> exp.Expr:
    """A stored bool (1/0/NULL) as PostgreSQL's output text t/f, NULL kept."""
    return exp.Case(this=node, ifs=[exp.If(this=exp.Literal.number(1), true=exp.Literal.string("t")),
                                    exp.If(this=exp.Literal.number(0), true=exp.Literal.string("f"))])


def storage_literal(value: Any) -> exp.Expr:
    """A SQLite literal for a stored value."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Literal.number(int(value))
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        if value != value:  # SQLite would take a NaN for NULL: stored as the text 'NaN'
            return exp.Literal.string(NAN_TEXT)
        return exp.Literal.number(repr(value)) if abs(value) != float("inf") \
            else exp.Literal.number("9e999" if value > 0 else "-9e999")
    if isinstance(value, bytes):
        return exp.HexString(this=value.hex())
    return exp.Literal.string(value)


def call(name: str, *args: exp.Expr | int | str) -> exp.Anonymous:
    """A SQL function call node; int and str arguments become literals."""
    nodes = [arg if isinstance(arg, exp.Expression) else
             exp.Literal.number(arg) if isinstance(arg, int) else exp.Literal.string(arg) for arg in args]
    return exp.Anonymous(this=name, expressions=nodes)


def parameter_number(node: exp.Expr) -> int | None:
    """n of a `$n` parameter, else None."""
    if isinstance(node, exp.Parameter) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return int(node.this.this)
    return None


def undeclared(node: exp.Expr, pg_type: PgType) -> exp.Expr:
    """A bare column reference as an expression without a declared type (SQLite would describe a
    result column by the column's), compared as pg_type compares; other nodes unchanged."""
    return explicitly_collated(node, pg_type) if isinstance(node, exp.Column) else node


def collated(node: exp.Expr, pg_type: PgType) -> exp.Expr:
    """`node` compared as pg_type compares: with its type's collation (`functions.names.COLLATIONS`),
    if it has one and node has none yet."""
    collation = fn.COLLATIONS.get(pg_type.oid) or array_functions.COLLATIONS.get(pg_type.oid) \
        or user_types.collation(pg_type.oid)
    if collation is None or isinstance(node, exp.Collate):
        return node
    return exp.Collate(this=node, expression=exp.Var(this=collation))


def explicitly_collated(node: exp.Expr, pg_type: PgType) -> exp.Expr:
    """`node` compared as its type compares, BINARY where the type has no collation of its own: SQLite
    gives a CASE the collation of a COLLATE inside it (a WHEN comparing intervals), which would
    then compare the CASE's values as intervals."""
    with_collation = collated(node, pg_type)
    return with_collation if with_collation is not node \
        else exp.Collate(this=node, expression=exp.Var(this="BINARY"))


def is_unknown_literal(node: exp.Expr) -> bool:
    """Whether a translated node is a quoted literal (E'', $$ $$ too) or NULL: the only `unknown`
    values PostgreSQL has (an expression of them, coalesce('a', 'b'), is text)."""
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Null) or (isinstance(node, exp.Literal) and node.is_string)
