"""PostgreSQL operator semantics over codec-model values, where SQLite's own would be wrong.

Integer and float arithmetic checked as PostgreSQL checks it (22003 when an integer leaves its
type's range or a float overflows or underflows, where SQLite would turn to a float or to
infinity; 22012 on a zero divisor; float4 results rounded to single precision); exact numeric
arithmetic (`exact_numeric`: no 28-digit rounding; division with PostgreSQL's result scale,
`select_div_scale`); date/time/interval arithmetic (months, then
days on the session time zone's wall clock, then microseconds as elapsed time); comparisons of
numeric, interval, char(n) and array values (arrays: element by element, `array_cmp`), ANY/ALL
over arrays; rounding and math functions on numeric; LIKE with PostgreSQL's backslash escape.
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import math
import re
import sys
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import Any

from heliosdb_lite.engine.sql.short_text_cache import cached_for_short_text
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.casts import localize, outside_years
from heliosdb_lite.engine.types.exact_numeric import (
    EXACT,
    MOST_INTEGER_DIGITS,
    check_numeric_range,
    numeric_overflow,
    quotient,
    round_to_scale,
)
from heliosdb_lite.engine.types.typing_rules import no_operator
from heliosdb_lite.engine.types.value_storage import (
    INTEGER_RANGES,
    check_integer,
    float_overflow,
    float_underflow,
    single_precision,
)
from heliosdb_lite.errors import (
    DIVISION_BY_ZERO,
    FEATURE_NOT_SUPPORTED,
    UNDEFINED_FUNCTION,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs

USECS_PER_DAY = 86_400_000_000
DAYS_PER_MONTH = 30
NUMERIC_MIN_SIG_DIGITS = 16
INVALID_ARGUMENT_FOR_LOG = "2201E"
INVALID_ARGUMENT_FOR_POWER = "2201F"
_GUARD_DIGITS = 10  # computed beyond the result's scale by roots, logarithms and powers


def division_by_zero() -> DatabaseError:
    return DatabaseError(DIVISION_BY_ZERO, "division by zero")


# --- integers and floats (SQLite storage values) ---------------------------------------------------

def number_arith(operator: str, left: int | float | None, right: int | float | None, oid: int) -> Any:
    """`left operator right` (+ - * / % ^) on integers or floats whose result is of type oid:
    integers checked against its range at each step (SQLite would carry on in a float), floats
    checked for overflow and underflow as PostgreSQL's float8pl, float8mul, ... check them."""
    if left is None or right is None:
        return None
    if oid in t.FLOAT_TYPES:
        return float_arith(operator, float(left), float(right), oid)
    return check_integer(oid, _integer_arith(operator, int(left), int(right)))


_QUICK_OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda left, right: left + right, "-": lambda left, right: left - right,
    "*": lambda left, right: left * right,
}
_LARGEST_FLOAT = {t.FLOAT4: 3.4028234663852886e38, t.FLOAT8: sys.float_info.max}


def quick_arith(operator: str, oid: int) -> Callable[[Any, Any], Any]:
    """`number_arith` for one of + - * and one result type, as a function of the two operands: the
    common case (an integer in range, a finite float) answered at once, anything else by
    number_arith (the translator calls it once per row: its cost is the query's)."""
    operation = _QUICK_OPERATIONS[operator]
    if oid in t.FLOAT_TYPES:
        largest = _LARGEST_FLOAT[oid]

        def floats(left: Any, right: Any) -> Any:
            if left is None or right is None:
                return None
            result = operation(left, right)
            if -largest <= result <= largest and (result != 0 or operator != "*") and oid == t.FLOAT8:
                return result
            return number_arith(operator, left, right, oid)
        return floats
    low, high, _ = INTEGER_RANGES[oid]

    def integers(left: Any, right: Any) -> Any:
        if left is None or right is None:
            return None
        result = operation(left, right)
        if low <= result <= high and type(result) is int:
            return result
        return number_arith(operator, left, right, oid)
    return integers


def number_negate(value: int | float | None, oid: int) -> int | float | None:
    """Unary minus on an integer (22003 for the smallest of its type) or a float."""
    if value is None:
        return None
    return -value if oid in t.FLOAT_TYPES else check_integer(oid, -int(value))


def _integer_arith(operator: str, left: int, right: int) -> int:
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if right == 0 and operator in "/%":
        raise division_by_zero()
    if operator == "/":  # truncating toward zero
        whole = abs(left) // abs(right)
        return whole if (left >= 0) == (right >= 0) else -whole
    if operator == "%":  # with the sign of the dividend
        remainder = abs(left) % abs(right)
        return remainder if left >= 0 else -remainder
    raise no_operator(t.INT8, operator, t.INT8)


_INTEGER_BITS = {t.INT2: 16, t.INT4: 32, t.INT8: 64}


def bitwise(operator: str, left: int | None, right: int | None, oid: int) -> int | None:
    """& | # << >> ~ on integers of type oid (~ takes its operand on the right) as PostgreSQL's C
    code computes them: a shift count taken modulo the width of the C integer shifted (an int2
    is shifted as an int), the bits that leave the type dropped."""
    if left is None or right is None:
        return None
    if operator == "&":
        return left & right
    if operator == "|":
        return left | right
    if operator == "#":
        return left ^ right
    if operator == "~":
        return ~right
    count = right & ((64 if oid == t.INT8 else 32) - 1)
    shifted = left << count if operator == "<<" else left >> count
    bits = _INTEGER_BITS[oid]
    shifted &= (1 << bits) - 1
    return shifted - (1 << bits) if shifted >> (bits - 1) else shifted


def float_arith(operator: str, left: float, right: float, oid: int = t.FLOAT8) -> float:
    """+ - * / ^ on floats with PostgreSQL's checks; a float4 result rounded to single precision."""
    if operator == "^":
        result = _float_power(left, right)
    elif operator == "/":
        if right == 0:
            raise division_by_zero()
        result = left / right
    elif operator in "+-*":
        result = left + right if operator == "+" else left - right if operator == "-" else left * right
    else:
        raise no_operator(oid, operator, oid)
    result = checked_float(result, left, right, underflow=operator in "*/^" and not (
        operator == "/" and math.isinf(right)))
    return single_precision(result) if oid == t.FLOAT4 and math.isfinite(result) else result


def checked_float(result: float, *operands: float, underflow: bool = False) -> float:
    """A float result: 22003 when it became infinite from finite operands (or, underflow given,
    zero from nonzero ones); 0A000 for NaN, which the store cannot keep."""
    if math.isnan(result):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "the float value NaN is not supported")
    if math.isinf(result) and not any(math.isinf(operand) for operand in operands):
        raise float_overflow()
    if underflow and result == 0 and all(operand != 0 for operand in operands):
        raise float_underflow()
    return result


def _float_power(base: float, exponent: float) -> float:
    """dpow: 2201F for zero to a negative power and a negative number to a non-integer one."""
    if base == 0 and exponent < 0:
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER, "zero raised to a negative power is undefined")
    if base < 0 and math.isfinite(exponent) and exponent != math.floor(exponent):
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER,
                            "a negative number raised to a non-integer power yields a complex result")
    try:
        return math.pow(base, exponent)
    except OverflowError:
        raise float_overflow() from None


# --- numeric ----------------------------------------------------------------------------------------

def _weight_and_first_digit(value: Decimal) -> tuple[int, int]:
    """PostgreSQL's base-10000 weight and first base-10000 digit of a nonzero numeric."""
    magnitude = EXACT.abs(value)
    weight = magnitude.adjusted() // 4
    first = int(magnitude.scaleb(-4 * weight, context=EXACT))
    return weight, first


def _scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def numeric_divide(left: Decimal, right: Decimal) -> Decimal:
    """left / right rounded to PostgreSQL's result scale (select_div_scale)."""
    if right == 0:
        raise division_by_zero()
    if left == 0:
        weight1, first1 = 0, 0
    else:
        weight1, first1 = _weight_and_first_digit(left)
    weight2, first2 = _weight_and_first_digit(right)
    quotient_weight = weight1 - weight2 - (1 if first1 <= first2 else 0)
    result_scale = NUMERIC_MIN_SIG_DIGITS - quotient_weight * 4
    result_scale = min(max(result_scale, _scale(left), _scale(right), 0), 1000)
    return quotient(left, right, result_scale)


def numeric_arith(operator: str, left: Decimal, right: Decimal) -> Decimal:
    if operator == "+":
        return check_numeric_range(EXACT.add(left, right))
    if operator == "-":
        return check_numeric_range(EXACT.subtract(left, right))
    if operator == "*":
        return check_numeric_range(EXACT.multiply(left, right))
    if operator == "/":
        return numeric_divide(left, right)
    if operator in ("%", "div"):
        if right == 0:
            raise division_by_zero()
        return EXACT.remainder(left, right) if operator == "%" else EXACT.divide_int(left, right)
    if operator == "^":
        return numeric_power(left, right)
    raise no_operator(t.NUMERIC, operator, t.NUMERIC)


def numeric_power(base: Decimal, exponent: Decimal) -> Decimal:
    """base ^ exponent at the scale PostgreSQL 15 gives it; 22003 beyond numeric's range."""
    if base == 0 and exponent < 0:
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER, "zero raised to a negative power is undefined")
    integral = exponent == exponent.to_integral_value()
    if base < 0 and not integral:
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER,
                            "a negative number raised to a non-integer power yields a complex result")
    scale = max(_scale(base), _scale(exponent), NUMERIC_MIN_SIG_DIGITS)
    if base == 0 or abs(base) == 1 or exponent == 0:
        result = EXACT.power(base, int(exponent))  # 0, 1 or ±1
    else:
        magnitude = float(exponent) * math.log10(abs(base))  # the result's decimal exponent, about
        if magnitude > MOST_INTEGER_DIGITS:
            raise numeric_overflow()
        if magnitude < -scale - 2:
            result = Decimal(0)
        elif integral and exponent > 0:
            result = EXACT.power(base, int(exponent))
        elif integral:
            result = quotient(Decimal(1), EXACT.power(base, -int(exponent)), scale)
        else:
            digits = max(int(magnitude), 0) + 1 + scale + _GUARD_DIGITS
            result = _rounding_to(digits).power(base, exponent)
    return round_to_scale(result, scale)


def _rounding_to(digits: int) -> decimal.Context:
    return decimal.Context(prec=max(digits, 1), Emax=EXACT.Emax, Emin=EXACT.Emin)


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
        raise outside_years()
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_interval(moment: dt.datetime, interval: Any, tz: dt.tzinfo, sign: int = 1) -> dt.datetime:
    """timestamp[tz] ± interval as PostgreSQL's timestamp[tz]_pl_interval: the months (the day
    clamped to the month's length), then the days, each on the wall clock (for timestamptz the
    session time zone's, the result localized again after each), then the time part as elapsed
    time; `outside_years` beyond the years a datetime holds. ±infinity stays as it is."""
    if isinstance(moment, codecs.DateTimeInfinity):
        return moment
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    try:
        if interval.months:
            moment = _on_wall_clock(moment, tz, lambda local: _add_months(local, sign * interval.months))
        if interval.days:
            moment = _on_wall_clock(moment, tz, lambda local: local + dt.timedelta(days=sign * interval.days))
        return moment + dt.timedelta(microseconds=sign * interval.microseconds)
    except OverflowError:
        raise outside_years() from None


def _on_wall_clock(moment: dt.datetime, tz: dt.tzinfo,
                   change: Callable[[dt.datetime], dt.datetime]) -> dt.datetime:
    """change applied to a timestamp, or to a timestamptz's wall-clock time in tz (then localized)."""
    if moment.tzinfo is None:
        return change(moment)
    return localize(change(moment.astimezone(tz).replace(tzinfo=None)), tz)


def _interval_between(later: dt.datetime, earlier: dt.datetime) -> Any:
    """timestamp[tz] - timestamp[tz]: the elapsed time, whole 24-hour spans as days (timestamp_mi)."""
    if later.tzinfo is not None:
        later, earlier = later.astimezone(dt.UTC), earlier.astimezone(dt.UTC)
    micros = (later - earlier) // dt.timedelta(microseconds=1)
    days = int(micros / USECS_PER_DAY)
    return codecs.Interval(0, days, micros - days * USECS_PER_DAY)


def _time_micros(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _micros_time(micros: int) -> dt.time:
    micros %= USECS_PER_DAY
    seconds, micro = divmod(micros, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, micro)


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


def interval_key(interval: Any) -> int:
    """Comparison key: PostgreSQL compares intervals with 30-day months and 24-hour days."""
    return (interval.months * DAYS_PER_MONTH + interval.days) * USECS_PER_DAY + interval.microseconds


def _negate_interval(interval: Any) -> Any:
    return codecs.Interval(-interval.months, -interval.days, -interval.microseconds)


def datetime_arith(operator: str, left: Any, left_oid: int, right: Any, right_oid: int, tz: dt.tzinfo) -> Any:
    """Date/time/interval arithmetic; operand types as resolved by typing_rules.arithmetic_type."""
    key = (operator, left_oid, right_oid)
    if key in (("+", t.DATE, t.INT4), ("-", t.DATE, t.INT4)):
        return left + dt.timedelta(days=right if operator == "+" else -right)
    if key == ("+", t.INT4, t.DATE):
        return right + dt.timedelta(days=left)
    if key == ("-", t.DATE, t.DATE):
        return (left - right).days
    if key == ("+", t.DATE, t.TIME):
        return dt.datetime.combine(left, right)
    if left_oid == t.DATE and right_oid == t.INTERVAL:
        left, left_oid = dt.datetime.combine(left, dt.time()), t.TIMESTAMP
    if right_oid == t.DATE and left_oid == t.INTERVAL:
        right, right_oid = dt.datetime.combine(right, dt.time()), t.TIMESTAMP
    if left_oid in (t.TIMESTAMP, t.TIMESTAMPTZ) and right_oid == t.INTERVAL and operator in "+-":
        return add_interval(left, right, tz, 1 if operator == "+" else -1)
    if left_oid == t.INTERVAL and right_oid in (t.TIMESTAMP, t.TIMESTAMPTZ) and operator == "+":
        return add_interval(right, left, tz)
    if operator == "-" and left_oid == right_oid and left_oid in (t.TIMESTAMP, t.TIMESTAMPTZ):
        return _interval_between(left, right)
    if left_oid == t.TIME and right_oid == t.INTERVAL and operator in "+-":
        sign = 1 if operator == "+" else -1
        return _micros_time(_time_micros(left) + sign * right.microseconds)
    if left_oid == t.INTERVAL and right_oid == t.TIME and operator == "+":
        return _micros_time(_time_micros(right) + left.microseconds)
    if key == ("-", t.TIME, t.TIME):
        return codecs.Interval(0, 0, _time_micros(left) - _time_micros(right))
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

def comparison_key(value: Any, oid: int, tz: dt.tzinfo) -> Any:
    """A Python value that orders like PostgreSQL orders values of this type."""
    if oid == t.INTERVAL:
        return interval_key(value)
    if oid == t.DATE:
        return localize(dt.datetime.combine(value, dt.time()), tz)
    if oid == t.TIMESTAMP:
        return localize(value, tz)
    if oid == t.BPCHAR:
        return value.rstrip(" ")  # char(n) compares without its padding
    if isinstance(value, list):
        return _array_key(value, codecs.type_by_oid(oid).elem_oid, tz)
    return value


def _array_key(value: list[Any], element_oid: int, tz: dt.tzinfo) -> tuple[Any, ...]:
    """PostgreSQL's array order (array_cmp): element by element in storage order, a NULL after
    every value; then fewer elements first, then fewer dimensions, then shorter ones."""
    elements = tuple((1,) if element is None else (0, comparison_key(element, element_oid, tz))
                     for element in leaves(value))
    dims = dimensions(value)
    return elements, len(dims), tuple(dims)


def compare(left: Any, left_oid: int, right: Any, right_oid: int, tz: dt.tzinfo) -> int | None:
    """-1, 0 or 1 as left <, =, > right (None if either is NULL)."""
    if left is None or right is None:
        return None
    if t.DATE in (left_oid, right_oid) and {left_oid, right_oid} <= {t.DATE, t.TIMESTAMP}:
        tz = dt.UTC
    a, b = comparison_key(left, left_oid, tz), comparison_key(right, right_oid, tz)
    return (a > b) - (a < b)


_SATISFIED: dict[str, Callable[[int], bool]] = {
    "=": lambda order: order == 0, "<>": lambda order: order != 0, "<": lambda order: order < 0,
    "<=": lambda order: order <= 0, ">": lambda order: order > 0, ">=": lambda order: order >= 0,
}


def dimensions(value: list[Any]) -> list[int]:
    """The lengths of a (rectangular) array's dimensions; [] for an empty array."""
    dims: list[int] = []
    probe: Any = value
    while isinstance(probe, list) and probe:
        dims.append(len(probe))
        probe = probe[0]
    return dims


def leaves(value: list[Any]) -> list[Any]:
    """An array's elements in storage order (row-major), all dimensions flattened."""
    return [leaf for item in value for leaf in (leaves(item) if isinstance(item, list) else [item])]


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


# --- numeric functions --------------------------------------------------------------------------------

def _digits(places: Any) -> int:
    return 0 if places is None else int(places)


def numeric_function(name: str, value: Decimal, places: Any = None) -> Decimal:
    """round/trunc/ceil/floor/abs/sign/sqrt/exp/ln/log10 on a numeric."""
    if name == "round":
        return round_to_scale(value, _digits(places))
    if name == "trunc":
        return round_to_scale(value, _digits(places), ROUND_DOWN)
    if name in ("ceil", "ceiling"):
        return round_to_scale(value, 0, ROUND_CEILING)
    if name == "floor":
        return round_to_scale(value, 0, ROUND_FLOOR)
    if name == "abs":
        return EXACT.abs(value)
    if name == "sign":
        return Decimal((value > 0) - (value < 0))
    return _transcendental(name, value)


def _transcendental(name: str, value: Decimal) -> Decimal:
    if name == "sqrt" and value < 0:
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER, "cannot take square root of a negative number")
    if name in ("ln", "log", "log10") and value <= 0:
        message = "cannot take logarithm of " + ("zero" if value == 0 else "a negative number")
        raise DatabaseError(INVALID_ARGUMENT_FOR_LOG, message)
    if name not in ("sqrt", "exp", "ln", "log", "log10"):
        raise DatabaseError(UNDEFINED_FUNCTION, f"function {name}(numeric) does not exist")
    # PostgreSQL's result scales (16 significant digits, at least the argument's scale), and how
    # many digits the result has before the point, about, to compute it to that scale
    if name == "sqrt":
        weight = _weight_and_first_digit(value)[0] if value else 0
        significant = NUMERIC_MIN_SIG_DIGITS - ((weight + 1) * 4 // 2 - 1)
        whole_digits = value.adjusted() // 2 + 1 if value else 1
    elif name == "exp":
        if value > MOST_INTEGER_DIGITS * 2.302585092994046:
            raise numeric_overflow()
        significant = NUMERIC_MIN_SIG_DIGITS - int(float(value) * 0.434294481903252)
        whole_digits = int(float(value) * 0.434294481903252) + 1
    else:
        significant = NUMERIC_MIN_SIG_DIGITS - _ln_dweight(value)
        whole_digits = 7  # |ln| of any numeric is below a million
    scale = min(max(significant, _scale(value), 0), 1000)
    context = _rounding_to(max(whole_digits, 0) + scale + _GUARD_DIGITS)
    operations: dict[str, Callable[[Decimal], Decimal]] = {
        "sqrt": context.sqrt, "exp": context.exp, "ln": context.ln, "log": context.log10,
        "log10": context.log10,
    }
    return round_to_scale(operations[name](value), scale)


def _ln_dweight(value: Decimal) -> int:
    """PostgreSQL's estimate of the decimal weight of ln(value) (estimate_ln_dweight)."""
    if Decimal("0.9") <= value <= Decimal("1.1"):
        difference = value - 1
        return difference.adjusted() if difference else 0
    weight, first = _weight_and_first_digit(value)
    rest = EXACT.abs(value).scaleb(-4 * weight, context=EXACT) - first
    digits, dweight = first, weight * 4
    if rest:
        digits = first * 10_000 + int(rest * 10_000)
        dweight -= 4
    estimate = math.log(digits) + dweight * 2.302585092994046
    return int(math.log10(abs(estimate))) if estimate else 0


def float_function(name: str, value: float, places: Any = None) -> float:
    """The same functions on float8 (round is rint: half to even)."""
    if places is not None:
        raise DatabaseError(UNDEFINED_FUNCTION, f"function {name}(double precision, integer) does not exist",
                            hint="No function matches the given name and argument types. "
                                 "You might need to add explicit type casts.")
    operations: dict[str, Callable[[float], float]] = {
        "round": _whole(round), "trunc": _whole(math.trunc), "ceil": _whole(math.ceil),
        "ceiling": _whole(math.ceil), "floor": _whole(math.floor), "abs": abs,
        "sign": lambda v: float((v > 0) - (v < 0)), "sqrt": math.sqrt, "exp": math.exp, "ln": math.log,
        "log": math.log10, "log10": math.log10, "cbrt": math.cbrt,
    }
    if name not in operations:
        raise DatabaseError(UNDEFINED_FUNCTION, f"function {name}(double precision) does not exist")
    if name in ("ln", "log", "log10") and value <= 0:
        message = "cannot take logarithm of " + ("zero" if value == 0 else "a negative number")
        raise DatabaseError(INVALID_ARGUMENT_FOR_LOG, message)
    if name == "sqrt" and value < 0:
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER, "cannot take square root of a negative number")
    try:
        result = operations[name](value)
    except OverflowError:
        raise float_overflow() from None
    if name == "exp" and result == 0 and not math.isinf(value):
        raise float_underflow()
    return result


def _whole(rounding: Callable[[float], int]) -> Callable[[float], float]:
    """A float rounding function that keeps infinities (rint, trunc, ceil, floor of C)."""
    return lambda value: value if math.isinf(value) else float(rounding(value))


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
                raise DatabaseError("22025", "LIKE pattern must not end with escape character")
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
