"""PostgreSQL's typing of arrays: array and element types of each other, the type of ARRAY[...],
of `||` with an array operand, of @> <@ && (anyarray) and of the polymorphic array functions
(anycompatiblearray and anycompatible, as PostgreSQL 14+ resolves them), with PostgreSQL's
SQLSTATEs when there is none.
"""

from __future__ import annotations

from collections.abc import Sequence

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.errors import AMBIGUOUS_FUNCTION, INDETERMINATE_DATATYPE, DatabaseError
from heliosdb_lite.protocol import codecs

# the polymorphic functions and the roles of their arguments: an array, an element of it, an int4
SIGNATURES: dict[str, tuple[str, ...]] = {
    "array_append": ("array", "element"), "array_prepend": ("element", "array"),
    "array_cat": ("array", "array"), "array_position": ("array", "element", "int4"),
    "array_remove": ("array", "element"), "array_replace": ("array", "element", "element"),
}


def is_array(pg_type: PgType) -> bool:
    return codecs.type_by_oid(pg_type.oid).is_array


def element_type(array_type: PgType) -> PgType:
    return PgType(codecs.type_by_oid(array_type.oid).elem_oid)


def array_type(element: PgType) -> PgType:
    return PgType(codecs.type_by_oid(t.output_type(element).oid).array_oid)


def concat_types(left: PgType, right: PgType) -> tuple[PgType, PgType, PgType]:
    """`left || right` with at least one array operand: the types the operands are taken as and
    the result type. An unknown operand is an array of the other's type; otherwise the elements'
    common type decides (42883 when there is none)."""
    if left.is_unknown or right.is_unknown:
        known = right if left.is_unknown else left
        result = PgType(known.oid)
        return result, result, result
    element_types = [element_type(pg_type) if is_array(pg_type) else pg_type for pg_type in (left, right)]
    try:
        common = PgType(t.output_type(rules.common_type(element_types)).oid)
    except DatabaseError:
        raise rules.no_operator(left.oid, "||", right.oid) from None
    result = array_type(common)
    return (PgType(left.oid) if is_array(left) else common, PgType(right.oid) if is_array(right) else common,
            result)


def constructor_type(item_types: Sequence[PgType]) -> PgType:
    """The type of ARRAY[items]: an array of the items' common type, or (items that are arrays)
    of their elements' common type; 42P18 for ARRAY[] without a type, 42804 for items of
    element and array types mixed, 42846 for sub-arrays whose elements cannot be matched."""
    if not item_types:
        raise DatabaseError(INDETERMINATE_DATATYPE, "cannot determine type of empty array",
                            hint="Explicitly cast to the desired type, for example ARRAY[]::integer[].")
    common = rules.common_type(item_types, "ARRAY")
    return PgType(common.oid) if is_array(common) else array_type(common)


def polymorphic_element(name: str, arguments: Sequence[tuple[str, PgType]]) -> PgType:
    """The element type of the call name(arguments), each argument given with its role in
    SIGNATURES (anycompatiblearray and anycompatible): the common type of the elements' types,
    text if every argument is unknown; 42883 when an array argument is not an array or the
    types have nothing in common."""
    candidates: list[PgType] = []
    for role, pg_type in arguments:
        if role in ("array", "element") and not pg_type.is_unknown:
            if is_array(pg_type) != (role == "array"):
                candidates = []
                break
            candidates.append(element_type(pg_type) if role == "array" else pg_type)
    else:
        try:
            return PgType(t.output_type(rules.common_type(candidates)).oid)
        except DatabaseError:
            pass
    names = ", ".join(t.type_name(pg_type.oid) for _, pg_type in arguments)
    raise rules.no_function(name, names)


def containment_type(operator: str, left: PgType, right: PgType) -> PgType:
    """The array type both operands of @>, <@ or && are taken as (anyarray: an unknown operand
    is of the other's type); 42725 for two unknowns, 42883 for arrays of different types."""
    if left.is_unknown and right.is_unknown:
        raise DatabaseError(AMBIGUOUS_FUNCTION, f"operator is not unique: unknown {operator} unknown")
    resolved = right if left.is_unknown else left
    if not is_array(resolved) or not (right.is_unknown or left.is_unknown or left.oid == right.oid):
        raise rules.no_operator(left.oid, operator, right.oid)
    return PgType(resolved.oid)
