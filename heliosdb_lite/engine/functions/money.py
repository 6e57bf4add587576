"""PostgreSQL's money arithmetic over stored values (the cents, an integer), as PostgreSQL 15's cash.c
computes it: money + money and money - money (cash_pl, cash_mi), money times or divided by an
integer (cash_mul_int8, cash_div_int4, ...: integer division truncates), by a float (cash_mul_flt8,
cash_div_flt8: the result rounded half to even, as rint) and money / money (cash_div_cash, a float8);
22012 on division by zero, 22003 past int8's range.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import DIVISION_BY_ZERO, NUMERIC_VALUE_OUT_OF_RANGE, DatabaseError
from heliosdb_lite.protocol.codecs.money import HIGHEST, LOWEST

ARITH = "helios_money_arith"  # (operator, left, left type, right, right type)


def _checked(cents: int) -> int:
    if not LOWEST <= cents <= HIGHEST:
        raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "money out of range")
    return cents


def _rounded(amount: float) -> int:
    if amount != amount or amount in (float("inf"), float("-inf")):
        raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "money out of range")
    return _checked(round(amount))  # Python's round is rint's: half to even


def _arith(operator: str, left: Any, left_oid: int, right: Any, right_oid: int) -> Any:
    if left is None or right is None:
        return None
    if left_oid == right_oid == t.MONEY:
        if operator == "/":
            if right == 0:
                raise DatabaseError(DIVISION_BY_ZERO, "division by zero")
            return left / right
        return _checked(left + right if operator == "+" else left - right)
    money, other, other_oid = (left, right, right_oid) if left_oid == t.MONEY else (right, left, left_oid)
    if operator == "/":
        if other == 0:
            raise DatabaseError(DIVISION_BY_ZERO, "division by zero")
        if other_oid in t.FLOAT_TYPES:
            return _rounded(money / other)
        quotient = abs(money) // abs(other)  # C's division truncates toward zero
        return _checked(quotient if (money < 0) == (other < 0) else -quotient)
    if other_oid in t.FLOAT_TYPES:
        return _rounded(money * other)
    return _checked(money * other)


FUNCTIONS: dict[str, Callable[..., Any]] = {ARITH: _arith}
