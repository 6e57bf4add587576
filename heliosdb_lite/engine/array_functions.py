"""PostgreSQL's array constructor, `||`, casts and dimension functions over codec-model arrays.

An array value is a list of elements (None for NULL), a multidimensional one a list of equally
long lists; lower bounds are always 1 (`protocol.codecs.arrays`). Here live ARRAY[...] with
sub-arrays (2202E for sub-arrays of different shapes), `||` as array_cat / array_append /
array_prepend with their dimension rules, the type resolution of `||` with an array operand
(anycompatiblearray and anycompatible, as PostgreSQL 14+), casts between array types (element
by element), array_upper, array_lower, array_ndims, array_dims, unnest (the table-valued
`helios_unnest(array, array_oid)`, one `value` row per element, all dimensions flattened), and
the SQLite functions that run them on stored arrays (their PostgreSQL text), with type OIDs
passed as integers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import apsw.ext

from heliosdb_lite.errors import UNDEFINED_FUNCTION, DatabaseError
from heliosdb_lite.protocol import codecs

from . import casts
from . import pgtypes as t
from . import typing_rules as rules
from .pgtypes import PgType
from .value_storage import from_storage, to_storage

ARRAY_SUBSCRIPT_ERROR = "2202E"
DATA_EXCEPTION = "22000"
PROGRAM_LIMIT_EXCEEDED = "54000"
MAX_DIMENSIONS = 6

BUILD = "helios_array"
CONCATENATE = "helios_array_concat"
UNNEST = "helios_unnest"
CAST = "helios_array_cast"
_ANY_ARRAY = 1009  # text[]: reads the structure of any stored array


def is_array(pg_type: PgType) -> bool:
    return codecs.type_by_oid(pg_type.oid).is_array


def element_type(array_type: PgType) -> PgType:
    return PgType(codecs.type_by_oid(array_type.oid).elem_oid)


def array_type(element: PgType) -> PgType:
    return PgType(codecs.type_by_oid(t.output_type(element).oid).array_oid)


def leaves(value: list[Any]) -> list[Any]:
    """An array's elements in storage order (row-major), all dimensions flattened."""
    return [leaf for item in value for leaf in (leaves(item) if isinstance(item, list) else [item])]


def dimensions(value: list[Any]) -> list[int]:
    """The lengths of a (rectangular) array's dimensions; [] for an empty array."""
    dims: list[int] = []
    probe: Any = value
    while isinstance(probe, list) and probe:
        dims.append(len(probe))
        probe = probe[0]
    return dims


def _ragged() -> DatabaseError:
    return DatabaseError(ARRAY_SUBSCRIPT_ERROR,
                         "multidimensional arrays must have array expressions with matching dimensions")


def construct(items: Sequence[Any], *, nested: bool) -> list[Any]:
    """ARRAY[items]: the elements as they are, or (nested) sub-arrays stacked into one more
    dimension; NULL and empty sub-arrays count as empty, and all of them empty give '{}'."""
    if not nested:
        return list(items)
    present = [item for item in items if item]
    if not present:
        return []
    shape = dimensions(present[0])
    if len(present) != len(items) or any(dimensions(item) != shape for item in present):
        raise _ragged()
    if len(shape) + 1 > MAX_DIMENSIONS:
        raise DatabaseError(PROGRAM_LIMIT_EXCEEDED, f"number of array dimensions ({len(shape) + 1}) exceeds "
                                                    f"the maximum allowed ({MAX_DIMENSIONS})")
    return present


def _incompatible(detail: str) -> DatabaseError:
    return DatabaseError(ARRAY_SUBSCRIPT_ERROR, "cannot concatenate incompatible arrays", detail=detail)


def concatenate(left: list[Any] | None, right: list[Any] | None) -> list[Any] | None:
    """array_cat: arrays of the same dimensionality end to end, or one array as a new last
    (first) element of an array of one more dimension; NULL and empty operands are skipped."""
    if not left:
        return left if right is None else right
    if right is None or not right:
        return left
    left_dims, right_dims = dimensions(left), dimensions(right)
    if len(left_dims) == len(right_dims):
        if left_dims[1:] != right_dims[1:]:
            raise _incompatible("Arrays with differing element dimensions are not compatible for "
                                "concatenation.")
        return left + right
    if len(left_dims) + 1 == len(right_dims):
        if left_dims != right_dims[1:]:
            raise _incompatible("Arrays with differing dimensions are not compatible for concatenation.")
        return [left, *right]
    if len(left_dims) == len(right_dims) + 1:
        if left_dims[1:] != right_dims:
            raise _incompatible("Arrays with differing dimensions are not compatible for concatenation.")
        return [*left, right]
    raise _incompatible(f"Arrays of {len(left_dims)} and {len(right_dims)} dimensions are not compatible "
                        "for concatenation.")


def _one_dimensional(array: list[Any] | None) -> list[Any]:
    if array is None:
        return []
    if len(dimensions(array)) > 1:
        raise DatabaseError(DATA_EXCEPTION, "argument must be empty or one-dimensional array")
    return array


def append(array: list[Any] | None, element: Any) -> list[Any]:
    """array_append: a NULL array counts as empty."""
    return [*_one_dimensional(array), element]


def prepend(element: Any, array: list[Any] | None) -> list[Any]:
    """array_prepend: a NULL array counts as empty."""
    return [element, *_one_dimensional(array)]


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
        raise DatabaseError(UNDEFINED_FUNCTION, f"operator does not exist: {t.type_name(left.oid)} || "
                            f"{t.type_name(right.oid)}",
                            hint="No operator matches the given name and argument types. "
                                 "You might need to add explicit type casts.") from None
    result = array_type(common)
    return (PgType(left.oid) if is_array(left) else common, PgType(right.oid) if is_array(right) else common,
            result)


def constructor_type(item_types: Sequence[PgType]) -> PgType:
    """The type of ARRAY[items]: an array of the items' common type, or (items that are arrays)
    of their elements' common type; 42P18 for ARRAY[] without a type, 42804 for items of
    element and array types mixed, 42846 for sub-arrays whose elements cannot be matched."""
    known = [pg_type for pg_type in item_types if not pg_type.is_unknown]
    arrays = [pg_type for pg_type in known if is_array(pg_type)]
    if not item_types:
        raise DatabaseError("42P18", "cannot determine type of empty array",
                            hint="Explicitly cast to the desired type, for example ARRAY[]::integer[].")
    if arrays and len(arrays) != len(known):
        names = " and ".join(t.type_name(pg_type.oid) for pg_type in (known[0], arrays[0]))
        raise DatabaseError(rules.DATATYPE_MISMATCH, f"ARRAY types {names} cannot be matched")
    if not arrays:
        return array_type(rules.common_type(item_types))
    try:
        return array_type(rules.common_type([element_type(pg_type) for pg_type in arrays]))
    except DatabaseError:
        raise DatabaseError("42846", f"ARRAY could not convert type {t.type_name(arrays[-1].oid)} to "
                            f"{t.type_name(arrays[0].oid)}") from None


def convert_elements(value: Any, source: int, target: int, tz: dt.tzinfo, typmod: int = -1, *,
                     explicit: bool = False) -> Any:
    """An array (or element) of element type source as one of element type target (with its
    type modifier typmod, as an explicit cast or not)."""
    if value is None or (source == target and typmod < 0):
        return value
    if isinstance(value, list):
        return [convert_elements(item, source, target, tz, typmod, explicit=explicit) for item in value]
    return casts.convert(value, source, target, typmod, tz=tz, explicit=explicit)


def build(array_oid: int, items: Sequence[tuple[Any, int]], tz: dt.tzinfo) -> Any:
    """The stored ARRAY[...] of stored items, each with its type OID (the element type, or an
    array type for sub-arrays)."""
    target = codecs.type_by_oid(array_oid).elem_oid
    nested = any(codecs.type_by_oid(oid).is_array for _, oid in items)
    values = []
    for value, oid in items:
        info = codecs.type_by_oid(oid)
        source = info.elem_oid if info.is_array else oid
        values.append(convert_elements(from_storage(oid)(value), source, target, tz))
    return to_storage(array_oid)(construct(values, nested=nested))


def _concatenate_stored(left: Any, left_oid: int, right: Any, right_oid: int, result_oid: int,
                        tz: dt.tzinfo) -> Any:
    target = codecs.type_by_oid(result_oid).elem_oid
    operands = []
    for value, oid in ((left, left_oid), (right, right_oid)):
        info = codecs.type_by_oid(oid)
        source = info.elem_oid if info.is_array else oid
        operands.append((convert_elements(from_storage(oid)(value), source, target, tz), info.is_array))
    (left_value, left_array), (right_value, right_array) = operands
    if left_array and right_array:
        result = concatenate(left_value, right_value)
    elif left_array:
        result = append(left_value, right_value)
    else:
        result = prepend(left_value, right_value)
    return to_storage(result_oid)(result)


def _shape(array: Any) -> list[int] | None:
    return None if array is None else dimensions(from_storage(_ANY_ARRAY)(array))


def _bound(upper: bool) -> Callable[[Any, Any], int | None]:
    def bound(array: Any, dimension: Any) -> int | None:
        dims = _shape(array)
        if dims is None or dimension is None or not 1 <= int(dimension) <= len(dims):
            return None
        return dims[int(dimension) - 1] if upper else 1
    return bound


def _ndims(array: Any) -> int | None:
    dims = _shape(array)
    return len(dims) if dims else None


def _dims(array: Any) -> str | None:
    dims = _shape(array)
    return "".join(f"[1:{length}]" for length in dims) if dims else None


def unnest(array: Any, array_oid: int) -> Iterator[tuple[Any]]:
    """The stored elements of a stored array, in storage order (row-major), NULL ones included."""
    if array is None:
        return
    store = to_storage(codecs.type_by_oid(array_oid).elem_oid)
    for element in leaves(from_storage(array_oid)(array)):
        yield (store(element),)


unnest.columns = ("value",)  # type: ignore[attr-defined]
unnest.column_access = apsw.ext.VTColumnAccess.By_Index  # type: ignore[attr-defined]


def functions(time_zone: Callable[[], dt.tzinfo]) -> dict[str, Callable[..., Any]]:
    """The SQLite functions of this module for a session whose time zone time_zone() gives."""
    def build_stored(array_oid: int, *items: Any) -> Any:
        return build(array_oid, list(zip(items[::2], items[1::2], strict=True)), time_zone())

    def concatenate_stored(left: Any, left_oid: int, right: Any, right_oid: int, result_oid: int) -> Any:
        return _concatenate_stored(left, left_oid, right, right_oid, result_oid, time_zone())

    def cast_stored(array: Any, source_oid: int, target_oid: int, typmod: int, explicit: int) -> Any:
        source, target = (codecs.type_by_oid(oid).elem_oid for oid in (source_oid, target_oid))
        converted = convert_elements(from_storage(source_oid)(array), source, target, time_zone(), typmod,
                                     explicit=bool(explicit))
        return to_storage(target_oid)(converted)

    return {BUILD: build_stored, CONCATENATE: concatenate_stored, CAST: cast_stored,
            "array_upper": _bound(upper=True), "array_lower": _bound(upper=False), "array_ndims": _ndims,
            "array_dims": _dims}
