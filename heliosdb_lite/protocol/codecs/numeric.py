"""Codec for numeric: exact decimals as decimal.Decimal, scale preserved.

Value model: a finite Decimal keeps its exponent as PostgreSQL's display scale
(Decimal('1.50') is 1.50, dscale 2; a positive exponent means dscale 0); Decimal('NaN'),
Decimal('Infinity') and Decimal('-Infinity') are the special values. PostgreSQL has no negative
zero: -0.00 is sent as 0.00.
Text: plain positional notation, never an exponent. Input also takes exponents (1.5e3),
`NaN`, `inf`/`infinity` with sign, any case, surrounding whitespace; more than 131072 digits
before the point or a scale above 16383 is 22003 `value overflows numeric format`.
Binary (numeric_send): i16 ndigits, i16 weight, u16 sign (0x0000 +, 0x4000 -, 0xC000 NaN,
0xD000 +Inf, 0xF000 -Inf), u16 dscale, then ndigits i16 base-10000 digits, most significant
first, the first at 10000**weight; no leading or trailing zero digits; zero has ndigits 0.
"""

from __future__ import annotations

import re
import struct
from datetime import tzinfo
from decimal import Decimal

from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import C_SPACES, bad_binary, invalid_syntax, out_of_range

POSITIVE, NEGATIVE, NAN, PINF, NINF = 0x0000, 0x4000, 0xC000, 0xD000, 0xF000
MAX_INTEGER_DIGITS = 131072
MAX_DSCALE = 0x3FFF

_NUMERIC_LITERAL = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*", re.ASCII)
_SPECIALS = {
    "nan": Decimal("NaN"),
    "infinity": Decimal("Infinity"),
    "+infinity": Decimal("Infinity"),
    "-infinity": Decimal("-Infinity"),
    "inf": Decimal("Infinity"),
    "+inf": Decimal("Infinity"),
    "-inf": Decimal("-Infinity"),
}
_HEADER = struct.Struct(">hhHH")
# (sign, dscale) PostgreSQL sends for the special values: its short-header bits leak into dscale.
_SPECIAL_HEADERS = {"NaN": (NAN, 0), "Infinity": (PINF, 32), "-Infinity": (NINF, 32)}


def numeric_text(value: Decimal) -> str:
    """PostgreSQL's numeric_out text of a Decimal (also used for jsonb numbers)."""
    if not value.is_finite():
        return "NaN" if value.is_nan() else ("-Infinity" if value.is_signed() else "Infinity")
    text = format(value, "f")
    return text[1:] if value.is_zero() and text[0] == "-" else text


def _text_out(value: Decimal, tz: tzinfo) -> bytes:
    return numeric_text(value).encode()


def parse_numeric(text: str) -> Decimal:
    """numeric_in: 22P02 on bad syntax, 22003 when beyond numeric's limits."""
    if _NUMERIC_LITERAL.fullmatch(text) is None:
        special = _SPECIALS.get(text.strip(C_SPACES).lower())
        if special is None:
            raise invalid_syntax("numeric", text)
        return special
    value = Decimal(text.strip(C_SPACES))
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if -exponent > MAX_DSCALE or (any(digits) and value.adjusted() >= MAX_INTEGER_DIGITS):
        raise out_of_range("value overflows numeric format")
    if exponent > 0:  # 1e5 has display scale 0: hold it as 100000
        return Decimal((0 if value.is_zero() else sign, digits + (0,) * exponent, 0))
    return value.copy_abs() if value.is_zero() else value


def _text_in(data: bytes, tz: tzinfo) -> Decimal:
    return parse_numeric(data.decode(errors="replace"))


def _binary_out(value: Decimal) -> bytes:
    if not value.is_finite():
        return _HEADER.pack(0, 0, *_SPECIAL_HEADERS[numeric_text(value)])
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    dscale = max(0, -exponent)
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return _HEADER.pack(0, 0, POSITIVE, dscale)
    # Align the decimal point to a base-10000 boundary, then cut into groups of four.
    shift = exponent % 4
    digits += "0" * shift
    exponent -= shift
    digits = "0" * (-len(digits) % 4) + digits
    groups = [int(digits[i : i + 4]) for i in range(0, len(digits), 4)]
    weight = len(groups) - 1 + exponent // 4
    while groups[-1] == 0:
        groups.pop()
    return _HEADER.pack(len(groups), weight, NEGATIVE if sign else POSITIVE, dscale) + struct.pack(
        f">{len(groups)}h", *groups
    )


def _binary_in(data: bytes) -> Decimal:
    if len(data) < 8:
        raise bad_binary("numeric header must be 8 bytes")
    ndigits, weight, sign, dscale = _HEADER.unpack_from(data)
    if ndigits < 0 or len(data) != 8 + 2 * ndigits:
        raise bad_binary("numeric length does not match its digit count")
    if sign in (NAN, PINF, NINF):
        return Decimal({NAN: "NaN", PINF: "Infinity", NINF: "-Infinity"}[sign])
    if sign not in (POSITIVE, NEGATIVE):
        raise bad_binary('invalid sign in external "numeric" value')
    if dscale > MAX_DSCALE:
        raise bad_binary('invalid scale in external "numeric" value')
    groups = struct.unpack_from(f">{ndigits}h", data, 8)
    if any(not 0 <= group < 10000 for group in groups):
        raise bad_binary('invalid digit in external "numeric" value')
    digits = "".join(f"{group:04d}" for group in groups) or "0"
    exponent = 4 * (weight - ndigits + 1)
    if exponent > -dscale:
        digits += "0" * (exponent + dscale)
    elif exponent < -dscale:
        # numeric_recv truncates digits hidden by dscale.
        digits = digits[: len(digits) - (-dscale - exponent)] or "0"
    value = Decimal(f"{'-' if sign == NEGATIVE else ''}{digits}E{-dscale}")
    return value.copy_abs() if value.is_zero() else value


CODECS: dict[int, Codec] = {oids.NUMERIC: Codec(_text_out, _text_in, _binary_out, _binary_in)}
