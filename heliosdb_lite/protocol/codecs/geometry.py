"""Codecs for point (600) and box (603): a point is a tuple of two floats (x, y), a box a tuple of
two points, the upper right corner first.

Text input is PostgreSQL 15's point_in (pair_decode): `(x,y)` or `x,y`, white space around the
numbers and the parentheses, each number read as float8in reads it (its 22003 for one out of
range); 22P02 `invalid input syntax for type point` otherwise. Output `(x,y)`, each as float8out
writes it. Binary: the two float8s. box_in takes two points as `(x1,y1),(x2,y2)`,
`((x1,y1),(x2,y2))`, `(x1,y1,x2,y2)` or `x1,y1,x2,y2` and orders the corners; output
`(high x,high y),(low x,low y)`; binary the four float8s, high corner first. In an array, boxes are
separated by `;` (box's typdelim), as `DELIMITERS` says.
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
_BOX_TEXT = re.compile(  # the four numbers, in one of box_in's spellings (the parentheses checked below)
    rf"\s*(\(?)\s*(\(?)\s*({_NUMBER})\s*,\s*({_NUMBER})\s*(\)?)\s*,\s*(\(?)\s*({_NUMBER})\s*,\s*({_NUMBER})"
    rf"\s*(\)?)\s*(\)?)\s*", re.IGNORECASE | re.ASCII)
# the parentheses box_in accepts, as _BOX_TEXT's six optional ones are there ("p") or not ("-"); the
# regex takes the first "(" as the outer one: (x1,y1),(x2,y2) / ((x1,y1),(x2,y2)) / (x1,y1,x2,y2) /
# x1,y1,x2,y2 / x1,y1,(x2,y2)
_BOX_SHAPES = frozenset({"p-ppp-", "pppppp", "p---p-", "------", "---pp-"})
_QUAD = struct.Struct(">dddd")
DELIMITERS = {oids.BOX: ";"}  # the array element delimiter of a type whose is not `,`


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


Box = tuple[tuple[float, float], tuple[float, float]]


def _box(x1: float, y1: float, x2: float, y2: float) -> Box:
    return ((max(x1, x2), max(y1, y2)), (min(x1, x2), min(y1, y2)))


def _box_text_in(data: bytes, tz: tzinfo) -> Box:
    text = data.decode(errors="replace")
    match = _BOX_TEXT.fullmatch(text)
    if match is None:
        raise invalid_syntax("box", text)
    shape = "".join("p" if match.group(index) else "-" for index in (1, 2, 5, 6, 9, 10))
    if shape not in _BOX_SHAPES:
        raise invalid_syntax("box", text)
    x1, y1, x2, y2 = (_FLOAT8.text_in(match.group(index).encode(), tz) for index in (3, 4, 7, 8))
    return _box(x1, y1, x2, y2)


def _box_text_out(value: Box, tz: tzinfo) -> bytes:
    return _text_out(value[0], tz) + b"," + _text_out(value[1], tz)


def _box_binary_out(value: Box) -> bytes:
    return _QUAD.pack(*value[0], *value[1])


def _box_binary_in(data: bytes) -> Box:
    if len(data) != _QUAD.size:
        raise bad_binary(f"box must be {_QUAD.size} bytes, got {len(data)}")
    return _box(*(float(number) for number in _QUAD.unpack(data)))


CODECS: dict[int, Codec] = {oids.POINT: Codec(_text_out, _text_in, _binary_out, _binary_in),
                            oids.BOX: Codec(_box_text_out, _box_text_in, _box_binary_out, _box_binary_in)}
