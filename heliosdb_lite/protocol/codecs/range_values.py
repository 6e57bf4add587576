"""Range and multirange values as PostgreSQL 15 keeps them: the value model and its canonical form.

A `Range` holds its bounds as subtype values (None: unbounded), whether each is inclusive, and
whether it is empty; a `Multirange` a tuple of ranges. Every value a codec or a function makes goes
through `make_range` / `make_multirange`, PostgreSQL's make_range and multirange_canonicalize: an
unbounded bound is exclusive, a lower bound above the upper one is 22000, equal bounds not both
inclusive make the range empty, a discrete type (int4range, int8range, daterange) is written `[)`
(int4range_canonical and friends), and a multirange's ranges are sorted, merged where they overlap
or touch, and its empty ones dropped. The bound comparisons are rangetypes.c's
(range_cmp_bounds, range_cmp_bound_values), and `sort_key` orders values as range_cmp and
multirange_cmp do: empty first, then by lower bound, then by upper bound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from heliosdb_lite.errors import DATA_EXCEPTION, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.datetimes import DateTimeInfinity
from heliosdb_lite.protocol.codecs.far_dates import FarDate, FarTimestamp, date_of_days, days_of, usec_of
from heliosdb_lite.protocol.codecs.faults import out_of_range
from heliosdb_lite.protocol.codecs.interval import Interval, interval_key


@dataclass(frozen=True, slots=True)
class Range:
    """A range value: lower/upper None are unbounded (never inclusive); an empty range has neither."""

    lower: Any = None
    upper: Any = None
    lower_inc: bool = False
    upper_inc: bool = False
    empty: bool = False


EMPTY = Range(empty=True)


@dataclass(frozen=True, slots=True)
class Multirange:
    """A multirange value: its ranges in order, none empty, none overlapping or touching another."""

    ranges: tuple[Range, ...] = ()


@dataclass(frozen=True, slots=True)
class RangeType:
    """A built-in range type: its subtype and multirange, and for a discrete type the next value
    of the subtype (the canonical form is `[)`)."""

    oid: int
    name: str
    subtype: int
    multirange: int
    multirange_name: str
    step: Callable[[Any], Any] | None = None


def _step_integer(high: int, message: str) -> Callable[[int], int]:
    def step(value: int) -> int:
        if value >= high:
            raise out_of_range(message)
        return value + 1
    return step


def _step_date(value: Any) -> Any:
    """The next day (date_pli: 22008 after 5874897-12-31), in or outside years 1..9999."""
    if isinstance(value, DateTimeInfinity):  # daterange_canonical leaves infinite dates as they are
        return value
    return date_of_days(days_of(value) + 1)


RANGE_TYPES: dict[int, RangeType] = {kind.oid: kind for kind in (
    RangeType(oids.INT4RANGE, "int4range", oids.INT4, oids.INT4MULTIRANGE, "int4multirange",
              _step_integer(2**31 - 1, "integer out of range")),
    RangeType(oids.INT8RANGE, "int8range", oids.INT8, oids.INT8MULTIRANGE, "int8multirange",
              _step_integer(2**63 - 1, "bigint out of range")),
    RangeType(oids.NUMRANGE, "numrange", oids.NUMERIC, oids.NUMMULTIRANGE, "nummultirange"),
    RangeType(oids.DATERANGE, "daterange", oids.DATE, oids.DATEMULTIRANGE, "datemultirange", _step_date),
    RangeType(oids.TSRANGE, "tsrange", oids.TIMESTAMP, oids.TSMULTIRANGE, "tsmultirange"),
    RangeType(oids.TSTZRANGE, "tstzrange", oids.TIMESTAMPTZ, oids.TSTZMULTIRANGE, "tstzmultirange"),
)}
MULTIRANGE_TYPES: dict[int, RangeType] = {kind.multirange: kind for kind in RANGE_TYPES.values()}


# --- comparing subtype values and bounds -------------------------------------------------------------

def _value_key(value: Any) -> tuple[Any, ...]:
    """A key that orders subtype values as PostgreSQL does: -infinity and infinity of dates and
    time stamps around every other value, numeric NaN above every number, intervals as interval_cmp,
    dates and time stamps as their days or µs since 2000 (so those outside years 1..9999 too)."""
    if isinstance(value, DateTimeInfinity):
        return (value.sign,)
    if isinstance(value, Decimal) and value.is_nan():
        return (1,)
    if isinstance(value, Interval):  # 30-day months, 24-hour days
        return (0, interval_key(value))
    if isinstance(value, dt.datetime | FarTimestamp):  # in or outside years 1..9999
        return (0, usec_of(value))
    if isinstance(value, dt.date | FarDate):
        return (0, days_of(value))
    return (0, value)


def compare_values(left: Any, right: Any) -> int:
    """-1, 0 or 1 as the subtype's comparison function orders two (finite-bound) values."""
    if type(left) is type(right) and type(left) in (int, dt.date, dt.datetime):
        return (left > right) - (left < right)
    a, b = _value_key(left), _value_key(right)
    return (a > b) - (a < b)


class Bound(NamedTuple):
    """One bound of a non-empty range (RangeBound): value None is unbounded."""

    value: Any
    inclusive: bool
    lower: bool


def lower_bound(value: Range) -> Bound:
    return Bound(value.lower, value.lower_inc, True)


def upper_bound(value: Range) -> Bound:
    return Bound(value.upper, value.upper_inc, False)


def compare_bound_values(first: Bound, second: Bound) -> int:
    """range_cmp_bound_values: the bounds' values compared, an unbounded one below or above every
    value as it is a lower or an upper bound; inclusiveness ignored."""
    if first.value is None and second.value is None:
        return 0 if first.lower == second.lower else (-1 if first.lower else 1)
    if first.value is None:
        return -1 if first.lower else 1
    if second.value is None:
        return 1 if second.lower else -1
    return compare_values(first.value, second.value)


def compare_bounds(first: Bound, second: Bound) -> int:
    """range_cmp_bounds: bounds ordered as the sets they delimit, so that an exclusive lower bound
    sorts after an inclusive one at the same value and an exclusive upper bound before it."""
    result = compare_bound_values(first, second)
    if result != 0 or first.value is None or second.value is None:
        return result
    if not first.inclusive and not second.inclusive:
        return 0 if first.lower == second.lower else (1 if first.lower else -1)
    if not first.inclusive:
        return 1 if first.lower else -1
    if not second.inclusive:
        return -1 if second.lower else 1
    return 0


# --- making values ----------------------------------------------------------------------------------

def _is_empty(lower: Any, upper: Any, lower_inc: bool, upper_inc: bool) -> bool:
    """Whether these bounds hold nothing (equal, not both inclusive); 22000 when the lower bound is
    above the upper one."""
    if lower is None or upper is None:
        return False
    order = compare_values(lower, upper)
    if order > 0:
        raise DatabaseError(DATA_EXCEPTION,
                            "range lower bound must be less than or equal to range upper bound")
    return order == 0 and not (lower_inc and upper_inc)


def make_range(kind: RangeType, lower: Any, upper: Any, lower_inc: bool, upper_inc: bool,
               empty: bool = False) -> Range:
    """A range in its canonical form (make_range: range_serialize, then the type's canonical
    function); 22000 when the lower bound is above the upper one."""
    if empty:
        return EMPTY
    lower_inc = lower_inc and lower is not None
    upper_inc = upper_inc and upper is not None
    if _is_empty(lower, upper, lower_inc, upper_inc):
        return EMPTY
    if kind.step is not None:
        if lower is not None and not lower_inc:
            stepped = kind.step(lower)
            if stepped is not lower:
                lower, lower_inc = stepped, True
        if upper is not None and upper_inc:
            stepped = kind.step(upper)
            if stepped is not upper:
                upper, upper_inc = stepped, False
        if _is_empty(lower, upper, lower_inc, upper_inc):
            return EMPTY
    return Range(lower, upper, lower_inc, upper_inc)


def from_bounds(kind: RangeType, lower: Bound, upper: Bound) -> Range:
    """The range between two bounds (either may have been another range's upper or lower one)."""
    return make_range(kind, lower.value, upper.value, lower.inclusive, upper.inclusive)


def overlaps(first: Range, second: Range) -> bool:
    """range_overlaps_internal: the ranges share a point (an empty range shares none)."""
    if first.empty or second.empty:
        return False
    if compare_bounds(lower_bound(first), lower_bound(second)) >= 0 \
            and compare_bounds(lower_bound(first), upper_bound(second)) <= 0:
        return True
    return compare_bounds(lower_bound(second), lower_bound(first)) >= 0 \
        and compare_bounds(lower_bound(second), upper_bound(first)) <= 0


def before(first: Range, second: Range) -> bool:
    """range_before_internal (`<<`): every point of first is below every point of second."""
    if first.empty or second.empty:
        return False
    return compare_bounds(upper_bound(first), lower_bound(second)) < 0


def bounds_adjacent(kind: RangeType, upper: Bound, lower: Bound) -> bool:
    """bounds_adjacent: an upper bound and a lower bound with nothing between them."""
    order = compare_bound_values(upper, lower)
    if order < 0:
        if kind.step is None:
            return False  # a continuous subtype has points between any two values
        gap = make_range(kind, upper.value, lower.value, not upper.inclusive, not lower.inclusive)
        return gap.empty
    if order == 0:
        return upper.inclusive != lower.inclusive
    return False


def adjacent(kind: RangeType, first: Range, second: Range) -> bool:
    """range_adjacent_internal (`-|-`): the ranges touch without sharing a point."""
    if first.empty or second.empty:
        return False
    return bounds_adjacent(kind, upper_bound(first), lower_bound(second)) \
        or bounds_adjacent(kind, upper_bound(second), lower_bound(first))


def union(kind: RangeType, first: Range, second: Range, *, strict: bool = True) -> Range:
    """range_union_internal: from the lower of the lower bounds to the higher of the upper ones;
    strict (`+`): 22000 when the ranges neither overlap nor touch (range_merge is not strict)."""
    if first.empty:
        return second
    if second.empty:
        return first
    if strict and not overlaps(first, second) and not adjacent(kind, first, second):
        raise DatabaseError(DATA_EXCEPTION, "result of range union would not be contiguous")
    first_lower, second_lower = lower_bound(first), lower_bound(second)
    first_upper, second_upper = upper_bound(first), upper_bound(second)
    lower = first_lower if compare_bounds(first_lower, second_lower) < 0 else second_lower
    upper = first_upper if compare_bounds(first_upper, second_upper) > 0 else second_upper
    return from_bounds(kind, lower, upper)


def make_multirange(kind: RangeType, ranges: list[Range] | tuple[Range, ...]) -> Multirange:
    """multirange_canonicalize: the ranges sorted, those that overlap or touch merged into one,
    the empty ones dropped."""
    merged: list[Range] = []
    for current in sorted((r for r in ranges if not r.empty), key=sort_key):
        if not merged:
            merged.append(current)
        elif adjacent(kind, merged[-1], current):
            merged[-1] = union(kind, merged[-1], current, strict=False)
        elif before(merged[-1], current):
            merged.append(current)
        else:
            merged[-1] = union(kind, merged[-1], current)
    return Multirange(tuple(merged))


# --- ordering ---------------------------------------------------------------------------------------

def _bound_key(bound: Bound) -> tuple[Any, ...]:
    """A key that orders bounds as `compare_bounds` does."""
    if bound.value is None:
        return (0,) if bound.lower else (2,)
    tie = 0 if bound.inclusive else (1 if bound.lower else -1)
    return (1, _value_key(bound.value), tie)


def _range_key(value: Range) -> tuple[Any, ...]:
    if value.empty:
        return (0,)
    return (1, _bound_key(lower_bound(value)), _bound_key(upper_bound(value)))


def sort_key(value: Range | Multirange) -> tuple[Any, ...]:
    """A key that orders range values as range_cmp does (empty first, then by lower bound, then by
    upper bound) and multirange values as multirange_cmp does (range by range, fewer ranges first)."""
    if isinstance(value, Multirange):
        return tuple(_range_key(item) for item in value.ranges)
    return _range_key(value)
