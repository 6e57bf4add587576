"""Codec for bytea: bytes.

Text output is the hex format (`\\x` then two lowercase hex digits per byte; bytea_output=hex).
Text input takes the hex format (whitespace allowed between byte pairs) or the escape format
(`\\\\` for a backslash, `\\ooo` octal for any byte, other bytes as themselves), with
PostgreSQL's errors: 22023 for bad hex, 22P02 for a bad escape.
Binary: the raw bytes.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from heliosdb_lite.errors import INVALID_PARAMETER_VALUE, INVALID_TEXT_REPRESENTATION, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec

_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_HEX_SKIPPED = frozenset(b" \n\t\r")
_ESCAPE = re.compile(rb"\\(?:[0-3][0-7][0-7]|\\)")


def _text_out(value: bytes, tz: tzinfo) -> bytes:
    return b"\\x" + value.hex().encode()


def _hex_in(data: bytes) -> bytes:
    digits = bytearray()
    position = 2
    end = len(data)
    while position < end:
        byte = data[position]
        if byte in _HEX_SKIPPED:
            position += 1
            continue
        for pair_position in (position, position + 1):
            if pair_position >= end:
                raise DatabaseError(INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits")
            if data[pair_position] not in _HEX_DIGITS:
                bad = data[pair_position:].decode(errors="replace")[:1]
                raise DatabaseError(INVALID_PARAMETER_VALUE, f'invalid hexadecimal digit: "{bad}"')
        digits += data[position : position + 2]
        position += 2
    return bytes.fromhex(digits.decode())


def _escape_in(data: bytes) -> bytes:
    if b"\\" not in data:
        return data
    out = bytearray()
    position = 0
    while True:
        backslash = data.find(b"\\", position)
        if backslash < 0:
            out += data[position:]
            return bytes(out)
        out += data[position:backslash]
        escape = _ESCAPE.match(data, backslash)
        if escape is None:
            raise DatabaseError(INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea")
        token = escape.group()
        out.append(0x5C if token == b"\\\\" else int(token[1:], 8))
        position = escape.end()


def _text_in(data: bytes, tz: tzinfo) -> bytes:
    if data[:2] == b"\\x":
        return _hex_in(data)
    return _escape_in(data)


def _binary_out(value: bytes) -> bytes:
    return bytes(value)


def _binary_in(data: bytes) -> bytes:
    return bytes(data)


CODECS: dict[int, Codec] = {oids.BYTEA: Codec(_text_out, _text_in, _binary_out, _binary_in)}
