"""Codec for point (600): a tuple of two floats (x, y).

Text input is PostgreSQL 15's point_in (pair_decode): `(x,y)` or `x,y`, white space around the
numbers and the parentheses, each number read as float8in reads it (its 22003 for one out of
range); 22P02 `invalid input syntax for type point` otherwise. Output `(x,y)`, each as float8out
writes it. Binary: the two float8s.
"""

from __future__ import annotations

import re
import struct
from datetime import tzinfo

from heliosdb_lite.protocol.codecs import floats, oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import bad_binary, invalid_syntax

_NUMBER = r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)"
_POINT = re.compile(rf"\s*(\()?\s*({_NUMBER})\s*,\s*({_NUMBER})\s*(?(1)\)\s*)", re.IGNORECASE | re.ASCII)
_PAIR = struct.Struct(">dd")
_FLOAT8 = floats.CODECS[oids.FLOAT8]


def _text_in(data: bytes, tz: tzinfo) -> tuple[float, float]:
    text = data.decode(errors="replace")
    match = _POINT.fullmatch(text)
    if match is None:
        raise invalid_syntax("point", text)
    return (_FLOAT8.text_in(match.group(2).encode(), tz), _FLOAT8.text_in(match.group(3).encode(), tz))


def _text_out(value: tuple[float, float], tz: tzinfo) -> bytes:
    return b"(" + _FLOAT8.text_out(value[0], tz) + b"," + _FLOAT8.text_out(value[1], tz) + b")"


def _binary_out(value: tuple[float, float]) -> bytes:
    return _PAIR.pack(*value)


def _binary_in(data: bytes) -> tuple[float, float]:
    if len(data) != _PAIR.size:
        raise bad_binary(f"point must be {_PAIR.size} bytes, got {len(data)}")
    x, y = _PAIR.unpack(data)
    return (float(x), float(y))


CODECS: dict[int, Codec] = {oids.POINT: Codec(_text_out, _text_in, _binary_out, _binary_in)}
