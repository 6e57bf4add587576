"""PostgreSQL operator semantics over codec-model values, where SQLite's own would be wrong.

Date/time/interval arithmetic (months, then days on the session time zone's wall clock, then
microseconds as elapsed time) and the dispatch of `arith` to it or to the number arithmetic of
`numbers`; comparisons of numeric, interval, char(n), range and array values (arrays: element by element,
`array_cmp`), ANY/ALL over arrays; LIKE with PostgreSQL's backslash escape.
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from heliosdb_lite.engine.functions.numbers import division_by_zero, float_arith, number_negate, numeric_arith
from heliosdb_lite.engine.sql.short_text_cache import cached_for_short_text
from heliosdb_lite.engine.types import datetime_instants
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.casts import convert
from heliosdb_lite.engine.types.exact_numeric import (
    EXACT,
)
from heliosdb_lite.engine.types.typing_rules import no_operator
from heliosdb_lite.engine.types.value_order import comparison_key, interval_key, leaves
from heliosdb_lite.errors import (
    INVALID_ESCAPE_SEQUENCE,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import far_dates, times
from heliosdb_lite.protocol.codecs.far_dates import FarTimestamp
from heliosdb_lite.protocol.codecs.time_zones import wall_clock_instant

USECS_PER_DAY = 86_400_000_000
DAYS_PER_MONTH = 30


# --- integers and floats (SQLite storage values) ---------------------------------------------------


# --- numeric ----------------------------------------------------------------------------------------


def _to_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


# --- date/time ----------------------------------------------------------------------------------------

def _add_months(moment: dt.date | dt.datetime, months: int) -> Any:
    if months == 0:
        return moment
    total = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("outside years 1..9999")
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_interval(moment: Any, interval: Any, tz: dt.tzinfo, sign: int = 1) -> Any:
    """timestamp[tz] ± interval as PostgreSQL's timestamp[tz]_pl_interval: the months (the day
    clamped to the month's length), then the days, each on the wall clock (for timestamptz the
    session time zone's, the result localized again after each), then the time part as elapsed
    time; outside years 1..9999 (the value or the result) by `datetime_instants`. ±infinity stays
    as it is."""
    if isinstance(moment, codecs.DateTimeInfinity):
        return moment
    aware = moment.aware if isinstance(moment, FarTimestamp) else moment.tzinfo is not None
    try:
        if isinstance(moment, FarTimestamp):
            raise OverflowError("outside years 1..9999")
        near = moment.astimezone(dt.UTC) if aware else moment
        if interval.months:
            near = _on_wall_clock(near, tz, lambda local: _add_months(local, sign * interval.months))
        if interval.days:
            near = _on_wall_clock(near, tz, lambda local: local + dt.timedelta(days=sign * interval.days))
        return near + dt.timedelta(microseconds=sign * interval.microseconds)
    except OverflowError:
        return datetime_instants.add_interval(moment, t.TIMESTAMPTZ if aware else t.TIMESTAMP, interval, tz,
                                              sign)


def _on_wall_clock(moment: dt.datetime, tz: dt.tzinfo,
                   change: Callable[[dt.datetime], dt.datetime]) -> dt.datetime:
    """change applied to a timestamp, or to a timestamptz's wall-clock time in tz (then localized);
    OverflowError outside years 1..9999."""
    if moment.tzinfo is None:
        return change(moment)
    return wall_clock_instant(change(moment.astimezone(tz).replace(tzinfo=None)), tz)


def _interval_between(later: dt.datetime, earlier: dt.datetime) -> Any:
    """timestamp[tz] - timestamp[tz]: the elapsed time, whole 24-hour spans as days (timestamp_mi)."""
    if later.tzinfo is not None:
        later, earlier = later.astimezone(dt.UTC), earlier.astimezone(dt.UTC)
    micros = (later - earlier) // dt.timedelta(microseconds=1)
    days = int(micros / USECS_PER_DAY)
    return codecs.Interval(0, days, micros - days * USECS_PER_DAY)


def _time_plus(value: Any, micros: int) -> Any:
    """time or timetz ± microseconds, wrapped into the day (time_pl_interval, timetz_pl_interval)."""
    return times.time_of_usec((times.usec_of(value) + micros) % USECS_PER_DAY, value.tzinfo)


def interval_multiply(interval: Any, factor: float) -> Any:
    """interval * number, spilling fractional months into days and days into time (interval_mul)."""
    months_exact = interval.months * factor
    months = int(months_exact)
    month_days = (months_exact - months) * DAYS_PER_MONTH
    days_exact = interval.days * factor
    days = int(days_exact)
    spill_seconds = (days_exact - days + month_days - int(month_days)) * 86_400
    days += int(month_days)
    micros = round(interval.microseconds * factor + spill_seconds * 1_000_000)
    return codecs.Interval(months, days, micros)





def _negate_interval(interval: Any) -> Any:
    return codecs.Interval(-interval.months, -interval.days, -interval.microseconds)


def datetime_arith(operator: str, left: Any, left_oid: int, right: Any, right_oid: int, tz: dt.tzinfo) -> Any:
    """Date/time/interval arithmetic; operand types as resolved by typing_rules.arithmetic_type."""
    key = (operator, left_oid, right_oid)
    if key in (("+", t.DATE, t.INT4), ("-", t.DATE, t.INT4)):
        return datetime_instants.add_days(left, right if operator == "+" else -right)
    if key == ("+", t.INT4, t.DATE):
        return datetime_instants.add_days(right, left)
    if key == ("-", t.DATE, t.DATE):
        return far_dates.days_of(left) - far_dates.days_of(right)
    if key == ("+", t.DATE, t.TIME):
        return datetime_instants.date_plus_micros(left, times.usec_of(right), aware=False)
    if key == ("+", t.TIMETZ, t.DATE):
        left, right, key = right, left, ("+", t.DATE, t.TIMETZ)
    if key == ("+", t.DATE, t.TIMETZ):  # datetimetz_timestamptz: the clock at the value's own offset
        micros = times.usec_of(right) - times.offset_east(right) * 1_000_000
        return datetime_instants.date_plus_micros(left, micros, aware=True)
    if left_oid == t.DATE and right_oid == t.INTERVAL:
        left, left_oid = datetime_instants.convert(left, t.DATE, t.TIMESTAMP, tz), t.TIMESTAMP
    if right_oid == t.DATE and left_oid == t.INTERVAL:
        right, right_oid = datetime_instants.convert(right, t.DATE, t.TIMESTAMP, tz), t.TIMESTAMP
    if left_oid in (t.TIMESTAMP, t.TIMESTAMPTZ) and right_oid == t.INTERVAL and operator in "+-":
        return add_interval(left, right, tz, 1 if operator == "+" else -1)
    if left_oid == t.INTERVAL and right_oid in (t.TIMESTAMP, t.TIMESTAMPTZ) and operator == "+":
        return add_interval(right, left, tz)
    if operator == "-" and left_oid == right_oid and left_oid in (t.TIMESTAMP, t.TIMESTAMPTZ):
        if isinstance(left, FarTimestamp) or isinstance(right, FarTimestamp):
            return datetime_instants.interval_between(left, right)
        return _interval_between(left, right)
    if left_oid in (t.TIME, t.TIMETZ) and right_oid == t.INTERVAL and operator in "+-":
        sign = 1 if operator == "+" else -1
        return _time_plus(left, sign * right.microseconds)
    if left_oid == t.INTERVAL and right_oid in (t.TIME, t.TIMETZ) and operator == "+":
        return _time_plus(right, left.microseconds)
    if key == ("-", t.TIME, t.TIME):
        return codecs.Interval(0, 0, times.usec_of(left) - times.usec_of(right))
    if left_oid == right_oid == t.INTERVAL and operator in "+-":
        sign = 1 if operator == "+" else -1
        return codecs.Interval(left.months + sign * right.months, left.days + sign * right.days,
                               left.microseconds + sign * right.microseconds)
    if left_oid == t.INTERVAL and right_oid in t.NUMBER_TYPES and operator in "*/":
        factor = float(right)
        if operator == "/":
            if factor == 0:
                raise division_by_zero()
            factor = 1 / factor
        return interval_multiply(left, factor)
    if right_oid == t.INTERVAL and left_oid in t.NUMBER_TYPES and operator == "*":
        return interval_multiply(right, float(left))
    raise no_operator(left_oid, operator, right_oid)


def arith(operator: str, left: Any, left_oid: int, right: Any, right_oid: int, tz: dt.tzinfo) -> Any:
    """Arithmetic on codec-model values that SQLite cannot do natively (numeric, date/time)."""
    if left is None or right is None:
        return None
    if left_oid in t.NUMBER_TYPES and right_oid in t.NUMBER_TYPES:
        if left_oid in t.FLOAT_TYPES or right_oid in t.FLOAT_TYPES:
            return float_arith(operator, float(left), float(right))
        return numeric_arith(operator, _to_decimal(left), _to_decimal(right))
    return datetime_arith(operator, left, left_oid, right, right_oid, tz)


def negate(value: Any, oid: int) -> Any:
    if value is None:
        return None
    if oid == t.INTERVAL:
        return _negate_interval(value)
    return EXACT.minus(value) if isinstance(value, Decimal) else number_negate(value, oid)


# --- comparison ---------------------------------------------------------------------------------------







def compare(left: Any, left_oid: int, right: Any, right_oid: int, tz: dt.tzinfo) -> int | None:
    """-1, 0 or 1 as left <, =, > right (None if either is NULL)."""
    if left is None or right is None:
        return None
    if t.DATE in (left_oid, right_oid) and {left_oid, right_oid} <= {t.DATE, t.TIMESTAMP}:
        tz = dt.UTC
    if {left_oid, right_oid} == {t.TIME, t.TIMETZ}:  # the time as a timetz (its implicit cast)
        if left_oid == t.TIME:
            left, left_oid = convert(left, t.TIME, t.TIMETZ, tz=tz), t.TIMETZ
        else:
            right, right_oid = convert(right, t.TIME, t.TIMETZ, tz=tz), t.TIMETZ
    a, b = comparison_key(left, left_oid, tz), comparison_key(right, right_oid, tz)
    return (a > b) - (a < b)


_SATISFIED: dict[str, Callable[[int], bool]] = {
    "=": lambda order: order == 0, "<>": lambda order: order != 0, "<": lambda order: order < 0,
    "<=": lambda order: order <= 0, ">": lambda order: order > 0, ">=": lambda order: order >= 0,
}








def quantified(operator: str, value: Any, value_oid: int, elements: list[Any] | None, element_oid: int,
               tz: dt.tzinfo, *, every: bool) -> bool | None:
    """`value operator ANY(elements)` (every=False) or `... ALL(elements)`, with SQL's NULL logic:
    no elements make ANY false and ALL true, whatever the value."""
    if elements is None:
        return None
    flattened = leaves(elements)
    if not flattened:
        return every
    if value is None:
        return None
    outcomes = {None if element is None else _SATISFIED[operator](
        compare(value, value_oid, element, element_oid, tz) or 0) for element in flattened}
    decisive = not every
    if decisive in outcomes:
        return decisive
    return None if None in outcomes else not decisive


@lru_cache(maxsize=4096)
def numeric_text_key(text: str) -> Decimal:
    return Decimal(text)


def compare_numeric_text(left: str, right: str) -> int:
    """The `helios_numeric` collation: numeric texts compared by value."""
    try:
        a, b = numeric_text_key(left), numeric_text_key(right)
    except decimal.InvalidOperation:
        return (left > right) - (left < right)
    return (a > b) - (a < b)


@lru_cache(maxsize=4096)
def _interval_text_key(text: str) -> int:
    return interval_key(codecs.decode_text(t.INTERVAL, text.encode()))


def compare_interval_text(left: str, right: str) -> int:
    """The `helios_interval` collation: interval texts compared by span."""
    a, b = _interval_text_key(left), _interval_text_key(right)
    return (a > b) - (a < b)


@lru_cache(maxsize=4096)
def _timetz_text_key(text: str) -> tuple[int, int]:
    return times.sort_key(codecs.decode_text(t.TIMETZ, text.encode()))


def compare_timetz_text(left: str, right: str) -> int:
    """The `helios_timetz` collation: stored timetz texts in timetz_cmp's order (as texts when one
    is not a timetz: a UNION branch of another type)."""
    try:
        a, b = _timetz_text_key(left), _timetz_text_key(right)
    except DatabaseError:
        return (left > right) - (left < right)
    return (a > b) - (a < b)


# --- numeric functions --------------------------------------------------------------------------------


# --- LIKE ---------------------------------------------------------------------------------------------

@cached_for_short_text(maxsize=1024)
def like_pattern(pattern: str, escape: str, case_insensitive: bool) -> re.Pattern[str]:
    """A LIKE pattern (% _, escape character, backslash by default) as a compiled regex."""
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if escape and char == escape:
            following = next(chars, None)
            if following is None:
                raise DatabaseError(INVALID_ESCAPE_SEQUENCE,
                                    "LIKE pattern must not end with escape character")
            parts.append(re.escape(following))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    flags = re.DOTALL | (re.IGNORECASE if case_insensitive else 0)
    return re.compile("".join(parts), flags)


def like(value: str | None, pattern: str | None, escape: str = "\\", *,
         case_insensitive: bool = False) -> bool | None:
    if value is None or pattern is None:
        return None
    return like_pattern(pattern, escape, case_insensitive).fullmatch(value) is not None
