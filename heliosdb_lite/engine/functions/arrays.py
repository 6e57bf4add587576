"""PostgreSQL's array constructor, operators and functions over codec-model arrays.

An array value is a list of elements (None for NULL), a multidimensional one a list of equally
long lists; lower bounds are always 1 (`protocol.codecs.arrays`). Here live ARRAY[...] with
sub-arrays (2202E for sub-arrays of different shapes), `||` as array_cat / array_append /
array_prepend with their dimension rules, casts between array types (element by element),
@> <@ &&, array_position, array_remove, array_replace, string_to_array, array_upper, array_lower,
array_ndims, array_dims, unnest (the table-valued `helios_unnest(array, array_oid)`: a row per
element, all dimensions flattened, of its `value` and `ordinality`), the collations that order
stored arrays as PostgreSQL does (`helios_array_<oid>`), and the SQLite functions that run them
on stored arrays (their PostgreSQL text), with type OIDs passed as integers. Their typing is
`array_typing`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from heliosdb_lite.engine.types import casts
from heliosdb_lite.engine.types.value_order import comparison_key, dimensions, leaves
from heliosdb_lite.engine.types.value_storage import from_storage, to_storage
from heliosdb_lite.errors import (
    ARRAY_SUBSCRIPT_ERROR,
    DATA_EXCEPTION,
    FEATURE_NOT_SUPPORTED,
    NULL_VALUE_NOT_ALLOWED,
    PROGRAM_LIMIT_EXCEEDED,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.styles import DEFAULT_STYLE, TextStyle

MAX_DIMENSIONS = 6

BUILD = "helios_array"
CONCATENATE = "helios_array_concat"
UNNEST = "helios_unnest"
CAST = "helios_array_cast"
POSITION = "helios_array_position"
REMOVE = "helios_array_remove"
REPLACE = "helios_array_replace"
STRING_TO_ARRAY = "helios_string_to_array"
CONTAINS = "helios_array_contains"
_ANY_ARRAY = oids.TEXT_ARRAY  # text[]: reads the structure of any stored array
# the collation that makes SQLite order stored arrays of a type as PostgreSQL orders them
COLLATIONS = {oid: f"helios_array_{oid}" for oid, info in codecs.TYPES.items() if info.is_array}


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


def _same(oid: int, tz: dt.tzinfo) -> Callable[[Any, Any], bool]:
    """Equality of two elements of type oid, a NULL equal to a NULL (IS NOT DISTINCT FROM)."""
    def same(left: Any, right: Any) -> bool:
        if left is None or right is None:
            return left is right
        return bool(comparison_key(left, oid, tz) == comparison_key(right, oid, tz))
    return same


def _searchable(array: list[Any], action: str) -> list[Any]:
    if len(dimensions(array)) > 1:
        raise DatabaseError(FEATURE_NOT_SUPPORTED,
                            f"{action} elements in multidimensional arrays is not supported")
    return array


def position(array: list[Any], element: Any, start: int, same: Callable[[Any, Any], bool]) -> int | None:
    """array_position: the first place from start where the element is (NULL finds NULL)."""
    values = _searchable(array, "searching for")
    return next((i + 1 for i in range(max(start, 1) - 1, len(values)) if same(values[i], element)), None)


def remove(array: list[Any], element: Any, same: Callable[[Any, Any], bool]) -> list[Any]:
    """array_remove: the array without the elements equal to element."""
    return [value for value in _searchable(array, "removing") if not same(value, element)]


def replace(array: list[Any], old: Any, new: Any, same: Callable[[Any, Any], bool]) -> list[Any]:
    """array_replace: every element equal to old becomes new, in any number of dimensions."""
    return [replace(value, old, new, same) if isinstance(value, list) else new if same(value, old) else value
            for value in array]


def contains(container: list[Any], contained: list[Any], same: Callable[[Any, Any], bool]) -> bool:
    """@>: every element of contained is in container (a NULL is in nothing), in any dimensions."""
    elements = [element for element in leaves(container) if element is not None]
    return all(item is not None and any(same(item, element) for element in elements)
               for item in leaves(contained))


def overlaps(left: list[Any], right: list[Any], same: Callable[[Any, Any], bool]) -> bool:
    """&&: some element, not NULL, is in both."""
    elements = [element for element in leaves(left) if element is not None]
    return any(item is not None and any(same(item, element) for element in elements)
               for item in leaves(right))


def split(text: str, separator: str | None, null_text: str | None) -> list[str | None]:
    """string_to_array: the pieces between separators (each character for a NULL separator, the
    whole text for an empty one), those equal to null_text as NULL."""
    if not text:
        return []
    pieces = list(text) if separator is None else [text] if separator == "" else text.split(separator)
    return [None if piece == null_text else piece for piece in pieces]


def convert_elements(value: Any, source: int, target: int, tz: dt.tzinfo, typmod: int = -1, *,
                     explicit: bool = False, style: TextStyle = DEFAULT_STYLE) -> Any:
    """An array (or element) of element type source as one of element type target (with its
    type modifier typmod, as an explicit cast or not; text read and written in style)."""
    if value is None or (source == target and typmod < 0):
        return value
    if isinstance(value, list):
        return [convert_elements(item, source, target, tz, typmod, explicit=explicit, style=style)
                for item in value]
    return casts.convert(value, source, target, typmod, tz=tz, style=style, explicit=explicit)


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


def stored_order(array_oid: int) -> Callable[[str, str], int]:
    """The collation of stored arrays of type array_oid: -1, 0 or 1 as PostgreSQL orders them
    (as texts when one is not of that type: a UNION branch of another array type)."""
    decode = from_storage(array_oid)

    def order(left: str, right: str) -> int:
        try:
            left_key, right_key = (comparison_key(decode(text), array_oid, dt.UTC) for text in (left, right))
        except DatabaseError:
            return (left > right) - (left < right)
        return (left_key > right_key) - (left_key < right_key)
    return order


def unnest(array: Any, array_oid: int) -> Iterator[tuple[Any, int]]:
    """The stored elements of a stored array, in storage order (row-major), NULL ones included,
    each with its position (from 1)."""
    if array is None:
        return
    store = to_storage(codecs.type_by_oid(array_oid).elem_oid)
    for position, element in enumerate(leaves(from_storage(array_oid)(array)), start=1):
        yield store(element), position


def functions(time_zone: Callable[[], dt.tzinfo],
              text_style: Callable[[], TextStyle]) -> dict[str, Callable[..., Any]]:
    """The SQLite functions of this module for a session whose time zone time_zone() gives and
    whose DateStyle and IntervalStyle text_style() gives."""
    def build_stored(array_oid: int, *items: Any) -> Any:
        return build(array_oid, list(zip(items[::2], items[1::2], strict=True)), time_zone())

    def concatenate_stored(left: Any, left_oid: int, right: Any, right_oid: int, result_oid: int) -> Any:
        return _concatenate_stored(left, left_oid, right, right_oid, result_oid, time_zone())

    def cast_stored(array: Any, source_oid: int, target_oid: int, typmod: int, explicit: int) -> Any:
        source, target = (codecs.type_by_oid(oid).elem_oid for oid in (source_oid, target_oid))
        converted = convert_elements(from_storage(source_oid)(array), source, target, time_zone(), typmod,
                                     explicit=bool(explicit), style=text_style())
        return to_storage(target_oid)(converted)

    def position_stored(array: Any, array_oid: int, element: Any, start: Any = 1) -> int | None:
        if start is None:
            raise DatabaseError(NULL_VALUE_NOT_ALLOWED, "initial position must not be null")
        if array is None:
            return None
        element_oid = codecs.type_by_oid(array_oid).elem_oid
        return position(from_storage(array_oid)(array), from_storage(element_oid)(element), int(start),
                        _same(element_oid, time_zone()))

    def remove_stored(array: Any, array_oid: int, element: Any) -> Any:
        if array is None:
            return None
        element_oid = codecs.type_by_oid(array_oid).elem_oid
        kept = remove(from_storage(array_oid)(array), from_storage(element_oid)(element),
                      _same(element_oid, time_zone()))
        return to_storage(array_oid)(kept)

    def replace_stored(array: Any, array_oid: int, old: Any, new: Any) -> Any:
        if array is None:
            return None
        decode = from_storage(codecs.type_by_oid(array_oid).elem_oid)
        same = _same(codecs.type_by_oid(array_oid).elem_oid, time_zone())
        return to_storage(array_oid)(replace(from_storage(array_oid)(array), decode(old), decode(new), same))

    def contains_stored(left: Any, right: Any, array_oid: int, operator: str) -> bool | None:
        if left is None or right is None:
            return None
        decode = from_storage(array_oid)
        same = _same(codecs.type_by_oid(array_oid).elem_oid, time_zone())
        if operator == "&&":
            return overlaps(decode(left), decode(right), same)
        container, contained = (left, right) if operator == "@>" else (right, left)
        return contains(decode(container), decode(contained), same)

    def split_stored(text: Any, separator: Any, null_text: Any = None) -> Any:
        return None if text is None else to_storage(_ANY_ARRAY)(split(str(text), separator, null_text))

    return {BUILD: build_stored, CONCATENATE: concatenate_stored, CAST: cast_stored,
            POSITION: position_stored, REMOVE: remove_stored, REPLACE: replace_stored,
            STRING_TO_ARRAY: split_stored, CONTAINS: contains_stored,
            "array_upper": _bound(upper=True), "array_lower": _bound(upper=False), "array_ndims": _ndims,
            "array_dims": _dims}
