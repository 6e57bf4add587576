"""Codecs for three of PostgreSQL's system types that clients meet in catalogs and casts: xid,
int2vector and cstring.

xid (28): an int 0..2**32-1. Text input is PostgreSQL 15's xidin, C's strtoul(text, NULL, 0) with no
error checking: leading white space, a sign (a negative wraps modulo 2**32), 0x hexadecimal, 0 octal,
and whatever the longest prefix reads (nothing read, or out of range, is 0, as glibc gives it).
Binary: a big-endian u32.
int2vector (22): a tuple of ints (int2; a tuple, not a list, so that an array of vectors is not
read as a two-dimensional array). Text is the numbers separated by spaces (int2vectorin takes
any white space); binary is array_send's one-dimensional int2 array with lower bound 0, no NULLs.
cstring (2275): str, as text.
tid (27): a tuple (block, offset). Text is `(block,offset)`; input is PostgreSQL 15's tidin: the
block after `(` read by strtoul up to the `,` (at most 2**32-1; -2**31..-1 wrap, as its unsigned
long fits the 32 bits sign-extended), the offset by strtol up to the `)`
(0..65535), anything else 22P02. Binary: a big-endian u32 block and u16 offset.
"""

from __future__ import annotations

import re
import struct
from datetime import tzinfo

from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import (
    C_SPACES,
    bad_binary,
    invalid_syntax,
    value_out_of_range,
)
from heliosdb_lite.protocol.codecs.strings import TEXT_CODEC

_U32 = struct.Struct(">I")
_XID_LIMIT = 1 << 32
_STRTOUL = re.compile(rb"([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")


def _xid_text_out(value: int, tz: tzinfo) -> bytes:
    return b"%d" % value


def _xid_text_in(data: bytes, tz: tzinfo) -> int:
    match = _STRTOUL.match(data.lstrip(C_SPACES.encode()))
    if match is None:
        return 0
    sign, digits = match.groups()
    base = 16 if digits[:2].lower() == b"0x" else 8 if digits.startswith(b"0") and len(digits) > 1 else 10
    value = int(digits, base)
    if value >= 1 << 64:  # strtoul's ULONG_MAX on overflow, cut to 32 bits by the cast
        return _XID_LIMIT - 1
    return (-value if sign == b"-" else value) % _XID_LIMIT


def _xid_binary_out(value: int) -> bytes:
    return _U32.pack(value)


def _xid_binary_in(data: bytes) -> int:
    if len(data) != 4:
        raise bad_binary(f"xid must be 4 bytes, got {len(data)}")
    return int(_U32.unpack(data)[0])


_INT2_LOW, _INT2_HIGH = -(1 << 15), (1 << 15) - 1
_VECTOR_HEADER = struct.Struct(">iiIii")  # ndim, has-nulls flag, element type, length, lower bound
_INT2 = struct.Struct(">h")
_INT2_WORD = re.compile(rb"[+-]?\d+")
_INT2_SIZE = struct.pack(">i", 2)


def _int2vector_text_out(value: tuple[int, ...], tz: tzinfo) -> bytes:
    return b" ".join(b"%d" % item for item in value)


def _int2vector_text_in(data: bytes, tz: tzinfo) -> tuple[int, ...]:
    items = []
    for word in re.finditer(rb"\S+", data):
        rest = data[word.start():].decode(errors="replace")  # as strtol's errors quote it
        if _INT2_WORD.fullmatch(word.group()) is None:
            raise invalid_syntax("smallint", rest)
        item = int(word.group())
        if not _INT2_LOW <= item <= _INT2_HIGH:
            raise value_out_of_range("smallint", rest)
        items.append(item)
    return tuple(items)


def _int2vector_binary_out(value: tuple[int, ...]) -> bytes:
    return _VECTOR_HEADER.pack(1, 0, oids.INT2, len(value), 0) + b"".join(
        _INT2_SIZE + _INT2.pack(item) for item in value)


def _int2vector_binary_in(data: bytes) -> tuple[int, ...]:
    if len(data) < _VECTOR_HEADER.size:
        raise bad_binary("int2vector is too short")
    ndim, _, element, length, lower = _VECTOR_HEADER.unpack_from(data)
    if ndim != 1 or element != oids.INT2 or lower != 0 or length == 0 \
            or len(data) != _VECTOR_HEADER.size + 6 * length:  # PostgreSQL cannot receive an empty one
        raise bad_binary("invalid int2vector data")
    items = []
    for index in range(length):
        offset = _VECTOR_HEADER.size + 6 * index
        if data[offset:offset + 4] != _INT2_SIZE:
            raise bad_binary("invalid int2vector data")
        items.append(int(_INT2.unpack_from(data, offset + 4)[0]))
    return tuple(items)


_TID = struct.Struct(">IH")
_C_LONG = re.compile(rb"[ \t\n\r\f\v]*([+-]?)([0-9]+)")


def _c_integer(data: bytes) -> tuple[int, int] | None:
    """strtol/strtoul of data: (value, where it stopped), None when no digits are read."""
    match = _C_LONG.match(data)
    if match is None:
        return None
    value = int(match.group(2))
    return (-value if match.group(1) == b"-" else value), match.end()


def _tid_text_in(data: bytes, tz: tzinfo) -> tuple[int, int]:
    starts: list[int] = []
    for index, byte in enumerate(data):  # tidin's scan: the coordinates follow "(" (first) and ","
        if len(starts) == 2 or byte == ord(")"):
            break
        if byte == ord(",") or (byte == ord("(") and not starts):
            starts.append(index + 1)
    block = _c_integer(data[starts[0]:]) if len(starts) == 2 else None
    offset = _c_integer(data[starts[1]:]) if len(starts) == 2 else None
    if block is not None and -(1 << 31) <= block[0] < 0:  # strtoul's negation, an int32 sign-extended
        block = (block[0] + (1 << 32), block[1])
    if block is None or offset is None or not 0 <= block[0] < 1 << 32 or not 0 <= offset[0] <= 0xFFFF \
            or data[starts[0] + block[1]:starts[0] + block[1] + 1] != b"," \
            or data[starts[1] + offset[1]:starts[1] + offset[1] + 1] != b")":
        raise invalid_syntax("tid", data.decode(errors="replace"))
    return block[0], offset[0]


def _tid_text_out(value: tuple[int, int], tz: tzinfo) -> bytes:
    return b"(%d,%d)" % value


def _tid_binary_out(value: tuple[int, int]) -> bytes:
    return _TID.pack(*value)


def _tid_binary_in(data: bytes) -> tuple[int, int]:
    if len(data) != _TID.size:
        raise bad_binary(f"tid must be 6 bytes, got {len(data)}")
    block, offset = _TID.unpack(data)
    return int(block), int(offset)


CODECS: dict[int, Codec] = {
    oids.TID: Codec(_tid_text_out, _tid_text_in, _tid_binary_out, _tid_binary_in),
    oids.XID: Codec(_xid_text_out, _xid_text_in, _xid_binary_out, _xid_binary_in),
    oids.INT2VECTOR: Codec(_int2vector_text_out, _int2vector_text_in, _int2vector_binary_out,
                           _int2vector_binary_in),
    oids.CSTRING: TEXT_CODEC,
}
