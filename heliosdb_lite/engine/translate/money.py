"""money's arithmetic operators (run by `functions.money`): money + money, money - money, money * or
/ an integer or a float (a numeric operand is taken as float8, as PostgreSQL's operator resolution
picks money * float8 for it), an integer or a float * money and money / money (a float8); PostgreSQL
has no unary minus of money.
An unknown operand beside a money is a money for + - /, a float8 for *; 42883 for anything else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import money as money_functions
from heliosdb_lite.engine.translate.nodes import call
from heliosdb_lite.engine.translate.result import Typed
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

MONEY_TYPE = PgType(t.MONEY)
_FACTORS = frozenset({t.INT2, t.INT4, t.INT8, t.FLOAT4, t.FLOAT8, t.NUMERIC, t.UNKNOWN})


def involves_money(left: PgType, right: PgType) -> bool:
    """Whether an operator's operands include a money."""
    return t.MONEY in (left.oid, right.oid)


def _factor(pg_type: PgType) -> PgType:
    """The type a number beside a money is taken as: float8 for numeric or unknown."""
    return t.FLOAT8_TYPE if pg_type.oid in (t.NUMERIC, t.UNKNOWN) else PgType(pg_type.oid)


def arithmetic(translator: Translator, symbol: str, left: exp.Expr, left_type: PgType, right: exp.Expr,
               right_type: PgType) -> Typed:
    """`left symbol right` with a money operand."""
    oids = (left_type.oid, right_type.oid)
    if symbol in "+-/" and t.UNKNOWN in oids:  # read as the money beside it
        left_type, right_type = (MONEY_TYPE if oid == t.UNKNOWN else PgType(oid) for oid in oids)
        left, right = translator.coerce(left, PgType(oids[0]), left_type), \
            translator.coerce(right, PgType(oids[1]), right_type)
        oids = (left_type.oid, right_type.oid)
    if oids == (t.MONEY, t.MONEY) and symbol in "+-/":
        result = t.FLOAT8_TYPE if symbol == "/" else MONEY_TYPE
        return call(money_functions.ARITH, symbol, left, t.MONEY, right, t.MONEY), result
    scaled = symbol == "*" and ((oids[0] == t.MONEY and oids[1] in _FACTORS)
                                or (oids[1] == t.MONEY and oids[0] in _FACTORS))
    divided = symbol == "/" and oids[0] == t.MONEY and oids[1] in _FACTORS
    if not (scaled or divided):
        raise rules.no_operator(left_type.oid, symbol, right_type.oid)
    left_target, right_target = (MONEY_TYPE if pg_type.oid == t.MONEY else _factor(pg_type)
                                 for pg_type in (left_type, right_type))
    left = translator.coerce(left, left_type, left_target)
    right = translator.coerce(right, right_type, right_target)
    return call(money_functions.ARITH, symbol, left, left_target.oid, right, right_target.oid), MONEY_TYPE
