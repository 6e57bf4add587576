"""inet and cidr operators and calls: `left op right` when an operand is an inet or a cidr
(<< >> && by `operator`, `<<=` and `>>=` sqlglot cannot read; + - & | ~ by `arithmetic`), and host,
text, abbrev, masklen, family, network, netmask, hostmask, broadcast and set_masklen of one; run by
`functions.network`. An unknown operand or argument is read as inet, a cidr one compared as inet
(its implicit cast)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import network as network_functions
from heliosdb_lite.engine.translate.nodes import call
from heliosdb_lite.engine.translate.result import Typed
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.cast_contexts import Context, can_coerce
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_INET = PgType(t.INET)
_ADDRESS_ARGUMENTS = frozenset({t.INET, t.CIDR, t.UNKNOWN})
_ONLY_ADDRESSES = frozenset({"host", "masklen", "family", "network", "netmask", "hostmask", "broadcast",
                             "set_masklen", "abbrev"})  # of an unknown argument too, as inet


def involves_network(left: PgType, right: PgType) -> bool:
    """Whether `left op right` is an inet operator's: an operand is an inet or a cidr."""
    return bool({left.oid, right.oid} & t.NETWORK_TYPES)


def operator(translator: Translator, symbol: str, left: exp.Expr, left_type: PgType, right: exp.Expr,
             right_type: PgType) -> Typed:
    """`left symbol right` (<< >> &&) with an inet or cidr operand; 42883 for another type beside it."""
    if not {left_type.oid, right_type.oid} <= _ADDRESS_ARGUMENTS:
        raise rules.no_operator(left_type.oid, symbol, right_type.oid)
    left = translator.coerce(left, left_type, _INET)
    right = translator.coerce(right, right_type, _INET)
    return call(network_functions.OPERATE, symbol, left, right), t.BOOL_TYPE


def arithmetic(translator: Translator, symbol: str, left: exp.Expr | None, left_type: PgType | None,
               right: exp.Expr, right_type: PgType) -> Typed:
    """inet + int8, int8 + inet, inet - int8, inet - inet (int8), inet & inet, inet | inet, and ~ inet
    (left None); 42883 for other operands. An unknown operand beside an inet is an inet (+: an int8)."""
    operands = [(left, left_type), (right, right_type)] if left is not None and left_type is not None \
        else [(right, right_type)]
    addresses = [i for i, (_, pg_type) in enumerate(operands) if pg_type is not None and (
        pg_type.oid in t.NETWORK_TYPES or (pg_type.is_unknown and symbol in "&|~"))]
    if symbol == "-" and len(operands) == 2 and addresses == [0] and right_type.is_unknown:
        addresses = [0, 1]
    numbers = [i for i in range(len(operands)) if i not in addresses]
    valid = (symbol == "~" and addresses == [0] and len(operands) == 1) \
        or (symbol in "&|" and len(addresses) == 2) \
        or (symbol == "-" and addresses in ([0, 1], [0])) or (symbol == "+" and len(addresses) == 1)
    if not valid or not all(operands[i][1].oid in t.INTEGER_TYPES - {t.OID} or operands[i][1].is_unknown
                            for i in numbers):
        raise rules.no_operator(left_type.oid if left_type is not None else None, symbol, right_type.oid)
    values = [translator.coerce(value, pg_type, _INET if i in addresses else t.INT8_TYPE)
              for i, (value, pg_type) in enumerate(operands)]
    if len(values) == 1:
        values.insert(0, exp.Null())
    result = t.INT8_TYPE if symbol == "-" and len(addresses) == 2 else _INET
    return call(network_functions.ARITH, symbol, *values), result


def handles(name: str, types: Sequence[PgType]) -> bool:
    """Whether a call of `name` with arguments of these types is an inet or cidr function's."""
    if name in _ONLY_ADDRESSES:
        return True
    return name in network_functions.FUNCTION_TYPES and bool(types) and types[0].oid in t.NETWORK_TYPES


def function(translator: Translator, name: str, typed: Sequence[Typed]) -> Typed:
    """An inet or cidr function's call (`handles`), arguments translated."""
    if len(typed) != (2 if name == "set_masklen" else 1) or typed[0][1].oid not in _ADDRESS_ARGUMENTS or \
            (len(typed) == 2 and not can_coerce(typed[1][1], t.INT4_TYPE, Context.IMPLICIT)):
        raise rules.no_function(name, ", ".join(format_type(each.oid, -1) for _, each in typed))
    (value, pg_type), rest = typed[0], typed[1:]
    cidr = pg_type.oid == t.CIDR
    if pg_type.is_unknown:
        value = translator.coerce(value, pg_type, _INET)
    arguments = [translator.coerce(rest[0][0], rest[0][1], t.INT4_TYPE)] if rest else [exp.Null()]
    result = network_functions.FUNCTION_TYPES[name]
    result = t.CIDR if name == "set_masklen" and cidr else result
    return call(network_functions.CALL, name, value, *arguments, int(cidr)), PgType(result)
