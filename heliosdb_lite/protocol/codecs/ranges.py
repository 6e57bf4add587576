"""Codecs for the built-in range and multirange types: `range_values.Range` / `Multirange`.

Text (range_in/range_out): `empty`, or `[` / `(`, the lower bound, `,`, the upper bound, `]` / `)`;
a bound left out is unbounded; a bound may be double-quoted (`""` inside quotes is a quote) and a
backslash takes the next character as it is. On output a bound is quoted when it is empty or holds
`"`, `\\`, `(`, `)`, `[`, `]`, `,` or whitespace, with `"` and `\\` doubled. Malformed text is
22P02 `malformed range literal` with PostgreSQL's detail. A multirange is `{` ranges separated by
`,` `}` (multirange_in's state machine; whitespace between ranges; `empty` items dropped).
Binary (range_send/range_recv): a flags byte (0x01 empty, 0x02 lower inclusive, 0x04 upper
inclusive, 0x08 lower unbounded, 0x10 upper unbounded), then for each bound present its length
(int32) and its subtype's binary form. A multirange: the count of ranges (int32), then each range's
length and binary form. Every value read is made canonical (`range_values`). The registry builds
each range type's codec from its subtype's (`range_codec`), as it builds arrays' from their elements'.
"""

from __future__ import annotations

import struct
from datetime import tzinfo
from typing import Any

from heliosdb_lite.protocol.codecs.base import BinaryIn, BinaryOut, Codec, TextIn, TextOut
from heliosdb_lite.protocol.codecs.faults import C_SPACES, bad_binary, decode_utf8
from heliosdb_lite.protocol.codecs.literal_items import malformed, read_item
from heliosdb_lite.protocol.codecs.range_values import (
    Multirange,
    Range,
    RangeType,
    make_multirange,
    make_range,
)

_EMPTY, _LOWER_INC, _UPPER_INC, _LOWER_INF, _UPPER_INF = 0x01, 0x02, 0x04, 0x08, 0x10
_INT32 = struct.Struct(">i")
_BOUND_ENDS = ",)]"
_QUOTED_CHARACTERS = frozenset('"\\()[],' + C_SPACES)


# --- range text ---------------------------------------------------------------------------------------

def _parse_bound(text: str, position: int) -> tuple[str | None, int]:
    """range_parse_bound: the bound's text from position (None when left out) and where it ends."""
    return read_item("range", text, position, _BOUND_ENDS)


def parse_range_text(text: str) -> tuple[str | None, str | None, bool, bool, bool]:
    """range_parse: (lower text, upper text, lower inclusive, upper inclusive, empty); a bound
    text None is unbounded."""
    position = len(text) - len(text.lstrip(C_SPACES))
    if text[position:position + 5].lower() == "empty":
        if text[position + 5:].strip(C_SPACES):
            raise malformed("range", text, 'Junk after "empty" key word.')
        return None, None, False, False, True
    if position >= len(text) or text[position] not in "[(":
        raise malformed("range", text, "Missing left parenthesis or bracket.")
    lower_inc = text[position] == "["
    lower, position = _parse_bound(text, position + 1)
    if text[position] != ",":
        raise malformed("range", text, "Missing comma after lower bound.")
    upper, position = _parse_bound(text, position + 1)
    if text[position] not in ")]":
        raise malformed("range", text, "Too many commas.")
    upper_inc = text[position] == "]"
    if text[position + 1:].strip(C_SPACES):
        raise malformed("range", text, "Junk after right parenthesis or bracket.")
    return lower, upper, lower_inc, upper_inc, False


def _quoted_bound(text: str) -> str:
    """range_bound_escape: the bound's text, double-quoted when it needs to be."""
    if text and not _QUOTED_CHARACTERS.intersection(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'


def _range_text_out(element: Codec) -> TextOut:
    def text_out(value: Range, tz: tzinfo) -> bytes:
        if value.empty:
            return b"empty"
        lower = "" if value.lower is None else _quoted_bound(element.text_out(value.lower, tz).decode())
        upper = "" if value.upper is None else _quoted_bound(element.text_out(value.upper, tz).decode())
        return f"{'[' if value.lower_inc else '('}{lower},{upper}{']' if value.upper_inc else ')'}".encode()
    return text_out


def _range_text_in(kind: RangeType, element: Codec) -> TextIn:
    def text_in(data: bytes, tz: tzinfo) -> Range:
        lower, upper, lower_inc, upper_inc, empty = parse_range_text(decode_utf8(data))
        if empty:
            return make_range(kind, None, None, False, False, empty=True)
        low = None if lower is None else element.text_in(lower.encode(), tz)
        high = None if upper is None else element.text_in(upper.encode(), tz)
        return make_range(kind, low, high, lower_inc, upper_inc)
    return text_in


# --- range binary ---------------------------------------------------------------------------------------

def _range_binary_out(element: Codec) -> BinaryOut:
    def binary_out(value: Range) -> bytes:
        if value.empty:
            return bytes([_EMPTY])
        flags = (_LOWER_INF if value.lower is None else _LOWER_INC if value.lower_inc else 0) \
            | (_UPPER_INF if value.upper is None else _UPPER_INC if value.upper_inc else 0)
        parts = [bytes([flags])]
        for bound in (value.lower, value.upper):
            if bound is not None:
                data = element.binary_out(bound)
                parts += [_INT32.pack(len(data)), data]
        return b"".join(parts)
    return binary_out


def _length_prefixed(data: bytes, position: int, what: str) -> tuple[bytes, int]:
    """The part after the Int32 length at `position`, and the position after it."""
    if position + 4 > len(data):
        raise bad_binary(f"{what} length truncated")
    length = _INT32.unpack_from(data, position)[0]
    position += 4
    if length < 0 or position + length > len(data):
        raise bad_binary(f"{what} truncated")
    return bytes(data[position:position + length]), position + length


def _range_binary_in(kind: RangeType, element: Codec) -> BinaryIn:
    def binary_in(data: bytes) -> Range:
        if not data:
            raise bad_binary("range without its flags byte")
        flags = data[0] & (_EMPTY | _LOWER_INC | _UPPER_INC | _LOWER_INF | _UPPER_INF)
        position = 1
        bounds: list[Any] = []
        for unbounded in (_LOWER_INF, _UPPER_INF):
            if flags & (_EMPTY | unbounded):
                bounds.append(None)
                continue
            bound, position = _length_prefixed(data, position, "range bound")
            bounds.append(element.binary_in(bound))
        if position != len(data):
            raise bad_binary("extra data after the range")
        return make_range(kind, bounds[0], bounds[1], bool(flags & _LOWER_INC), bool(flags & _UPPER_INC),
                          empty=bool(flags & _EMPTY))
    return binary_in


# --- multirange text --------------------------------------------------------------------------------------

def _range_texts(text: str) -> list[str]:
    """multirange_in's parse: the text of each range between the braces (`empty` ones as `empty`)."""
    position = len(text) - len(text.lstrip(C_SPACES))
    if position >= len(text) or text[position] != "{":
        raise malformed("multirange", text, "Missing left brace.")
    position += 1
    items: list[str] = []
    state, start = "before", 0
    while True:
        if position >= len(text):
            raise malformed("multirange", text, "Unexpected end of input.")
        character = text[position]
        if character in C_SPACES:
            position += 1
            continue
        if state == "before":
            if character in "[(":
                state, start = "in", position
            elif character == "}" and not items:
                break
            elif text[position:position + 5].lower() == "empty":
                items.append("empty")
                position += 4
                state = "after"
            else:
                raise malformed("multirange", text, "Expected range start.")
        elif state == "in":
            if character in "])":
                items.append(text[start:position + 1])
                state = "after"
            elif character == '"':
                state = "quoted"
            elif character == "\\":
                state = "escaped"
        elif state == "escaped":
            state = "in"
        elif state == "quoted":
            if character == '"':
                if text[position + 1:position + 2] == '"':
                    position += 1
                else:
                    state = "in"
            elif character == "\\":
                state = "quoted escaped"
        elif state == "quoted escaped":
            state = "quoted"
        elif character == ",":  # after a range
            state = "before"
        elif character == "}":
            break
        else:
            raise malformed("multirange", text, "Expected comma or end of multirange.")
        position += 1
    if text[position + 1:].strip(C_SPACES):
        raise malformed("multirange", text, "Junk after closing right brace.")
    return items


def _multirange_text_out(range_out: TextOut) -> TextOut:
    def text_out(value: Multirange, tz: tzinfo) -> bytes:
        return b"{" + b",".join(range_out(item, tz) for item in value.ranges) + b"}"
    return text_out


def _multirange_text_in(kind: RangeType, range_in: TextIn) -> TextIn:
    def text_in(data: bytes, tz: tzinfo) -> Multirange:
        ranges = [range_in(item.encode(), tz) for item in _range_texts(decode_utf8(data))]
        return make_multirange(kind, ranges)
    return text_in


# --- multirange binary ------------------------------------------------------------------------------------

def _multirange_binary_out(range_out: BinaryOut) -> BinaryOut:
    def binary_out(value: Multirange) -> bytes:
        parts = [_INT32.pack(len(value.ranges))]
        for item in value.ranges:
            data = range_out(item)
            parts += [_INT32.pack(len(data)), data]
        return b"".join(parts)
    return binary_out


def _multirange_binary_in(kind: RangeType, range_in: BinaryIn) -> BinaryIn:
    def binary_in(data: bytes) -> Multirange:
        if len(data) < 4:
            raise bad_binary("multirange without its range count")
        count = _INT32.unpack_from(data, 0)[0]
        position = 4
        ranges = []
        for _ in range(max(count, 0)):
            item, position = _length_prefixed(data, position, "multirange range")
            ranges.append(range_in(item))
        if position != len(data):
            raise bad_binary("extra data after the multirange")
        return make_multirange(kind, ranges)
    return binary_in


def range_codec(kind: RangeType, element: Codec) -> Codec:
    """The codec of a range type whose subtype has the codec `element`."""
    return Codec(_range_text_out(element), _range_text_in(kind, element), _range_binary_out(element),
                 _range_binary_in(kind, element))


def multirange_codec(kind: RangeType, range_type: Codec) -> Codec:
    """The codec of a range type's multirange, from the range type's codec."""
    return Codec(_multirange_text_out(range_type.text_out), _multirange_text_in(kind, range_type.text_in),
                 _multirange_binary_out(range_type.binary_out),
                 _multirange_binary_in(kind, range_type.binary_in))
