"""PostgreSQL's binary string (bytea) functions that SQLite lacks, with PostgreSQL's errors.

get_byte/set_byte (byte positions from 0; set_byte keeps the new value's low 8 bits, as
PostgreSQL's C cast does), get_bit/set_bit (bit n is bit n % 8 of byte n / 8, counted from the
least significant), bit_count, encode/decode in the formats hex, base64 (lines of 76
characters) and escape, sha224/256/384/512, and the bytea forms of substring, position and
btrim/ltrim/rtrim (`OF_BYTEA`: the translator takes them for a bytea first argument, where the
text functions would read the bytes' hex text), `||` of two bytea values and LIKE between them.
Out-of-range positions are 2202E, a bad format or bad data 22023. NULL in, NULL out.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.functions.strings import null_safe
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import (
    ARRAY_SUBSCRIPT_ERROR,
    INVALID_PARAMETER_VALUE,
    INVALID_TEXT_REPRESENTATION,
    SUBSTRING_ERROR,
    DatabaseError,
)

_BASE64_LINE = 76
_WHITESPACE = re.compile(r"[ \t\n\r]")
_BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _out_of_range(index: int, last: int) -> DatabaseError:
    return DatabaseError(ARRAY_SUBSCRIPT_ERROR, f"index {index} out of valid range, 0..{last}")


def get_byte(data: bytes, index: int) -> int:
    if not 0 <= index < len(data):
        raise _out_of_range(index, len(data) - 1)
    return data[index]


def set_byte(data: bytes, index: int, value: int) -> bytes:
    if not 0 <= index < len(data):
        raise _out_of_range(index, len(data) - 1)
    changed = bytearray(data)
    changed[index] = value & 0xFF
    return bytes(changed)


def get_bit(data: bytes, index: int) -> int:
    if not 0 <= index < len(data) * 8:
        raise _out_of_range(index, len(data) * 8 - 1)
    return (data[index // 8] >> (index % 8)) & 1


def set_bit(data: bytes, index: int, value: int) -> bytes:
    if not 0 <= index < len(data) * 8:
        raise _out_of_range(index, len(data) * 8 - 1)
    if value not in (0, 1):
        raise DatabaseError(INVALID_PARAMETER_VALUE, "new bit must be 0 or 1")
    changed = bytearray(data)
    mask = 1 << (index % 8)
    changed[index // 8] = changed[index // 8] | mask if value else changed[index // 8] & ~mask
    return bytes(changed)


def bit_count(data: bytes) -> int:
    return sum(byte.bit_count() for byte in data)


def substring(data: bytes, start: int, count: int | None = None) -> bytes:
    """PostgreSQL's bytea_substring: positions from 1, a start before 1 eats into the count."""
    if count is None:
        return data[max(start, 1) - 1:]
    if count < 0:
        raise DatabaseError(SUBSTRING_ERROR, "negative substring length not allowed")
    first = max(start, 1)
    return data[first - 1:max(start + count, first) - 1]


def position(data: bytes, needle: bytes) -> int:
    return data.find(needle) + 1


def _trimmed(data: bytes, strip: bytes, *, leading: bool, trailing: bool) -> bytes:
    start, end = 0, len(data)
    while leading and start < end and data[start] in strip:
        start += 1
    while trailing and end > start and data[end - 1] in strip:
        end -= 1
    return data[start:end]


def _digest(name: str) -> Callable[[bytes], bytes]:
    return lambda data: hashlib.new(name, data).digest()


def _unrecognized(encoding: str) -> DatabaseError:
    return DatabaseError(INVALID_PARAMETER_VALUE, f'unrecognized encoding: "{encoding}"')


def _escape_encode(data: bytes) -> str:
    out = []
    for byte in data:
        if byte == 0x5C:
            out.append("\\\\")
        elif byte == 0 or byte >= 0x80:
            out.append(f"\\{byte:03o}")
        else:
            out.append(chr(byte))
    return "".join(out)


def _base64_encode(data: bytes) -> str:
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i:i + _BASE64_LINE] for i in range(0, len(text), _BASE64_LINE))


def encode(data: bytes, encoding: str) -> str:
    name = encoding.lower()
    if name == "hex":
        return data.hex()
    if name == "base64":
        return _base64_encode(data)
    if name == "escape":
        return _escape_encode(data)
    raise _unrecognized(encoding)


def _hex_decode(text: str) -> bytes:
    digits = _WHITESPACE.sub("", text)
    for char in digits:
        if char not in "0123456789abcdefABCDEF":
            raise DatabaseError(INVALID_PARAMETER_VALUE, f'invalid hexadecimal digit: "{char}"')
    if len(digits) % 2:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits")
    return bytes.fromhex(digits)


def _base64_decode(text: str) -> bytes:
    """PostgreSQL's pg_base64_decode, step by step (whitespace skipped; `=` ends the data after
    two or three symbols of a group)."""
    out = bytearray()
    group = position = end = 0
    for char in text:
        if char in " \t\n\r":
            continue
        if char == "=":
            if not end:
                if position not in (2, 3):
                    raise DatabaseError(INVALID_PARAMETER_VALUE,
                                        'unexpected "=" while decoding base64 sequence')
                end = position - 1
            symbol = 0
        else:
            symbol = _BASE64_ALPHABET.find(char)
            if symbol < 0:
                raise DatabaseError(INVALID_PARAMETER_VALUE,
                                    f'invalid symbol "{char}" found while decoding base64 sequence')
        group = (group << 6) + symbol
        position += 1
        if position == 4:
            out += group.to_bytes(3, "big")[:end or 3]
            group = position = 0
    if position:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "invalid base64 end sequence",
                            hint="Input data is missing padding, is truncated, or is otherwise corrupted.")
    return bytes(out)


def _escape_decode(text: str) -> bytes:
    data = text.encode()
    out = bytearray()
    index = 0
    while index < len(data):
        if data[index] != 0x5C:
            out.append(data[index])
            index += 1
        elif data[index + 1:index + 2] == b"\\":
            out.append(0x5C)
            index += 2
        elif re.fullmatch(rb"[0-3][0-7][0-7]", data[index + 1:index + 4]):
            out.append(int(data[index + 1:index + 4], 8))
            index += 4
        else:
            raise DatabaseError(INVALID_TEXT_REPRESENTATION, 'invalid input syntax for type bytea')
    return bytes(out)


def decode(text: str, encoding: str) -> bytes:
    name = encoding.lower()
    if name == "hex":
        return _hex_decode(text)
    if name == "base64":
        return _base64_decode(text)
    if name == "escape":
        return _escape_decode(text)
    raise _unrecognized(encoding)


CONCATENATE = "helios_bytea_concat"  # bytea || bytea (SQLite's || would join their texts)
CHARACTERS = "helios_bytea_chars"  # a bytea as a text of one character per byte, for LIKE
_SUBSTRING = "helios_bytea_substring"
_POSITION = "helios_bytea_position"
_TRIMS = {"btrim": "helios_bytea_btrim", "trim": "helios_bytea_btrim", "ltrim": "helios_bytea_ltrim",
          "rtrim": "helios_bytea_rtrim"}
_DIGESTS = ("sha224", "sha256", "sha384", "sha512")
_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "get_byte": get_byte, "set_byte": set_byte, "get_bit": get_bit, "set_bit": set_bit,
    "bit_count": bit_count, "encode": encode, "decode": decode,
    **{name: _digest(name) for name in _DIGESTS},
    _SUBSTRING: substring, _POSITION: position,
    CONCATENATE: lambda left, right: left + right, CHARACTERS: lambda data: data.decode("latin-1"),
    "helios_bytea_btrim": lambda data, strip: _trimmed(data, strip, leading=True, trailing=True),
    "helios_bytea_ltrim": lambda data, strip: _trimmed(data, strip, leading=True, trailing=False),
    "helios_bytea_rtrim": lambda data, strip: _trimmed(data, strip, leading=False, trailing=True),
}
FUNCTIONS = {name: null_safe(function) for name, function in _IMPLEMENTATIONS.items()}
# PostgreSQL's one signature of each: (argument types, result type)
SIGNATURES: dict[str, tuple[tuple[int, ...], int]] = {
    "get_byte": ((t.BYTEA, t.INT4), t.INT4), "set_byte": ((t.BYTEA, t.INT4, t.INT4), t.BYTEA),
    "get_bit": ((t.BYTEA, t.INT8), t.INT4), "set_bit": ((t.BYTEA, t.INT8, t.INT4), t.BYTEA),
    "bit_count": ((t.BYTEA,), t.INT8), "encode": ((t.BYTEA, t.TEXT), t.TEXT),
    "decode": ((t.TEXT, t.TEXT), t.BYTEA),
    **{name: ((t.BYTEA,), t.BYTEA) for name in _DIGESTS},
}
# the string functions PostgreSQL also has of bytea, taken when the first argument is bytea:
# the function registered, its signatures (by their number of arguments) and its result type
OF_BYTEA: dict[str, tuple[str, tuple[tuple[int, ...], ...], int]] = {
    **dict.fromkeys(("substr", "substring"),
                    (_SUBSTRING, ((t.BYTEA, t.INT4), (t.BYTEA, t.INT4, t.INT4)), t.BYTEA)),
    "strpos": (_POSITION, ((t.BYTEA, t.BYTEA),), t.INT4),
    **{name: (function, ((t.BYTEA, t.BYTEA),), t.BYTEA) for name, function in _TRIMS.items()},
}
# those PostgreSQL also has of type bit (not supported), which it may pick for an untyped argument
ALSO_OF_BIT = frozenset({"get_bit", "set_bit", "bit_count"})
