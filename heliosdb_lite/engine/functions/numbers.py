"""Integer, float and numeric arithmetic and math functions over codec-model values, as PostgreSQL
computes them where SQLite's own would be wrong.

Integer and float arithmetic checked as PostgreSQL checks it (22003 when an integer leaves its
type's range or a float overflows or underflows, where SQLite would turn to a float or to
infinity; 22012 on a zero divisor; float4 results rounded to single precision); exact numeric
arithmetic (`exact_numeric`: no 28-digit rounding; division with PostgreSQL's result scale,
`select_div_scale`); bitwise operators; rounding, roots, logarithms and powers.
"""

from __future__ import annotations

import decimal
import math
import sys
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from typing import Any

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.exact_numeric import (
    EXACT,
    MOST_INTEGER_DIGITS,
    check_numeric_range,
    numeric_overflow,
    quotient,
    round_to_scale,
)
from heliosdb_lite.engine.types.typing_rules import no_function, no_operator
from heliosdb_lite.engine.types.value_storage import (
    INTEGER_RANGES,
    check_integer,
    float_overflow,
    float_underflow,
    single_precision,
    stored_float,
)
from heliosdb_lite.errors import (
    DIVISION_BY_ZERO,
    INVALID_ARGUMENT_FOR_LOGARITHM,
    INVALID_ARGUMENT_FOR_POWER_FUNCTION,
    NUMERIC_VALUE_OUT_OF_RANGE,
    DatabaseError,
)

NUMERIC_MIN_SIG_DIGITS = 16
_GUARD_DIGITS = 10  # computed beyond the result's scale by roots, logarithms and powers
_QUICK_OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda left, right: left + right, "-": lambda left, right: left - right,
    "*": lambda left, right: left * right,
}
_LARGEST_FLOAT = {t.FLOAT4: 3.4028234663852886e38, t.FLOAT8: sys.float_info.max}
_INTEGER_BITS = {t.INT2: 16, t.INT4: 32, t.INT8: 64}


def division_by_zero() -> DatabaseError:
    return DatabaseError(DIVISION_BY_ZERO, "division by zero")


def number_arith(operator: str, left: int | float | None, right: int | float | None, oid: int) -> Any:
    """`left operator right` (+ - * / % ^) on integers or floats whose result is of type oid:
    integers checked against its range at each step (SQLite would carry on in a float), floats
    checked for overflow and underflow as PostgreSQL's float8pl, float8mul, ... check them."""
    if left is None or right is None:
        return None
    if oid in t.FLOAT_TYPES:
        return stored_float(float_arith(operator, float(left), float(right), oid))
    return check_integer(oid, _integer_arith(operator, int(left), int(right)))


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
            if isinstance(left, str) or isinstance(right, str):  # a stored NaN
                return number_arith(operator, left, right, oid)
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


def number_negate(value: int | float | str | None, oid: int) -> int | float | str | None:
    """Unary minus on an integer (22003 for the smallest of its type) or a float (a stored one:
    'NaN' stays NaN)."""
    if value is None:
        return None
    return stored_float(-float(value)) if oid in t.FLOAT_TYPES else check_integer(oid, -int(value))


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
    zero from nonzero ones); NaN is a float like any other."""
    if math.isinf(result) and not any(math.isinf(operand) for operand in operands):
        raise float_overflow()
    if underflow and result == 0 and all(operand != 0 for operand in operands):
        raise float_underflow()
    return result


def _float_power(base: float, exponent: float) -> float:
    """dpow: 2201F for zero to a negative power and a negative number to a non-integer one."""
    if base == 0 and exponent < 0:
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                            "zero raised to a negative power is undefined")
    if base < 0 and math.isfinite(exponent) and exponent != math.floor(exponent):
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                            "a negative number raised to a non-integer power yields a complex result")
    try:
        return math.pow(base, exponent)
    except OverflowError:
        raise float_overflow() from None


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
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                            "zero raised to a negative power is undefined")
    integral = exponent == exponent.to_integral_value()
    if base < 0 and not integral:
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER_FUNCTION,
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
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                            "cannot take square root of a negative number")
    if name in ("ln", "log", "log10") and value <= 0:
        message = "cannot take logarithm of " + ("zero" if value == 0 else "a negative number")
        raise DatabaseError(INVALID_ARGUMENT_FOR_LOGARITHM, message)
    if name not in ("sqrt", "exp", "ln", "log", "log10"):
        raise no_function(name, "numeric")
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


_ANGLE_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "degrees": math.degrees, "radians": math.radians,
}


def _angle_function(name: str, value: float, other: Any) -> float:
    """dsin, dcos, dtan, dasin, dacos, datan, datan2, degrees, radians: NaN gives NaN, an infinite
    angle or a sine or cosine outside [-1, 1] 22003 (SQLite's own answer NULL for both)."""
    if name == "atan2":
        return math.atan2(value, float(other))
    if math.isnan(value):
        return value
    if (name in ("sin", "cos", "tan") and math.isinf(value)) or (name in ("asin", "acos") and abs(value) > 1):
        raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "input is out of range")
    return _ANGLE_FUNCTIONS[name](value)


def float_function(name: str, value: float, places: Any = None) -> float:
    """The same functions on float8 (round is rint: half to even), and the trigonometric ones."""
    if name in _ANGLE_FUNCTIONS or name == "atan2":
        return _angle_function(name, value, places)
    if places is not None:
        raise no_function(name, "double precision, integer")
    operations: dict[str, Callable[[float], float]] = {
        "round": _whole(round), "trunc": _whole(math.trunc), "ceil": _whole(math.ceil),
        "ceiling": _whole(math.ceil), "floor": _whole(math.floor), "abs": abs,
        "sign": lambda v: float((v > 0) - (v < 0)), "sqrt": math.sqrt, "exp": math.exp, "ln": math.log,
        "log": math.log10, "log10": math.log10, "cbrt": math.cbrt,
    }
    if name not in operations:
        raise no_function(name, "double precision")
    if name in ("ln", "log", "log10") and value <= 0:
        message = "cannot take logarithm of " + ("zero" if value == 0 else "a negative number")
        raise DatabaseError(INVALID_ARGUMENT_FOR_LOGARITHM, message)
    if name == "sqrt" and value < 0:
        raise DatabaseError(INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                            "cannot take square root of a negative number")
    try:
        result = operations[name](value)
    except OverflowError:
        raise float_overflow() from None
    if name == "exp" and result == 0 and not math.isinf(value):
        raise float_underflow()
    return result


def _whole(rounding: Callable[[float], int]) -> Callable[[float], float]:
    """A float rounding function that keeps infinities and NaN (rint, trunc, ceil, floor of C)."""
    return lambda value: value if not math.isfinite(value) else float(rounding(value))
