"""Range and multirange operators and calls (of the built-in types and of those a database
defines): `left op right` when an operand is a range or a multirange (@> <@ && << >> &< &> -|- + -
*), the constructors (`int4range(a, b [, flags])`, `int4multirange(ranges...)`, a defined range
type's and its multirange's, found along the search_path), `multirange(range)`),
lower/upper/isempty/lower_inc/..., range_merge and the aggregates range_agg and
range_intersect_agg; typed by `types.range_typing`, run by `functions.ranges`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import ranges as range_functions
from heliosdb_lite.engine.store import schemas, user_types
from heliosdb_lite.engine.translate.nodes import call, is_unknown_literal
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import range_typing
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.protocol.codecs import user_types as codec_types
from heliosdb_lite.protocol.codecs.range_values import MULTIRANGE_TYPES, RANGE_TYPES, RangeType

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Handler, Translator

_POSITION_OPERATORS = {exp.Adjacent: "-|-", exp.ExtendsLeft: "&<", exp.ExtendsRight: "&>"}


def involves_range(left: PgType, right: PgType) -> bool:
    """Whether `left op right` is a range operator's: an operand is a range or a multirange."""
    return range_typing.is_ranged(left) or range_typing.is_ranged(right)


def operator(translator: Translator, symbol: str, left: exp.Expr, left_type: PgType, right: exp.Expr,
             right_type: PgType) -> Typed:
    """`left symbol right` with a range or multirange operand."""
    left_resolved, right_resolved = rules.resolve_unknown(symbol, left_type, right_type)
    result = range_typing.operator_type(symbol, left_resolved, right_resolved)
    left = translator.coerce(left, left_type, left_resolved)
    right = translator.coerce(right, right_type, right_resolved)
    return call(range_functions.OPERATE, symbol, left, left_resolved.oid, right, right_resolved.oid), result


def _position(translator: Translator, node: exp.Binary, scope: Scope) -> Typed:
    """-|- &< &> (sqlglot's Adjacent, ExtendsLeft, ExtendsRight): operators of ranges only."""
    left, left_type = translator.expr(node.this, scope)
    right, right_type = translator.expr(node.expression, scope)
    return operator(translator, _POSITION_OPERATORS[type(node)], left, left_type, right, right_type)


def _constructor(translator: Translator, name: str,
                 schema: str | None = None) -> tuple[RangeType, bool] | None:
    """The range type whose constructor, or whose multirange's (True), a function `name` is: a
    built-in one, or one the database defines in `schema` or along the search path (named as the
    type was made: `store.user_types.CONSTRUCTORS_TABLE`); None for another name."""
    if name in range_typing.CONSTRUCTORS and schema is None:
        return range_typing.CONSTRUCTORS[name], False
    if name in range_typing.MULTIRANGE_CONSTRUCTORS and schema is None:
        return range_typing.MULTIRANGE_CONSTRUCTORS[name], True
    if not codec_types.RANGES:
        return None  # no range type of one's own in this process: no need to ask the store
    connection = translator.catalog.connection
    stored = schemas.resolve(name, schema, translator.search_path,
                             lambda candidate: user_types.constructor(connection, candidate) is not None)
    oid = user_types.constructor(connection, stored)
    if oid in RANGE_TYPES:
        return RANGE_TYPES[oid], False
    if oid in MULTIRANGE_TYPES:
        return MULTIRANGE_TYPES[oid], True
    return None


def is_constructor(translator: Translator, name: str, schema: str) -> bool:
    """Whether `schema.name(...)` is the constructor of a range type of one's own or its multirange."""
    return _constructor(translator, name, schema) is not None


def handles(translator: Translator, name: str, types: Sequence[PgType]) -> bool:
    """Whether a call of `name` with arguments of these types is a range function's."""
    if _constructor(translator, name) is not None:
        return True
    if name in ("lower", "upper"):  # the string functions' too
        return bool(types) and range_typing.is_ranged(types[0])
    return name in range_typing.PROPERTIES or name in range_typing.AGGREGATES \
        or name in ("range_merge", "multirange")


def function(translator: Translator, name: str, typed: Sequence[Typed], schema: str | None = None) -> Typed:
    """A range function's call (`handles`; in `schema`: `is_constructor`), arguments translated."""
    types = [pg_type for _, pg_type in typed]
    constructor = _constructor(translator, name, schema)
    if constructor is not None:
        kind, of_multirange = constructor
        target = PgType(kind.multirange if of_multirange else kind.oid)
        if len(typed) == 1 and is_unknown_literal(typed[0][0]):  # int4range('[1,2]') is '[1,2]'::int4range
            return translator.coerce(typed[0][0], types[0], target, mode="explicit"), target
        if of_multirange:
            values = _coerced(translator, typed, range_typing.multirange_arguments(kind, name, types))
            return call(range_functions.CONSTRUCT_MULTIRANGE, kind.multirange, *values), target
        values = _coerced(translator, typed, range_typing.constructor_arguments(kind, name, types))
        return call(range_functions.CONSTRUCT, kind.oid, *values), target
    if name == "multirange" or name in range_typing.AGGREGATES:
        if any(isinstance(value, exp.Distinct) for value, _ in typed):
            raise unsupported(f"{name}(DISTINCT ...)")
        result = range_typing.multirange_type(name, types)
        value, pg_type = typed[0]
        if name == "multirange":
            return call(range_functions.CONSTRUCT_MULTIRANGE, result.oid, value), result
        aggregate = range_functions.AGGREGATE if name == "range_agg" else range_functions.INTERSECT_AGGREGATE
        return call(aggregate, value, pg_type.oid), result
    if name == "range_merge":
        result = range_typing.merge_type(types)
        return call(range_functions.MERGE, types[0].oid, *(value for value, _ in typed)), result
    if len(typed) != 1 or not range_typing.is_ranged(types[0]):
        if types == [t.UNKNOWN_TYPE]:  # of a range or of a multirange
            raise rules.function_not_unique(name, "unknown")
        raise rules.no_function(name, range_typing.argument_names(types))
    value, pg_type = typed[0]
    return call(range_functions.PROPERTY, name, value, pg_type.oid), range_typing.property_type(name, pg_type)


def _coerced(translator: Translator, typed: Sequence[Typed], targets: Sequence[PgType]) -> list[exp.Expr]:
    return [translator.coerce(value, pg_type, target) for (value, pg_type), target in zip(typed, targets,
                                                                                          strict=True)]


HANDLERS: dict[type[exp.Expr], Handler] = dict.fromkeys(_POSITION_OPERATORS, _position)
