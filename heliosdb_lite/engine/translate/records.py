"""Row values: the constructors ROW(...) and (a, b, ...), typed `record` (a row compared with a row,
`(a, b) = (1, 2)` or `IN`, stays SQLite's row-value comparison), and field selection `(row).field`
of a row constructor (fields f1, f2, ...) or of a value of a composite type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.translate.nodes import call, is_unknown_literal
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import UNDEFINED_COLUMN, WRONG_OBJECT_TYPE, DatabaseError
from heliosdb_lite.protocol.codecs import user_types
from heliosdb_lite.protocol.codecs.oids import RECORD

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Handler, Translator

RECORD_TYPE = PgType(RECORD)
# where a row constructor is an operand of a row comparison, which SQLite makes itself
_ROW_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.NullSafeEQ, exp.NullSafeNEQ,
                    exp.In, exp.Between)


def is_row_constructor(node: exp.Expr) -> bool:
    return isinstance(node, exp.Tuple) or (isinstance(node, exp.Anonymous) and node.name.lower() == "row")


def _compared(node: exp.Expr) -> bool:
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    if isinstance(parent, exp.EQ) and isinstance(parent.parent, exp.Update):
        return False  # UPDATE ... SET column = ROW(...): an assignment
    if isinstance(parent, exp.Binary) and isinstance(parent, _ROW_COMPARISONS):
        side: exp.Expr | None = node  # the operand (node, or the parentheses around it)
        while side is not None and side.parent is not parent:
            side = side.parent
        other = parent.expression if side is parent.this else parent.this
        while isinstance(other, exp.Paren):
            other = other.this
        # a row with a row or a subquery's row; with anything else ($1, a composite value), records
        return is_row_constructor(other) or isinstance(other, exp.Subquery | exp.Query)
    return isinstance(parent, _ROW_COMPARISONS)


def row(translator: Translator, node: exp.Tuple | exp.Anonymous, scope: Scope) -> Typed:
    """ROW(...) or (a, b, ...): a stored record of its fields, or a row value in a comparison."""
    if _compared(node):
        if isinstance(node, exp.Anonymous):
            node = exp.Tuple(expressions=node.expressions)
        return translator.generic(node, scope)
    fields = [_field(translator, item, scope) for item in node.expressions]
    arguments = [argument for value, pg_type in fields
                 for argument in (exp.Literal.number(pg_type.oid), value)]
    return call(fn.ROW, *arguments), RECORD_TYPE


def _field(translator: Translator, item: exp.Expr, scope: Scope) -> Typed:
    value, pg_type = translator.expr(item, scope)
    if pg_type.is_unknown and not is_unknown_literal(value):  # a parameter is text; a literal stays unknown
        return translator.coerce(value, pg_type, t.TEXT_TYPE), t.TEXT_TYPE
    return value, pg_type


def is_null(translator: Translator, node: exp.Is, scope: Scope) -> exp.Expr:
    """ROW(...) IS NULL: every field is NULL; ROW(...) IS NOT NULL: no field is NULL."""
    negated = bool(node.args.get("negate"))
    tests: list[exp.Expr] = []
    for item in node.this.expressions:
        value, _ = translator.expr(item, scope)
        test: exp.Expr = exp.Is(this=value, expression=exp.Null())
        tests.append(exp.Not(this=test) if negated else test)
    every = exp.and_(*tests) if tests else exp.true()
    return exp.Paren(this=every)


def is_row_type(pg_type: PgType) -> bool:
    """Whether values of the type are rows: `record` or a composite type."""
    return pg_type.oid == RECORD or pg_type.oid in user_types.COMPOSITES


def value_is_null(value: exp.Expr, pg_type: PgType, *, negated: bool) -> exp.Expr:
    """A row value IS [NOT] NULL: NULL, or every field NULL / not NULL and no field NULL."""
    return call(fn.ROW_IS_NULL, value, pg_type.oid, int(negated))


def field_selection(translator: Translator, node: exp.Dot, scope: Scope) -> Typed:
    """(row).field: a row constructor's field fN, or a composite value's field by name."""
    inner = node.this.this
    selected = node.expression
    if not isinstance(selected, exp.Identifier):
        raise unsupported(f"field selection {node.sql('postgres')}")
    name = selected.name
    if is_row_constructor(inner):
        return _constructor_field(translator, inner.expressions, name, scope)
    value, pg_type = translator.expr(node.this, scope)
    composite = user_types.COMPOSITES.get(pg_type.oid)
    if composite is None:
        if pg_type.oid == RECORD:
            raise unsupported(f"field selection from a record of unknown fields: {node.sql('postgres')}")
        shown = format_type(pg_type.oid, -1)
        raise DatabaseError(WRONG_OBJECT_TYPE,
                            f"column notation .{name} applied to type {shown}, which is not a composite type")
    number = composite.position(name)
    if number is None:
        raise DatabaseError(UNDEFINED_COLUMN, f'column "{name}" not found in data type {composite.name}')
    _, field_oid, typmod = composite.fields[number]
    field_type = PgType(user_types.DOMAIN_BASES.get(field_oid, field_oid), typmod)  # a domain's: its base's
    return call(fn.ROW_FIELD, value, pg_type.oid, number), field_type


def _constructor_field(translator: Translator, items: Sequence[exp.Expr], name: str, scope: Scope) -> Typed:
    numbers = {f"f{number}": number for number in range(1, len(items) + 1)}
    if name not in numbers:
        raise DatabaseError(UNDEFINED_COLUMN, f'could not identify column "{name}" in record data type')
    return _field(translator, items[numbers[name] - 1], scope)


HANDLERS: dict[type[exp.Expr], Handler] = {exp.Tuple: row}
