"""Decimal arithmetic for numeric values that never rounds where PostgreSQL does not.

Python's default decimal context keeps 28 digits, and a Decimal operator without an explicit
context rounds to it (`-x`, `abs(x)`, `x.quantize(...)`). Numeric code uses `EXACT` instead, a
context no numeric value reaches, for the operations whose result is exact (+ - * %, negation,
absolute value, rounding to a scale), and `quotient` for a division, computed to as many digits as
the result scale needs and rounded there half away from zero, as PostgreSQL rounds.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal

from heliosdb_lite.errors import NUMERIC_VALUE_OUT_OF_RANGE, DatabaseError

# PostgreSQL's numeric has at most 131072 digits before the decimal point and 16383 after it
MOST_INTEGER_DIGITS = 131_072
_BEYOND_ANY_NUMERIC = 1_000_000
EXACT = Context(prec=_BEYOND_ANY_NUMERIC, rounding=ROUND_HALF_UP, Emax=_BEYOND_ANY_NUMERIC,
                Emin=-_BEYOND_ANY_NUMERIC)


def round_to_scale(value: Decimal, scale: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    """value with `scale` digits after the point (negative: rounded to tens, hundreds, ...)."""
    return value.quantize(Decimal(1).scaleb(-scale, context=EXACT), rounding=rounding, context=EXACT)


def truncated(digits: int) -> Context:
    """A context that cuts results to `digits` significant digits (a guard digit kept beyond the
    scale they are then rounded to makes that rounding exact)."""
    return Context(prec=max(digits, 1), rounding=ROUND_DOWN, Emax=_BEYOND_ANY_NUMERIC,
                   Emin=-_BEYOND_ANY_NUMERIC)


def quotient(left: Decimal, right: Decimal, scale: int) -> Decimal:
    """left / right (right nonzero) rounded half away from zero to `scale` digits after the point."""
    if left == 0:
        return round_to_scale(left, scale)
    digits = left.adjusted() - right.adjusted() + scale + 3
    if digits < 1:
        return round_to_scale(Decimal(0), scale)
    return round_to_scale(truncated(digits).divide(left, right), scale)


def numeric_overflow() -> DatabaseError:
    return DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")


def check_numeric_range(value: Decimal) -> Decimal:
    """value, or 22003 when it has more digits before the point than a numeric holds."""
    if value.is_finite() and value != 0 and value.adjusted() >= MOST_INTEGER_DIGITS:
        raise numeric_overflow()
    return value
