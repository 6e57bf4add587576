"""Codecs for bool, int2, int4, int8, oid and the pseudo-type void.

Text: bool is `t`/`f`; input accepts PostgreSQL's parse_bool words (unique prefixes of
true/false/yes/no, on/off, 1/0; case-insensitive, surrounding whitespace ignored). Integers are
decimal with optional sign and surrounding whitespace; oid input also accepts negative values
down to -2147483648, wrapping them as unsigned like PostgreSQL.
Binary: bool is one byte 0/1; int2/int4/int8 are big-endian two's complement; oid is u32.
void (what pg_sleep returns) is an empty value in both formats, whatever its Python value.
"""

from __future__ import annotations

import re
import struct
from datetime import tzinfo

from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import (
    bad_binary,
    invalid_syntax,
    out_of_range,
    value_out_of_range,
)

_TRUE_WORDS = ("true", "yes", "on", "1")
_FALSE_WORDS = ("false", "no", "off", "0")
_INTEGER_TEXT = re.compile(rb"\s*[+-]?\d+\s*")


def _bool_text_out(value: object, tz: tzinfo) -> bytes:
    return b"t" if value else b"f"


def _bool_text_in(data: bytes, tz: tzinfo) -> bool:
    word = data.strip().lower()
    # The shortest unambiguous prefixes: "o" alone could be on or off.
    if len(word) >= (2 if word[:1] == b"o" else 1):
        text = word.decode("ascii", "replace")
        if any(full.startswith(text) for full in _TRUE_WORDS):
            return True
        if any(full.startswith(text) for full in _FALSE_WORDS):
            return False
    raise invalid_syntax("boolean", data.decode(errors="replace"))


def _bool_binary_out(value: object) -> bytes:
    return b"\x01" if value else b"\x00"


def _bool_binary_in(data: bytes) -> bool:
    if data == b"\x01":
        return True
    if data == b"\x00":
        return False
    raise bad_binary("bool must be one byte, 0 or 1")


def _int_text_out(value: int, tz: tzinfo) -> bytes:
    return b"%d" % value


def _parse_integer(data: bytes, type_name: str, low: int, high: int) -> int:
    if _INTEGER_TEXT.fullmatch(data) is None:
        raise invalid_syntax(type_name, data.decode(errors="replace"))
    value = int(data)
    if not low <= value <= high:
        raise value_out_of_range(type_name, data.decode())
    return value


def _integer_codec(type_name: str, fmt: str, bits: int, overflow_message: str) -> Codec:
    high = (1 << (bits - 1)) - 1
    low = -high - 1
    packer = struct.Struct(fmt)
    pack, unpack, size = packer.pack, packer.unpack, packer.size

    def text_in(data: bytes, tz: tzinfo) -> int:
        return _parse_integer(data, type_name, low, high)

    def binary_out(value: int) -> bytes:
        try:
            return pack(value)
        except struct.error:
            raise out_of_range(overflow_message) from None

    def binary_in(data: bytes) -> int:
        if len(data) != size:
            raise bad_binary(f"{type_name} must be {size} bytes, got {len(data)}")
        return int(unpack(data)[0])

    return Codec(_int_text_out, text_in, binary_out, binary_in)


_OID = struct.Struct(">I")


def _oid_text_in(data: bytes, tz: tzinfo) -> int:
    value = _parse_integer(data, "oid", -(2**31), 0xFFFFFFFF)
    return value & 0xFFFFFFFF


def _oid_binary_out(value: int) -> bytes:
    try:
        return _OID.pack(value)
    except struct.error:
        raise out_of_range("OID out of range") from None


def _oid_binary_in(data: bytes) -> int:
    if len(data) != 4:
        raise bad_binary(f"oid must be 4 bytes, got {len(data)}")
    return int(_OID.unpack(data)[0])


def _void_out(value: object, tz: tzinfo | None = None) -> bytes:
    return b""


def _void_in(data: bytes, tz: tzinfo | None = None) -> str:
    return ""


CODECS: dict[int, Codec] = {
    oids.VOID: Codec(_void_out, _void_in, _void_out, _void_in),
    oids.BOOL: Codec(_bool_text_out, _bool_text_in, _bool_binary_out, _bool_binary_in),
    oids.INT2: _integer_codec("smallint", ">h", 16, "smallint out of range"),
    oids.INT4: _integer_codec("integer", ">i", 32, "integer out of range"),
    oids.INT8: _integer_codec("bigint", ">q", 64, "bigint out of range"),
    oids.OID: Codec(_int_text_out, _oid_text_in, _oid_binary_out, _oid_binary_in),
}
