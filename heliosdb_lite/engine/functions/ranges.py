"""PostgreSQL's range and multirange operators and functions over codec-model values
(`protocol.codecs.range_values`), and the SQLite functions and collations that run them on stored
values (their PostgreSQL text), type OIDs passed as integers.

The constructors (`int4range(lower, upper [, flags])`, `int4multirange(ranges...)`), containment
of a range, multirange or subtype value (@> <@), && << >> &< &> -|-, union / intersection /
difference (+ * -: 22000 where a range result would not be contiguous), lower, upper, isempty,
lower_inc, upper_inc, lower_inf, upper_inf, range_merge, the aggregates range_agg and
range_intersect_agg, unnest(multirange) (table-valued), as rangetypes.c and multirangetypes.c define
them; a range beside a multirange acts as the multirange of it. The collations
`helios_range_<oid>` order stored values as range_cmp / multirange_cmp do. Their typing is
`types.range_typing`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.types.value_storage import from_storage, to_storage
from heliosdb_lite.errors import DATA_EXCEPTION, NULL_VALUE_NOT_ALLOWED, SYNTAX_ERROR, DatabaseError
from heliosdb_lite.protocol.codecs.range_values import (
    EMPTY,
    MULTIRANGE_TYPES,
    RANGE_TYPES,
    Bound,
    Multirange,
    Range,
    RangeType,
    adjacent,
    before,
    bounds_adjacent,
    compare_bounds,
    compare_values,
    from_bounds,
    lower_bound,
    make_multirange,
    make_range,
    overlaps,
    sort_key,
    union,
    upper_bound,
)

CONSTRUCT = "helios_range"  # (range oid, lower, upper[, flags])
CONSTRUCT_MULTIRANGE = "helios_multirange"  # (multirange oid, range, ...)
OPERATE = "helios_range_operator"  # (operator, left, left oid, right, right oid)
PROPERTY = "helios_range_property"  # (name, value, oid)
MERGE = "helios_range_merge"  # (oid, value[, value])
AGGREGATE = "helios_range_agg"  # (value, oid): range_agg
INTERSECT_AGGREGATE = "helios_range_intersect_agg"  # (value, oid): range_intersect_agg
UNNEST = "helios_multirange_unnest"  # table-valued (multirange, oid): its ranges and their positions
_FLAGS = {"[]": (True, True), "[)": (True, False), "(]": (False, True), "()": (False, False)}


# --- constructors -----------------------------------------------------------------------------------

def construct(kind: RangeType, lower: Any, upper: Any, flags: str | None = "[)") -> Range:
    """int4range(lower, upper [, flags]): NULL bounds are unbounded; flags one of [] [) (] ()."""
    if flags is None:
        raise DatabaseError(DATA_EXCEPTION, "range constructor flags argument must not be null")
    inclusive = _FLAGS.get(flags)
    if inclusive is None:
        raise DatabaseError(SYNTAX_ERROR, "invalid range bound flags",
                            hint='Valid values are "[]", "[)", "(]", and "()".')
    return make_range(kind, lower, upper, *inclusive)


# --- ranges -------------------------------------------------------------------------------------------

def contains_value(value: Range, element: Any) -> bool:
    """range_contains_elem_internal: the element is between the bounds (inclusive where they are)."""
    if value.empty:
        return False
    if value.lower is not None:
        order = compare_values(value.lower, element)
        if order > 0 or (order == 0 and not value.lower_inc):
            return False
    if value.upper is not None:
        order = compare_values(value.upper, element)
        if order < 0 or (order == 0 and not value.upper_inc):
            return False
    return True


def contains(container: Range, contained: Range) -> bool:
    """range_contains_internal: an empty range is in every range, nothing is in an empty one."""
    if contained.empty:
        return True
    if container.empty:
        return False
    return compare_bounds(lower_bound(container), lower_bound(contained)) <= 0 \
        and compare_bounds(upper_bound(container), upper_bound(contained)) >= 0


def intersection(kind: RangeType, first: Range, second: Range) -> Range:
    """range_intersect_internal (`*`)."""
    if not overlaps(first, second):
        return EMPTY
    lower = lower_bound(first) if compare_bounds(lower_bound(first), lower_bound(second)) >= 0 \
        else lower_bound(second)
    upper = upper_bound(first) if compare_bounds(upper_bound(first), upper_bound(second)) <= 0 \
        else upper_bound(second)
    return from_bounds(kind, lower, upper)


def _flipped(bound: Bound) -> Bound:
    """A bound as the bound on its other side: [5 becomes 5), (5 becomes 5]."""
    return Bound(bound.value, not bound.inclusive, not bound.lower)


def difference(kind: RangeType, first: Range, second: Range) -> Range:
    """range_minus_internal (`-`): 22000 when second is strictly inside first."""
    if first.empty or second.empty:
        return first
    lower1, upper1, lower2, upper2 = lower_bound(first), upper_bound(first), lower_bound(second), \
        upper_bound(second)
    lower_lower, lower_upper = compare_bounds(lower1, lower2), compare_bounds(lower1, upper2)
    upper_lower, upper_upper = compare_bounds(upper1, lower2), compare_bounds(upper1, upper2)
    if lower_lower < 0 and upper_upper > 0:
        raise DatabaseError(DATA_EXCEPTION, "result of range difference would not be contiguous")
    if lower_upper > 0 or upper_lower < 0:
        return first
    if lower_lower >= 0 and upper_upper <= 0:
        return EMPTY
    if lower_lower <= 0 and upper_lower >= 0 and upper_upper <= 0:
        return from_bounds(kind, lower1, _flipped(lower2))
    return from_bounds(kind, _flipped(upper2), upper1)


def _pieces_without(kind: RangeType, piece: Range, removed: Range) -> list[Range]:
    """The parts of piece outside removed: none, one or two ranges (range_split_internal)."""
    if not overlaps(piece, removed):
        return [piece]
    parts = []
    if compare_bounds(lower_bound(piece), lower_bound(removed)) < 0:
        parts.append(from_bounds(kind, lower_bound(piece), _flipped(lower_bound(removed))))
    if compare_bounds(upper_bound(piece), upper_bound(removed)) > 0:
        parts.append(from_bounds(kind, _flipped(upper_bound(removed)), upper_bound(piece)))
    return [part for part in parts if not part.empty]


# --- multiranges --------------------------------------------------------------------------------------

def _span(value: Multirange) -> Range:
    """The range from a multirange's lowest bound to its highest (empty for an empty multirange)."""
    if not value.ranges:
        return EMPTY
    first, last = value.ranges[0], value.ranges[-1]
    return Range(first.lower, last.upper, first.lower_inc, last.upper_inc)


def _multirange_operator(kind: RangeType, operator: str, left: Multirange, right: Multirange) -> Any:
    """A multirange operator of multirangetypes.c, a range operand taken as its multirange."""
    if operator == "@>":
        return all(any(contains(mine, theirs) for mine in left.ranges) for theirs in right.ranges)
    if operator == "<@":
        return _multirange_operator(kind, "@>", right, left)
    if operator == "&&":
        return any(overlaps(mine, theirs) for mine in left.ranges for theirs in right.ranges)
    if operator == "+":
        return make_multirange(kind, left.ranges + right.ranges)
    if operator == "*":
        return make_multirange(kind, [intersection(kind, mine, theirs) for mine in left.ranges
                                      for theirs in right.ranges])
    if operator == "-":
        kept = list(left.ranges)
        for removed in right.ranges:
            kept = [part for piece in kept for part in _pieces_without(kind, piece, removed)]
        return make_multirange(kind, kept)
    if not left.ranges or not right.ranges:
        return False
    if operator == "-|-":
        return bounds_adjacent(kind, upper_bound(left.ranges[-1]), lower_bound(right.ranges[0])) \
            or bounds_adjacent(kind, upper_bound(right.ranges[-1]), lower_bound(left.ranges[0]))
    return _RANGE_POSITIONS[operator](_span(left), _span(right))


_RANGE_POSITIONS: dict[str, Callable[[Range, Range], bool]] = {
    "<<": before,
    ">>": lambda first, second: before(second, first),
    "&<": lambda first, second: not first.empty and not second.empty
    and compare_bounds(upper_bound(first), upper_bound(second)) <= 0,
    "&>": lambda first, second: not first.empty and not second.empty
    and compare_bounds(lower_bound(first), lower_bound(second)) >= 0,
}


def _as_multirange(value: Range | Multirange) -> Multirange:
    if isinstance(value, Multirange):
        return value
    return Multirange(() if value.empty else (value,))


def operate(kind: RangeType, operator: str, left: Any, right: Any) -> Any:
    """`left operator right` with a range or multirange operand (typed by range_typing)."""
    if operator == "@>" and not isinstance(right, Range | Multirange):
        return contains_value(left, right) if isinstance(left, Range) \
            else any(contains_value(item, right) for item in left.ranges)
    if operator == "<@" and not isinstance(left, Range | Multirange):
        return operate(kind, "@>", right, left)
    if isinstance(left, Range) and isinstance(right, Range):
        return _range_operator(kind, operator, left, right)
    return _multirange_operator(kind, operator, _as_multirange(left), _as_multirange(right))


def _range_operator(kind: RangeType, operator: str, left: Range, right: Range) -> Any:
    if operator == "@>":
        return contains(left, right)
    if operator == "<@":
        return contains(right, left)
    if operator == "&&":
        return overlaps(left, right)
    if operator == "-|-":
        return adjacent(kind, left, right)
    if operator == "+":
        return union(kind, left, right)
    if operator == "*":
        return intersection(kind, left, right)
    if operator == "-":
        return difference(kind, left, right)
    return _RANGE_POSITIONS[operator](left, right)


# --- functions of one value -----------------------------------------------------------------------------

def range_property(name: str, value: Range | Multirange) -> Any:
    """lower, upper (NULL when empty or unbounded), isempty, lower_inc, upper_inc, lower_inf,
    upper_inf (false when empty) of a range, or of a multirange's span."""
    span = _span(value) if isinstance(value, Multirange) else value
    if name == "isempty":
        return span.empty
    if name in ("lower", "upper"):
        return None if span.empty else span.lower if name == "lower" else span.upper
    if span.empty:
        return False
    return {"lower_inc": span.lower_inc, "upper_inc": span.upper_inc, "lower_inf": span.lower is None,
            "upper_inf": span.upper is None}[name]


def merge(kind: RangeType, first: Range | Multirange, second: Range | None = None) -> Range:
    """range_merge(range, range): the smallest range holding both; range_merge(multirange): its span."""
    if isinstance(first, Multirange):
        return _span(first)
    assert second is not None
    return union(kind, first, second, strict=False)


# --- the SQLite side ------------------------------------------------------------------------------------

def _kind(oid: int) -> RangeType:
    return RANGE_TYPES.get(oid) or MULTIRANGE_TYPES[oid]


def _construct_stored(range_oid: int, lower: Any, upper: Any, flags: Any = "[)") -> str:
    kind = RANGE_TYPES[range_oid]
    decode = from_storage(kind.subtype)
    return to_storage(range_oid)(construct(kind, decode(lower), decode(upper), flags))


def _construct_multirange_stored(multirange_oid: int, *ranges: Any) -> str | None:
    """The multirange of its ranges: of one range a strict function (NULL gives NULL), of several a
    variadic one, which refuses a NULL member."""
    kind = MULTIRANGE_TYPES[multirange_oid]
    if ranges == (None,):
        return None
    if any(item is None for item in ranges):
        raise DatabaseError(NULL_VALUE_NOT_ALLOWED, "multirange values cannot contain null members")
    decode = from_storage(kind.oid)
    return to_storage(multirange_oid)(make_multirange(kind, [decode(item) for item in ranges]))


def _operate_stored(operator: str, left: Any, left_oid: int, right: Any, right_oid: int) -> Any:
    if left is None or right is None:
        return None
    kind = _kind(left_oid) if left_oid in RANGE_TYPES or left_oid in MULTIRANGE_TYPES else _kind(right_oid)
    result = operate(kind, operator, from_storage(left_oid)(left), from_storage(right_oid)(right))
    if isinstance(result, bool):
        return int(result)
    return to_storage(kind.oid if isinstance(result, Range) else kind.multirange)(result)


def _property_stored(name: str, value: Any, oid: int) -> Any:
    if value is None:
        return None
    result = range_property(name, from_storage(oid)(value))
    return int(result) if isinstance(result, bool) else to_storage(_kind(oid).subtype)(result)


def _merge_stored(oid: int, first: Any, second: Any = None, *rest: Any) -> Any:
    kind = _kind(oid)
    if first is None or (oid == kind.oid and second is None):
        return None
    decode = from_storage(oid)
    merged = merge(kind, decode(first), None if oid != kind.oid else decode(second))
    return to_storage(kind.oid)(merged)


class RangeAggregate:
    """range_agg(range | multirange): the multirange of every range aggregated (NULLs skipped;
    NULL when there is none)."""

    def __init__(self) -> None:
        self.ranges: list[Range] = []
        self.oid = 0

    def step(self, value: Any, oid: int) -> None:
        if value is not None:
            self.oid = oid
            self.ranges.extend(_as_multirange(from_storage(oid)(value)).ranges)

    def final(self) -> str | None:
        if not self.oid:
            return None
        kind = _kind(self.oid)
        return to_storage(kind.multirange)(make_multirange(kind, self.ranges))


class RangeIntersectAggregate:
    """range_intersect_agg(range | multirange): what every value aggregated has in common (NULLs
    skipped; NULL when there is none)."""

    def __init__(self) -> None:
        self.common: Range | Multirange | None = None
        self.oid = 0

    def step(self, value: Any, oid: int) -> None:
        if value is None:
            return
        self.oid = oid
        current = from_storage(oid)(value)
        self.common = current if self.common is None else operate(_kind(oid), "*", self.common, current)

    def final(self) -> str | None:
        return None if self.common is None else to_storage(self.oid)(self.common)


def unnest(multirange: Any, oid: int) -> Iterator[tuple[str, int]]:
    """unnest(multirange): its ranges in order, each with its position (from 1)."""
    if multirange is None:
        return
    store = to_storage(MULTIRANGE_TYPES[oid].oid)
    for position, item in enumerate(from_storage(oid)(multirange).ranges, start=1):
        yield store(item), position


@lru_cache(maxsize=4096)
def _stored_key(oid: int, text: str) -> tuple[Any, ...]:
    return sort_key(from_storage(oid)(text))


def stored_order(oid: int) -> Callable[[str, str], int]:
    """The collation of stored values of a range or multirange type: -1, 0 or 1 as range_cmp and
    multirange_cmp order them (as texts when one is not of that type: a UNION branch of another)."""
    def order(left: str, right: str) -> int:
        try:
            left_key, right_key = _stored_key(oid, left), _stored_key(oid, right)
        except DatabaseError:
            return (left > right) - (left < right)
        return (left_key > right_key) - (left_key < right_key)
    return order


FUNCTIONS: dict[str, Callable[..., Any]] = {
    CONSTRUCT: _construct_stored, CONSTRUCT_MULTIRANGE: _construct_multirange_stored,
    OPERATE: _operate_stored, PROPERTY: _property_stored, MERGE: _merge_stored,
}
COLLATIONS = {oid: fn.COLLATIONS[oid] for oid in (*RANGE_TYPES, *MULTIRANGE_TYPES)}
