"""PostgreSQL's typing of the ranges and multiranges (built-in, and those a database defines): the
subtype of each, the types of their constructors (`int4range(a, b [, flags])`,
`int4multirange(ranges...)`, `multirange(range)`), of their operators (containment, overlap,
position, adjacency, union, intersection, difference), of the functions and aggregates (range_agg,
range_intersect_agg) over them, with PostgreSQL's 42883 where there is none.

PostgreSQL's range operators are polymorphic (anyrange, anymultirange, anyelement), so an operand
must be of the range's own subtype or range type: `numrange @> integer` has no operator. An unknown
operand has already taken the other operand's type (`typing_rules.resolve_unknown`).
"""

from __future__ import annotations

from collections.abc import Sequence

from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import DATATYPE_MISMATCH, DatabaseError
from heliosdb_lite.protocol.codecs.range_values import MULTIRANGE_TYPES, RANGE_TYPES, RangeType

CONSTRUCTORS: dict[str, RangeType] = {kind.name: kind for kind in RANGE_TYPES.values()}
MULTIRANGE_CONSTRUCTORS: dict[str, RangeType] = {kind.multirange_name: kind for kind in RANGE_TYPES.values()}
# functions of one range or multirange and their result: the subtype, bool, or the range type
PROPERTIES = {"lower": "subtype", "upper": "subtype", "isempty": "bool", "lower_inc": "bool",
              "upper_inc": "bool", "lower_inf": "bool", "upper_inf": "bool"}
AGGREGATES = frozenset({"range_agg", "range_intersect_agg"})
_BOOLEAN_OPERATORS = frozenset({"@>", "<@", "&&", "<<", ">>", "&<", "&>", "-|-"})
SET_OPERATORS = frozenset({"+", "-", "*"})
OPERATORS = _BOOLEAN_OPERATORS | SET_OPERATORS


def kind_of(pg_type: PgType) -> RangeType | None:
    """The range type of a range or multirange type (None for any other type)."""
    return RANGE_TYPES.get(pg_type.oid) or MULTIRANGE_TYPES.get(pg_type.oid)


def is_ranged(pg_type: PgType) -> bool:
    """Whether a type is a range or a multirange (built-in, or one the database defines)."""
    return kind_of(pg_type) is not None


def operator_type(operator: str, left: PgType, right: PgType) -> PgType:
    """The result type of `left operator right` with a range or multirange operand (operands
    resolved): containment also of a subtype value, the others between ranges and multiranges of
    one range type, + - * between two ranges or two multiranges of one type; 42883 otherwise."""
    kind = kind_of(left) or kind_of(right)
    if kind is not None:
        ranged = {kind.oid, kind.multirange}
        if operator in SET_OPERATORS:
            if left.oid == right.oid and left.oid in ranged:
                return PgType(left.oid)
        elif (left.oid in ranged and right.oid in ranged) \
                or (operator == "@>" and left.oid in ranged and right.oid == kind.subtype) \
                or (operator == "<@" and right.oid in ranged and left.oid == kind.subtype):
            return t.BOOL_TYPE
    raise rules.no_operator(left.oid, operator, right.oid)


def constructor_arguments(kind: RangeType, name: str, arguments: Sequence[PgType]) -> list[PgType]:
    """The types `name(arguments)` (the constructor of range type `kind`) takes its arguments as: two
    bounds of the subtype and, third, text flags; 42883 when the arguments do not convert implicitly."""
    targets = [PgType(kind.subtype), PgType(kind.subtype), t.TEXT_TYPE][:len(arguments)]
    if len(arguments) in (2, 3) and all(
            cast_contexts.can_coerce(argument, target, cast_contexts.Context.IMPLICIT)
            for argument, target in zip(arguments, targets, strict=True)):
        return targets
    raise rules.no_function(name, argument_names(arguments))


def multirange_arguments(kind: RangeType, name: str, arguments: Sequence[PgType]) -> list[PgType]:
    """The types `name(ranges...)` (the constructor of `kind`'s multirange) takes its arguments as:
    each of the range type; 42883 otherwise."""
    if all(argument.is_unknown or argument.oid == kind.oid for argument in arguments):
        return [PgType(kind.oid)] * len(arguments)
    raise rules.no_function(name, argument_names(arguments))


def property_type(name: str, argument: PgType) -> PgType:
    """The result type of lower(), upper(), isempty(), ... of a range or multirange."""
    kind = kind_of(argument)
    assert kind is not None
    return PgType(kind.subtype) if PROPERTIES[name] == "subtype" else t.BOOL_TYPE


def _undetermined(arguments: Sequence[PgType]) -> None:
    """42804 for a polymorphic function's arguments that are all unknown."""
    if arguments and all(argument.is_unknown for argument in arguments):
        raise DatabaseError(DATATYPE_MISMATCH,
                            "could not determine polymorphic type because input has type unknown")


def multirange_type(name: str, arguments: Sequence[PgType]) -> PgType:
    """multirange(range), and the aggregates range_agg(range | multirange) (a multirange) and
    range_intersect_agg(range | multirange) (of the argument's type); 42725 for an aggregate of an
    unknown value (of a range or of a multirange), 42804 for multirange(unknown), 42883 otherwise."""
    if name in AGGREGATES and [argument.oid for argument in arguments] == [t.UNKNOWN]:
        raise rules.function_not_unique(name, "unknown")
    _undetermined(arguments)
    kind = kind_of(arguments[0]) if len(arguments) == 1 else None
    if kind is None or (name == "multirange" and arguments[0].oid != kind.oid):
        raise rules.no_function(name, argument_names(arguments))
    return PgType(arguments[0].oid if name == "range_intersect_agg" else kind.multirange)


def merge_type(arguments: Sequence[PgType]) -> PgType:
    """range_merge(range, range) and range_merge(multirange): the range type; 42804 for unknown
    arguments, 42883 otherwise."""
    _undetermined(arguments)
    kinds = [kind_of(argument) for argument in arguments]
    if len(arguments) == 2 and kinds[0] is not None and arguments[0].oid == arguments[1].oid == kinds[0].oid:
        return PgType(kinds[0].oid)
    if len(arguments) == 1 and kinds[0] is not None and arguments[0].oid == kinds[0].multirange:
        return PgType(kinds[0].oid)
    raise rules.no_function("range_merge", argument_names(arguments))


def argument_names(arguments: Sequence[PgType]) -> str:
    """The argument types as 42883's message names them."""
    return ", ".join(format_type(argument.oid, -1) for argument in arguments)
