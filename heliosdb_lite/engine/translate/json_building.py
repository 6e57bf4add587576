"""Values into JSON: to_json, to_jsonb, array_to_json, row_to_json, json(b)_build_array,
json(b)_build_object, json(b)_object over text arrays, and the aggregates json(b)_agg and
json(b)_object_agg (with ORDER BY inside and FILTER), typed and checked as PostgreSQL 15 does.

Each value becomes its JSON text where it is computed (`JSON_VALUE`, `functions.json_values`), and
the builders and aggregates of `functions.json_building` put the texts together. A row whose field
names the translator knows — a row constructor (fields f1, f2, ...) or a whole-row reference to a
FROM item (`row_to_json(t)`, `json_agg(t)`) — is written here as an object of its fields; a value of
a composite type by the type's attributes; a record of no known field names is refused (0A000).
The jsonb forms are the json texts cast to jsonb (the aggregates normalise their result).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp

from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.functions.json_values import is_structured, not_scalar_key
from heliosdb_lite.engine.translate import hstore, records
from heliosdb_lite.engine.translate.nodes import call, parameter_number
from heliosdb_lite.engine.translate.queries import ordered
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    DATATYPE_MISMATCH,
    FEATURE_NOT_SUPPORTED,
    INDETERMINATE_DATATYPE,
    INVALID_COLUMN_REFERENCE,
    UNDEFINED_FUNCTION,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids, user_types

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

JSON_TYPE = PgType(t.JSON)
JSONB_TYPE = PgType(t.JSONB)
_TEXT_ARRAY = PgType(oids.TEXT_ARRAY)
_NOT_PRETTY = exp.Literal.number(0)
_RECORD_ARRAY = PgType(oids.RECORD_ARRAY)


class _Row(NamedTuple):
    """A row written here: its (name, value) fields, and for the row of an outer join's nullable
    side a column that is NULL only when the row is missing (its primary key's first)."""

    fields: Sequence[tuple[str, exp.Expr]]
    present: exp.Expr | None = None


def row_fields(node: exp.Expr, scope: Scope, *, nullable: bool = True) -> _Row | None:
    """The row of a row constructor or of a whole-row reference; None for any other expression.
    nullable: whether the row of an outer join's nullable side needs its `present` column (a missing
    row is NULL, not a row of NULL fields)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if records.is_row_constructor(node):
        return _Row([(f"f{number}", item) for number, item in enumerate(node.expressions, 1)])
    whole = None
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Star) and node.table:  # f(t.*): t's row
        whole = scope.relation(node.table)
    elif isinstance(node, exp.Column) and not node.table and not isinstance(node.this, exp.Star) \
            and scope.resolve(node.name) is None:
        whole = scope.relation(node.name)
        if whole is not None and whole.of_one_value:  # jsonb_agg(e) of unnest(...) e: its value
            whole = None
    if whole is not None and whole.known and whole.columns:
        fields = [(name, exp.column(name, table=whole.name, quoted=True)) for name, _ in whole.columns]
        outer = _outer_joined(node, whole.name) if nullable else False
        if outer is False:
            return _Row(fields)
        if not whole.key:
            where = "the nullable side of an outer join" if outer else "in a call whose FROM is not known"
            raise unsupported(f'JSON of the row of "{whole.name}", {where}, without a primary key')
        return _Row(fields, exp.column(whole.key[0], table=whole.name, quoted=True))
    return None


def _outer_joined(node: exp.Expr, name: str) -> bool | None:
    """Whether the FROM item `name` that node refers to is the nullable side of an outer join (None:
    not known, node is not inside the statement's tree: a `pg_catalog.` call parsed again)."""
    select = node.find_ancestor(exp.Select)
    if select is None:
        return None
    while select is not None:
        start = select.args.get("from_") or select.args.get("from")
        joins = select.args.get("joins") or []
        items = [start.this if start is not None else None, *(join.this for join in joins)]
        found = [i for i, item in enumerate(items)
                 if item is not None and item.alias_or_name.lower() == name.lower()]
        if found:
            sides = [(join.side or "").upper() for join in joins]
            position = found[0]
            return (position > 0 and sides[position - 1] in ("LEFT", "FULL")) or \
                any(side in ("RIGHT", "FULL") for side in sides[position:])
        select = select.find_ancestor(exp.Select)
    return False


def _value(translator: Translator, node: exp.Expr, scope: Scope, *, polymorphic: bool) -> Typed:
    """An argument's value and type (`_checked`; an ARRAY(subquery) of rows as json[])."""
    rows = _array_of_rows(translator, node, scope)
    if rows is not None:
        return rows
    return _checked(translator, translator.expr(node, scope), polymorphic=polymorphic)


def _checked(translator: Translator, typed: Typed, *, polymorphic: bool) -> Typed:
    """A translated argument: an untyped literal is text where the parameter is "any", 42804 where
    it is polymorphic (PostgreSQL cannot tell its type); an untyped parameter 42P18 there; 0A000 for a
    record of unknown field names; an hstore is its cast to json, as PostgreSQL's datum_to_json
    writes a type of an extension's with a cast to json."""
    value, pg_type = typed
    if pg_type.is_unknown:
        number = parameter_number(value)
        if polymorphic:
            raise DatabaseError(DATATYPE_MISMATCH,
                                "could not determine polymorphic type because input has type unknown")
        if number is not None:
            raise DatabaseError(INDETERMINATE_DATATYPE,
                                f"could not determine data type of parameter ${number}")
        return translator.coerce(value, pg_type, t.TEXT_TYPE), t.TEXT_TYPE
    by_cast = hstore.cast(value, pg_type, JSON_TYPE)
    if by_cast is not None:
        return by_cast, JSON_TYPE
    if _holds_hstore(pg_type.oid):
        raise unsupported("JSON of an hstore inside an array or a composite value")
    if pg_type.oid == oids.RECORD or codecs.type_by_oid(pg_type.oid).elem_oid == oids.RECORD:
        raise unsupported("JSON of a record whose field names are not known (only of a row constructor, "
                          "a FROM item's row or a composite type)")
    return value, pg_type


def _holds_hstore(oid: int) -> bool:
    """Whether values of the type are or hold hstore values (as array elements or attributes)."""
    element = codecs.type_by_oid(oid).elem_oid
    if element:
        return _holds_hstore(element)
    composite = user_types.COMPOSITES.get(oid)
    if composite is not None:
        return any(_holds_hstore(field_oid) for _, field_oid, _ in composite.fields)
    return hstore.is_hstore(PgType(oid))


def _of_fields(translator: Translator, row: _Row, scope: Scope, pretty: exp.Expr) -> exp.Expr:
    """A row's JSON object (NULL for a missing row of an outer join)."""
    texts = [(name, _json(translator, item, scope, polymorphic=False)[0]) for name, item in row.fields]
    written = call(fn.JSON_OF_FIELDS, pretty, *[part for name, text in texts
                                                for part in (exp.Literal.string(name), text)])
    if row.present is None:
        return written
    missing = exp.Is(this=translator.expr(row.present, scope)[0], expression=exp.Null())
    return exp.Case(ifs=[exp.If(this=missing, true=exp.Null())], default=written)


class _AggregatedRows(NamedTuple):
    """`array_agg(row [ORDER BY ...]) [FILTER (...)]` of a row written here."""

    row: _Row
    order: exp.Order | None
    filtered: exp.Filter | None


def _aggregated_rows(node: exp.Expr, scope: Scope) -> _AggregatedRows | None:
    """The array_agg of rows node is; None for any other expression."""
    filtered = node if isinstance(node, exp.Filter) else None
    aggregate = filtered.this if filtered is not None else node
    if not isinstance(aggregate, exp.ArrayAgg):
        return None
    order = aggregate.this if isinstance(aggregate.this, exp.Order) else None
    row = row_fields(order.this if order is not None else aggregate.this, scope)
    return _AggregatedRows(row, order, filtered) if row is not None else None


def _rows_array(translator: Translator, rows: _AggregatedRows, scope: Scope, pretty: exp.Expr) -> exp.Expr:
    """The JSON array of an array_agg of rows (NULL for no rows)."""
    text = _of_fields(translator, rows.row, scope, _NOT_PRETTY)
    if rows.row.present is not None:
        text = call("coalesce", text, "null")
    aggregate = _with_order(translator, call(fn.JSON_ROWS_ARRAY_AGG, text, pretty), rows.order, scope)
    if rows.filtered is None:
        return aggregate
    where = rows.filtered.expression
    where.set("this", translator.condition(where.this, scope, "FILTER"))
    return exp.Filter(this=aggregate, expression=where)


class _NotARow(Exception):  # not an error: `_subquery_row` gives up
    """The one column of a scalar subquery is no row written here."""


_ROW_ONLY = "helios_json_of_row_only"  # `_subquery_row`'s call: a row's JSON, else _NotARow


def _subquery_row(translator: Translator, node: exp.Expr, scope: Scope) -> exp.Expr | None:
    """`(SELECT t FROM ... t ...)` whose one column is a row written here (as Hasura's
    `row_to_json((SELECT "_e" FROM (SELECT ...) AS "_e"))`): the subquery giving that row's JSON text
    (NULL for no row); None for any other expression."""
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Subquery):
        return None
    selected = _rows_selected(translator, node, lambda subquery: subquery.this, scope)
    return selected[0] if selected is not None else None


def _array_of_rows(translator: Translator, node: exp.Expr, scope: Scope) -> Typed | None:
    """`ARRAY(SELECT t FROM ...)` of rows written here: the array of their JSON texts (json[], which
    to_json writes as the array of the rows); None for any other expression."""
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Array) or len(node.expressions) != 1:
        return None
    return _rows_selected(translator, node, lambda array: array.expressions[0], scope)


def _rows_selected(translator: Translator, node: exp.Expr, query_of: Callable[[exp.Expr], exp.Expr],
                   scope: Scope) -> Typed | None:
    """node (a subquery, an ARRAY(subquery)) translated with the rows its query (`query_of(node)`)
    selects written as JSON, when its one column is a row written here; None otherwise."""
    if not _selects_one(query_of(node)):
        return None
    attempt = node.copy()
    item = query_of(attempt).expressions[0]
    value = item.this if isinstance(item, exp.Alias) else item
    value.replace(exp.Anonymous(this=_ROW_ONLY, expressions=[value.copy()]))
    try:
        return translator.expr(attempt, scope)
    except _NotARow:
        return None


def _selects_one(query: exp.Expr) -> bool:
    """Whether query is a SELECT of one column that may be a row (a name, a row constructor)."""
    if not isinstance(query, exp.Select) or len(query.expressions) != 1:
        return False
    item = query.expressions[0]
    value = item.this if isinstance(item, exp.Alias) else item
    return isinstance(value, exp.Column | exp.Tuple | exp.Anonymous)


def _row_only(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    row = row_fields(arguments[0], scope) if len(arguments) == 1 else None
    if row is None:
        raise _NotARow
    return _of_fields(translator, row, scope, _NOT_PRETTY), JSON_TYPE


def _json(translator: Translator, node: exp.Expr, scope: Scope, *, polymorphic: bool) -> Typed:
    """node's JSON text (`null` for NULL) and its type (record for a row written here)."""
    rows = _aggregated_rows(node, scope)
    if rows is not None:
        return call("coalesce", _rows_array(translator, rows, scope, _NOT_PRETTY), "null"), _RECORD_ARRAY
    row = row_fields(node, scope)
    if row is not None:
        text = _of_fields(translator, row, scope, _NOT_PRETTY)
        return (text if row.present is None else call("coalesce", text, "null")), records.RECORD_TYPE
    selected = _subquery_row(translator, node, scope)
    if selected is not None:
        return call("coalesce", selected, "null"), records.RECORD_TYPE
    value, pg_type = _value(translator, node, scope, polymorphic=polymorphic)
    return call(fn.JSON_VALUE, value, pg_type.oid), pg_type


def _key(translator: Translator, node: exp.Expr, scope: Scope) -> exp.Expr:
    """An object key's text (NULL for NULL): 22023 for a row."""
    if row_fields(node, scope) is not None:
        raise not_scalar_key()
    value, pg_type = _value(translator, node, scope, polymorphic=False)
    return call(fn.JSON_KEY, value, pg_type.oid)


def _as(translator: Translator, text: exp.Expr, name: str) -> Typed:
    """A json text as the result of function `name` (a jsonb one's: cast, so normalised)."""
    if name.startswith("jsonb") or name == "to_jsonb":
        return translator.coerce(text, JSON_TYPE, JSONB_TYPE, mode="explicit"), JSONB_TYPE
    return text, JSON_TYPE


def _no_function(name: str, types: Sequence[PgType]) -> DatabaseError:
    return rules.no_function(name, ", ".join(format_type(t.output_type(p).oid, -1) for p in types))


def _pretty(translator: Translator, name: str, first: PgType, second: Typed | None) -> exp.Expr:
    """The optional `pretty boolean` second argument (false when absent)."""
    if second is None:
        return _NOT_PRETTY
    value, pg_type = second
    if not cast_contexts.can_coerce(pg_type, t.BOOL_TYPE, cast_contexts.Context.IMPLICIT):
        raise _no_function(name, [first, pg_type])
    return translator.coerce(value, pg_type, t.BOOL_TYPE)


def _to_json(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """to_json(value), to_jsonb(value): NULL for NULL."""
    if len(arguments) != 1:
        raise _no_function(name, [translator.expr(argument, scope)[1] for argument in arguments])
    row = row_fields(arguments[0], scope)
    rows = _aggregated_rows(arguments[0], scope)
    if rows is not None:
        text = _rows_array(translator, rows, scope, _NOT_PRETTY)
    elif row is not None:
        text = _of_fields(translator, row, scope, _NOT_PRETTY)
    elif (selected := _subquery_row(translator, arguments[0], scope)) is not None:
        text = selected
    else:
        value, pg_type = _value(translator, arguments[0], scope, polymorphic=True)
        text = call(fn.TO_JSON, value, pg_type.oid, _NOT_PRETTY)
    return _as(translator, text, name)


def _array_to_json(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """array_to_json(array [, pretty])."""
    rows = _aggregated_rows(arguments[0], scope) if 1 <= len(arguments) <= 2 else None
    if rows is not None:
        second = translator.expr(arguments[1], scope) if len(arguments) == 2 else None
        pretty = _pretty(translator, name, _RECORD_ARRAY, second)
        return _rows_array(translator, rows, scope, pretty), JSON_TYPE
    selected = _array_of_rows(translator, arguments[0], scope) if arguments else None
    typed = [translator.expr(argument, scope) if index or selected is None else selected
             for index, argument in enumerate(arguments)]
    first = typed[0][1] if typed else t.UNKNOWN_TYPE
    if not 1 <= len(typed) <= 2 or not (first.is_unknown or codecs.type_by_oid(first.oid).is_array):
        raise _no_function(name, [pg_type for _, pg_type in typed])
    value, pg_type = _checked(translator, typed[0], polymorphic=True)
    pretty = _pretty(translator, name, pg_type, typed[1] if len(typed) == 2 else None)
    return call(fn.TO_JSON, value, pg_type.oid, pretty), JSON_TYPE


def _row_to_json(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """row_to_json(row [, pretty])."""
    row = row_fields(arguments[0], scope) if 1 <= len(arguments) <= 2 else None
    if row is not None:
        second = translator.expr(arguments[1], scope) if len(arguments) == 2 else None
        pretty = _pretty(translator, name, records.RECORD_TYPE, second)
        return _of_fields(translator, row, scope, pretty), JSON_TYPE
    selected = _subquery_row(translator, arguments[0], scope) if len(arguments) == 1 else None
    if selected is not None:
        return selected, JSON_TYPE
    typed = [translator.expr(argument, scope) for argument in arguments]
    if not 1 <= len(typed) <= 2 or not records.is_row_type(typed[0][1]):
        raise _no_function(name, [pg_type for _, pg_type in typed])
    value, pg_type = _checked(translator, typed[0], polymorphic=True)
    pretty = _pretty(translator, name, pg_type, typed[1] if len(typed) == 2 else None)
    return call(fn.TO_JSON, value, pg_type.oid, pretty), JSON_TYPE


def _build_array(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """json_build_array(value, ...), jsonb_build_array(value, ...)."""
    texts = [_json(translator, argument, scope, polymorphic=False)[0] for argument in arguments]
    return _as(translator, call(fn.JSON_BUILD_ARRAY, *texts), name)


def _build_object(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """json_build_object(key, value, ...), jsonb_build_object(key, value, ...)."""
    jsonb = name.startswith("jsonb")
    parts = [_key(translator, argument, scope) if index % 2 == 0 else
             _json(translator, argument, scope, polymorphic=False)[0]
             for index, argument in enumerate(arguments)]
    return _as(translator, call(fn.JSON_BUILD_OBJECT, int(jsonb), *parts), name)


def _object(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """json_object(text[]), json_object(keys text[], values text[]) and their jsonb forms."""
    typed = [translator.expr(argument, scope) for argument in arguments]
    implicit = cast_contexts.Context.IMPLICIT
    if not 1 <= len(typed) <= 2 or not all(cast_contexts.can_coerce(pg_type, _TEXT_ARRAY, implicit)
                                           for _, pg_type in typed):
        raise _no_function(name, [pg_type for _, pg_type in typed])
    values = [translator.coerce(value, pg_type, _TEXT_ARRAY) for value, pg_type in typed]
    return _as(translator, call(fn.JSON_OBJECT_OF_ARRAYS, *values), name)


def _ordered_last(translator: Translator, arguments: Sequence[exp.Expr], scope: Scope,
                  name: str, *, distinct: bool = False) -> tuple[list[exp.Expr], exp.Order | None]:
    """An aggregate's arguments, the last without the ORDER BY around it, and the ORDER BY
    (DISTINCT refused unless `distinct`)."""
    items = list(arguments)
    order = items[-1] if items and isinstance(items[-1], exp.Order) else None
    if order is not None:
        items[-1] = order.this
        if _windowed(order):
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                "aggregate ORDER BY is not implemented for window functions")
    if not distinct and any(isinstance(item, exp.Distinct) for item in items):
        raise unsupported(f"{name}(DISTINCT ...)")
    return items, order


def _windowed(argument: exp.Expr) -> bool:
    """Whether the call the argument is of is a window's function (through a FILTER)."""
    parent = argument.parent.parent if argument.parent is not None else None
    while isinstance(parent, exp.Filter | exp.Dot):
        parent = parent.parent
    return isinstance(parent, exp.Window)


def _with_order(translator: Translator, aggregate: exp.Anonymous, order: exp.Order | None,
                scope: Scope) -> exp.Anonymous:
    """The aggregate call with SQLite's ORDER BY after its last argument."""
    if order is None:
        return aggregate
    keys = [ordered(translator, item, Scope(parent=scope)) for item in order.expressions]
    last = aggregate.expressions[-1]
    aggregate.set("expressions", [*aggregate.expressions[:-1], exp.Order(this=last, expressions=keys)])
    return aggregate


def _agg(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """json_agg(value [ORDER BY ...]), jsonb_agg(...)."""
    items, order = _ordered_last(translator, arguments, scope, name, distinct=True)
    if len(items) == 1 and isinstance(items[0], exp.Distinct):
        return _distinct_agg(translator, name, items[0], order, scope)
    if len(items) != 1:
        raise _no_function(name, [translator.expr(item, scope)[1] for item in items])
    text, pg_type = _json(translator, items[0], scope, polymorphic=True)
    jsonb = name == "jsonb_agg"
    aggregate = call(fn.JSONB_AGG if jsonb else fn.JSON_AGG, text, int(is_structured(pg_type.oid)))
    return _with_order(translator, aggregate, order, scope), JSONB_TYPE if jsonb else JSON_TYPE


def _distinct_agg(translator: Translator, name: str, distinct: exp.Distinct, order: exp.Order | None,
                  scope: Scope) -> Typed:
    """json_agg(DISTINCT value [ORDER BY value ...]), jsonb_agg(DISTINCT ...): sorted as the value's
    type orders it (functions.json_building.DistinctJsonAggregate)."""
    if len(distinct.expressions) != 1:
        raise _no_function(name, [translator.expr(item, scope)[1] for item in distinct.expressions])
    node = distinct.expressions[0]
    if _windowed(distinct):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "DISTINCT is not implemented for window functions")
    key = order.expressions[0] if order is not None and len(order.expressions) == 1 else None
    if order is not None and (key.this if isinstance(key, exp.Ordered) else key) != node:
        raise DatabaseError(INVALID_COLUMN_REFERENCE, "in an aggregate with DISTINCT, ORDER BY expressions "
                                                      "must appear in argument list")
    descending = isinstance(key, exp.Ordered) and bool(key.args.get("desc"))
    nulls_first = isinstance(key, exp.Ordered) and bool(key.args.get("nulls_first"))
    if row_fields(node, scope) is not None or _aggregated_rows(node, scope) is not None:
        raise unsupported(f"{name}(DISTINCT row)")
    value, pg_type = _value(translator, node, scope, polymorphic=True)
    if pg_type.oid == t.JSON:
        raise DatabaseError(UNDEFINED_FUNCTION, "could not identify an equality operator for type json")
    if pg_type.oid == t.JSONB or _holds_hstore(pg_type.oid):
        raise unsupported(f"{name}(DISTINCT ...) of {format_type(pg_type.oid, -1)}")
    text = call(fn.JSON_VALUE, value.copy(), pg_type.oid)
    jsonb = name == "jsonb_agg"
    aggregate = call(fn.JSON_AGG_DISTINCT, text, int(is_structured(pg_type.oid)), value, pg_type.oid,
                     int(descending), int(nulls_first), int(jsonb))
    return aggregate, JSONB_TYPE if jsonb else JSON_TYPE


def _object_agg(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """json_object_agg(key, value [ORDER BY ...]), jsonb_object_agg(...)."""
    items, order = _ordered_last(translator, arguments, scope, name)
    if len(items) != 2:
        raise _no_function(name, [translator.expr(item, scope)[1] for item in items])
    key = _key(translator, items[0], scope)
    text, _ = _json(translator, items[1], scope, polymorphic=False)
    jsonb = name == "jsonb_object_agg"
    aggregate = call(fn.JSONB_OBJECT_AGG if jsonb else fn.JSON_OBJECT_AGG, key, text)
    return _with_order(translator, aggregate, order, scope), JSONB_TYPE if jsonb else JSON_TYPE


_Handler = Callable[["Translator", str, Sequence[exp.Expr], Scope], Typed]
_HANDLERS: dict[str, _Handler] = {
    "to_json": _to_json, "to_jsonb": _to_json, "array_to_json": _array_to_json, "row_to_json": _row_to_json,
    "json_build_array": _build_array, "jsonb_build_array": _build_array,
    "json_build_object": _build_object, "jsonb_build_object": _build_object,
    "json_object": _object, "jsonb_object": _object,
    "json_agg": _agg, "jsonb_agg": _agg, "json_object_agg": _object_agg, "jsonb_object_agg": _object_agg,
    _ROW_ONLY: _row_only,
}
NAMES = frozenset(_HANDLERS)


def function(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope) -> Typed:
    """A call of one of `NAMES` (`f(*)` is a call without arguments, as in PostgreSQL)."""
    if len(arguments) == 1 and (isinstance(arguments[0], exp.Star) or (
            isinstance(arguments[0], exp.Column) and isinstance(arguments[0].this, exp.Star)
            and not arguments[0].table)):
        arguments = []
    return _HANDLERS[name](translator, name, arguments, scope)
