"""PostgreSQL's inet and cidr functions and operators over stored values (their text, as
`protocol.codecs.network` writes and reads it), and the collation `helios_inet` that orders stored
inet and cidr values as network_cmp does.

host, text, abbrev (as inet's output), masklen, family, network, netmask, hostmask, broadcast,
set_masklen; the operators << <<= >> >>= (containment: network_sub, network_subeq, network_sup,
network_supeq) and && (network_overlap); the arithmetic inet + int8, int8 + inet, inet - int8, inet - inet (an
int8) and the bitwise ~ & | (inetpl, inetmi, inetmi_int8, inetnot, inetand, inetor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import INVALID_PARAMETER_VALUE, NUMERIC_VALUE_OUT_OF_RANGE, DatabaseError
from heliosdb_lite.protocol.codecs import network
from heliosdb_lite.protocol.codecs.network import Address

CALL = "helios_inet_function"  # (name, value[, argument]): a function of inet / cidr
OPERATE = "helios_inet_operator"  # (operator, left, right): << <<= >> >>= &&
ARITH = "helios_inet_arith"  # (operator, left, right): + - & |, and ~ (left NULL)
COLLATION = fn.COLLATIONS[t.INET]

# the functions of one inet or cidr value and their result types
FUNCTION_TYPES = {"host": t.TEXT, "text": t.TEXT, "abbrev": t.TEXT, "masklen": t.INT4, "family": t.INT4,
                  "network": t.CIDR, "netmask": t.INET, "hostmask": t.INET, "broadcast": t.INET,
                  "set_masklen": t.INET}
OPERATORS = ("<<", "<<=", ">>", ">>=", "&&")


def _value(stored: str) -> Address:
    """A stored inet or cidr value (a cidr's text reads as an inet of the same address and mask)."""
    return network.parse(stored, cidr=False)


def _width(version: int) -> int:
    return 32 if version == 4 else 128


def _mask(version: int, bits: int) -> int:
    width = _width(version)
    return ((1 << bits) - 1) << (width - bits)


def _inet(version: int, address: int, bits: int) -> str:
    return network.text(network.make(version, address, bits, cidr=False))


def _function(name: str, stored: str | None, argument: Any = None, cidr: int = 0) -> Any:
    if stored is None:
        return None
    version, address, bits = network.parts(_value(stored))
    width = _width(version)
    if name == "host":
        return network.address_text(version, address)
    if name == "text":
        return network.show(_value(stored))
    if name == "abbrev":
        return network.abbreviated(network.make(version, address, bits, cidr=bool(cidr)))
    if name == "masklen":
        return bits
    if name == "family":
        return version
    if name == "network":
        return network.text(network.make(version, address, bits, cidr=True))
    if name == "netmask":
        return _inet(version, _mask(version, bits), width)
    if name == "hostmask":
        return _inet(version, (1 << (width - bits)) - 1, width)
    if name == "broadcast":
        return _inet(version, address | ((1 << (width - bits)) - 1), bits)
    if name == "set_masklen":
        if argument is None:
            return None
        length = width if int(argument) == -1 else int(argument)
        if not 0 <= length <= width:
            raise DatabaseError(INVALID_PARAMETER_VALUE, f"invalid mask length: {int(argument)}")
        return network.text(network.make(version, address, length, cidr=bool(cidr)))
    raise ValueError(name)


def _contains(outer: Address, inner: Address, strict: bool) -> bool:
    """Whether inner is within outer's network (network_sub / network_subeq of inner, outer)."""
    outer_version, outer_address, outer_bits = network.parts(outer)
    inner_version, inner_address, inner_bits = network.parts(inner)
    if outer_version != inner_version or inner_bits < outer_bits or (strict and inner_bits == outer_bits):
        return False
    shift = _width(outer_version) - outer_bits
    return outer_address >> shift == inner_address >> shift


def _operate(operator: str, left: str | None, right: str | None) -> int | None:
    if left is None or right is None:
        return None
    a, b = _value(left), _value(right)
    if operator in ("<<", "<<="):
        return int(_contains(b, a, operator == "<<"))
    if operator in (">>", ">>="):
        return int(_contains(a, b, operator == ">>"))
    version_a, address_a, bits_a = network.parts(a)
    version_b, address_b, bits_b = network.parts(b)
    shift = _width(version_a) - min(bits_a, bits_b)
    return int(version_a == version_b and address_a >> shift == address_b >> shift)


def _arith(operator: str, left: Any, right: Any) -> Any:
    """inet + n, n + inet, inet - n, inet - inet, inet & inet, inet | inet, ~ inet (left unused)."""
    if right is None or (left is None and operator != "~"):
        return None
    if operator == "~":
        version, address, bits = network.parts(_value(right))
        return _inet(version, address ^ ((1 << _width(version)) - 1), bits)
    if operator in ("+", "-") and isinstance(left, int):  # n + inet
        left, right = right, left
    if isinstance(right, int):
        version, address, bits = network.parts(_value(left))
        moved = address + right if operator == "+" else address - right
        if not 0 <= moved < 1 << _width(version):
            raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "result is out of range")
        return _inet(version, moved, bits)
    left_version, left_address, left_bits = network.parts(_value(left))
    right_version, right_address, right_bits = network.parts(_value(right))
    if left_version != right_version:
        verb = {"-": "subtract", "&": "AND", "|": "OR"}[operator]
        raise DatabaseError(INVALID_PARAMETER_VALUE, f"cannot {verb} inet values of different sizes")
    if operator == "-":
        difference = left_address - right_address
        if not -(2**63) <= difference < 2**63:
            raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "result is out of range")
        return difference
    combined = left_address & right_address if operator == "&" else left_address | right_address
    return _inet(left_version, combined, max(left_bits, right_bits))


def stored_order(left: str, right: str) -> int:
    """The collation of stored inet and cidr values: network_cmp's order (as texts when one is not
    an address: a UNION branch of another type)."""
    try:
        return network.compare(_value(left), _value(right))
    except DatabaseError:
        return (left > right) - (left < right)


FUNCTIONS: dict[str, Callable[..., Any]] = {CALL: _function, OPERATE: _operate, ARITH: _arith}
