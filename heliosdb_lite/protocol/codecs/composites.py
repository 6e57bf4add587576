"""Row values: the anonymous `record` (2249) and the composite types a database defines, text and
binary (PostgreSQL's record_out/record_in, record_send/record_recv).

Value model: `Record`, the fields' values (None for NULL) with each field's type OID, so a record
of no declared type still says what its fields are (its binary form carries them).

Text: `(1,a)`; a field is double-quoted when it is empty or holds `"`, `\\`, `(`, `)`, `,` or
white space, with `"` and `\\` doubled inside the quotes; NULL is nothing (`(1,)`). Input takes
quoted and unquoted parts, backslash escapes, and keeps white space; 22P02 `malformed record
literal` with PostgreSQL's detail otherwise. Input of an anonymous record is 0A000, as in
PostgreSQL. Binary: the field count (int4), then per field its type OID (uint4), its length (int4,
-1 for NULL) and its send bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from heliosdb_lite.errors import (
    DATATYPE_MISMATCH,
    FEATURE_NOT_SUPPORTED,
    DatabaseError,
)
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import bad_binary, decode_utf8
from heliosdb_lite.protocol.codecs.literal_items import malformed, read_item

CodecOf = Callable[[int], Codec]  # the codec of a field's type, looked up when a value is converted
_INT32 = struct.Struct(">i")
_FIELD_HEADER = struct.Struct(">Ii")
_NEEDS_QUOTES = frozenset('"\\(),')


@dataclass(frozen=True, slots=True)
class Record:
    """A row value: its fields' values with their type OIDs."""

    values: tuple[Any, ...]
    oids: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.values)


def _quoted(text: str) -> str:
    if text and not any(char in _NEEDS_QUOTES or char.isspace() for char in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'


def write_text(values: Sequence[Any], field_oids: Sequence[int], codec_of: CodecOf, tz: tzinfo) -> bytes:
    """The text form of a row of these fields."""
    parts = ["" if value is None else _quoted(decode_utf8(codec_of(oid).text_out(value, tz)))
             for value, oid in zip(values, field_oids, strict=True)]
    return ("(" + ",".join(parts) + ")").encode()


def write_binary(values: Sequence[Any], field_oids: Sequence[int], codec_of: CodecOf) -> bytes:
    """The binary form of a row of these fields."""
    chunks = [_INT32.pack(len(values))]
    for value, oid in zip(values, field_oids, strict=True):
        if value is None:
            chunks.append(_FIELD_HEADER.pack(oid, -1))
        else:
            raw = codec_of(oid).binary_out(value)
            chunks.append(_FIELD_HEADER.pack(oid, len(raw)))
            chunks.append(raw)
    return b"".join(chunks)


def split_text(text: str, count: int) -> list[str | None]:
    """The fields' texts of a record literal of `count` fields (None for NULL), as record_in
    reads them."""
    position = 0
    while position < len(text) and text[position].isspace():
        position += 1
    if position >= len(text) or text[position] != "(":
        raise malformed("record", text, "Missing left parenthesis.")
    position += 1
    fields: list[str | None] = []
    for number in range(count):
        if number > 0:
            if position < len(text) and text[position] == ",":
                position += 1
            else:
                raise malformed("record", text, "Too few columns.")
        field, position = read_item("record", text, position, ",)")
        fields.append(field)
    if position >= len(text) or text[position] != ")":
        raise malformed("record", text, "Too many columns.")
    if text[position + 1:].strip():
        raise malformed("record", text, "Junk after right parenthesis.")
    return fields


def read_binary(data: bytes, field_oids: Sequence[int], codec_of: CodecOf) -> tuple[Any, ...]:
    """The fields' values of a row's binary form, which must have these fields' types."""
    try:
        (count,) = _INT32.unpack_from(data)
    except struct.error:
        raise bad_binary("record header is truncated") from None
    if count != len(field_oids):
        raise DatabaseError(DATATYPE_MISMATCH,
                            f"wrong number of columns: {count}, expected {len(field_oids)}")
    offset = _INT32.size
    values: list[Any] = []
    for number, expected in enumerate(field_oids, start=1):
        try:
            oid, length = _FIELD_HEADER.unpack_from(data, offset)
        except struct.error:
            raise bad_binary("record field is truncated") from None
        offset += _FIELD_HEADER.size
        if oid != expected:
            raise DatabaseError(DATATYPE_MISMATCH, f"binary data has type {oid} instead of expected "
                                                   f"{expected} in record column {number}")
        if length < 0:
            values.append(None)
            continue
        if offset + length > len(data):
            raise bad_binary("record field is truncated")
        values.append(codec_of(oid).binary_in(data[offset:offset + length]))
        offset += length
    if offset != len(data):
        raise bad_binary("trailing bytes after the record's fields")
    return tuple(values)


def anonymous_input() -> DatabaseError:
    return DatabaseError(FEATURE_NOT_SUPPORTED, "input of anonymous composite types is not implemented")


def record_codec(codec_of: CodecOf) -> Codec:
    """The codec of `record`: each value says its fields' types; it has no input."""

    def text_out(value: Record, tz: tzinfo) -> bytes:
        return write_text(value.values, value.oids, codec_of, tz)

    def binary_out(value: Record) -> bytes:
        return write_binary(value.values, value.oids, codec_of)

    def text_in(data: bytes, tz: tzinfo) -> Record:
        raise anonymous_input()

    def binary_in(data: bytes) -> Record:
        raise anonymous_input()

    return Codec(text_out, text_in, binary_out, binary_in)


def composite_codec(field_oids: Callable[[], tuple[int, ...]], codec_of: CodecOf) -> Codec:
    """The codec of a composite type whose fields' types `field_oids()` gives (at each call: ALTER
    TYPE may change them)."""

    def text_out(value: Record, tz: tzinfo) -> bytes:
        return write_text(value.values, field_oids(), codec_of, tz)

    def binary_out(value: Record) -> bytes:
        return write_binary(value.values, field_oids(), codec_of)

    def text_in(data: bytes, tz: tzinfo) -> Record:
        oids = field_oids()
        texts = split_text(decode_utf8(data), len(oids))
        values = tuple(None if text is None else codec_of(oid).text_in(text.encode(), tz)
                       for text, oid in zip(texts, oids, strict=True))
        return Record(values, oids)

    def binary_in(data: bytes) -> Record:
        oids = field_oids()
        return Record(read_binary(data, oids, codec_of), oids)

    return Codec(text_out, text_in, binary_out, binary_in)
