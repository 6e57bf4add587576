"""Codec for money (790): an int, the amount in cents.

The text forms are PostgreSQL 15's cash_in and cash_out under lc_monetary C, the locale HeliosDB-Lite
has: output `$1,234.56`, `-$1.10` (two decimal places, `,` between groups of three digits); input
takes white space, `$`, a leading `-` or `(`, or `+`, digits with `,` anywhere among them and one `.`,
rounds half up at the third decimal, and then only white space, `)`, `-`, `+` or `$` (a `-` or a
`(` makes the amount negative). 22P02 for anything else, 22003 for an amount past int8's range.
Binary: the cents as int8.
"""

from __future__ import annotations

import struct
from datetime import tzinfo

from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import C_SPACES, bad_binary, invalid_syntax, value_out_of_range

_INT8 = struct.Struct(">q")
LOWEST, HIGHEST = -(1 << 63), (1 << 63) - 1
_SPACES = C_SPACES.encode()
_DIGITS = b"0123456789"
_FRACTION_DIGITS = 2


def _text_out(value: int, tz: tzinfo) -> bytes:
    units, cents = divmod(abs(value), 10 ** _FRACTION_DIGITS)
    return f"{'-' if value < 0 else ''}${units:,}.{cents:02d}".encode()


def _text_in(data: bytes, tz: tzinfo) -> int:
    def fail() -> Exception:
        return invalid_syntax("money", data.decode(errors="replace"))

    def out_of_range() -> Exception:
        return value_out_of_range("money", data.decode(errors="replace"))

    text, i, negative = data, 0, False

    def skip_spaces(at: int) -> int:
        while at < len(text) and text[at] in _SPACES:
            at += 1
        return at

    i = skip_spaces(i)
    if text.startswith(b"$", i):
        i += 1
    i = skip_spaces(i)
    if text.startswith((b"-", b"("), i):
        negative, i = True, i + 1
    elif text.startswith(b"+", i):
        i += 1
    i = skip_spaces(i)
    if text.startswith(b"$", i):
        i += 1
    i = skip_spaces(i)
    value, decimals, seen_dot = 0, 0, False
    while i < len(text):
        char = text[i:i + 1]
        if char in _DIGITS and char and (not seen_dot or decimals < _FRACTION_DIGITS):
            value = value * 10 + int(char)
            decimals += seen_dot
        elif char == b"." and not seen_dot:
            seen_dot = True
        elif char != b",":
            break
        i += 1
    if i < len(text) and text[i:i + 1] in b"56789" and text[i:i + 1]:
        value += 1  # round half up at the first digit not kept
    while i < len(text) and text[i:i + 1] in _DIGITS:
        i += 1
    value *= 10 ** (_FRACTION_DIGITS - decimals)
    while i < len(text):
        if text[i] in _SPACES or text.startswith((b")", b"+", b"$"), i):
            i += 1
        elif text.startswith(b"-", i):
            negative, i = True, i + 1
        else:
            raise fail()
    value = -value if negative else value
    if not LOWEST <= value <= HIGHEST:
        raise out_of_range()
    return value


def _binary_out(value: int) -> bytes:
    return _INT8.pack(value)


def _binary_in(data: bytes) -> int:
    if len(data) != 8:
        raise bad_binary(f"money must be 8 bytes, got {len(data)}")
    return int(_INT8.unpack(data)[0])


CODECS: dict[int, Codec] = {oids.MONEY: Codec(_text_out, _text_in, _binary_out, _binary_in)}
