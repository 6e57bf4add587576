"""Array codecs built from an element codec: Python lists (nested lists for more dimensions).

Value model: a list of element values or None (NULL); a multi-dimensional array is a list of
equally long lists. Lower bounds are always 1; input with any other lower bound is 0A000.
Text (array_out/array_in): `{1,2,NULL}`, `{{1,2},{3,4}}`, `{}`; an element is double-quoted when
it is empty, spells NULL in any case, or contains `"`, `\\`, `{`, `}`, `,` or whitespace, with `"`
and `\\` backslash-escaped inside quotes. Input also takes `[1:3]={...}` dimension decorations,
backslash escapes outside quotes and whitespace around elements.
Binary (array_send/array_recv): i32 ndim, i32 has-nulls flag, u32 element type OID, then per
dimension i32 size and i32 lower bound, then per element i32 length (-1 for NULL) and its
binary form. An empty array has ndim 0 and no dimensions.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from datetime import tzinfo
from typing import Any

from heliosdb_lite.errors import (
    ARRAY_SUBSCRIPT_ERROR,
    DATATYPE_MISMATCH,
    INVALID_TEXT_REPRESENTATION,
    PROGRAM_LIMIT_EXCEEDED,
    DatabaseError,
)
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.catalog import TYPES
from heliosdb_lite.protocol.codecs.faults import bad_binary, decode_utf8, unrepresentable

MAX_DIMENSIONS = 6
_NEEDS_QUOTES = rb'{}"\\ \t\n\r\v\f'  # and the type's delimiter
_SPACE = " \t\n\r\v\f"
_HEADER = struct.Struct(">iiI")
_INT32 = struct.Struct(">i")
_NULL_LENGTH = b"\xff\xff\xff\xff"
_DIMENSION_ITEM = re.compile(r"\[([0-9+-]*)(?::([0-9+-]*))?(\]?)")
_LEADING_INTEGER = re.compile(r"[+-]?[0-9]+")


def _shape(value: list[Any]) -> list[int]:
    """The dimensions of a (nested) list; 2202E unless it is rectangular."""
    dims = []
    probe: Any = value
    while isinstance(probe, list):
        dims.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    if len(dims) > MAX_DIMENSIONS:
        raise _too_many_dimensions(len(dims))
    _check_shape(value, dims, 0)
    return dims


def _check_shape(value: list[Any], dims: list[int], depth: int) -> None:
    if len(value) != dims[depth]:
        raise _ragged()
    last = depth == len(dims) - 1
    for item in value:
        if isinstance(item, list) == last:
            raise _ragged()
        if not last:
            _check_shape(item, dims, depth + 1)


def _too_many_dimensions(count: int) -> DatabaseError:
    return DatabaseError(
        PROGRAM_LIMIT_EXCEEDED,
        f"number of array dimensions ({count}) exceeds the maximum allowed ({MAX_DIMENSIONS})",
    )


def _element_type_mismatch(got: int, expected: int, expected_name: str) -> DatabaseError:
    got_info = TYPES.get(got)
    got_text = f"{got} ({got_info.name})" if got_info else str(got)
    return DatabaseError(
        DATATYPE_MISMATCH,
        f"binary data has array element type {got_text} instead of expected {expected} ({expected_name})",
    )


def _ragged() -> DatabaseError:
    return DatabaseError(
        ARRAY_SUBSCRIPT_ERROR, "multidimensional arrays must have array expressions with matching dimensions"
    )


def _leaves(value: list[Any], depth: int) -> Iterator[Any]:
    if depth == 1:
        yield from value
    else:
        for item in value:
            yield from _leaves(item, depth - 1)


def _c_atoi(text: str) -> int:
    """C atoi: the leading integer, 0 if there is none."""
    match = _LEADING_INTEGER.match(text)
    return int(match.group()) if match else 0


def _malformed(text: str, detail: str) -> DatabaseError:
    return DatabaseError(INVALID_TEXT_REPRESENTATION, f'malformed array literal: "{text}"', detail=detail)


class _ArrayTextParser:
    """array_in's reading of `{...}`: nested lists of element text (None for NULL)."""

    def __init__(self, text: str, delimiter: str = ",") -> None:
        self.text = text
        self.delimiter = delimiter
        self.body_start = 0  # PostgreSQL quotes the text from the first "{" in structural errors
        self.position = 0

    def skip_space(self) -> None:
        while self.position < len(self.text) and self.text[self.position] in _SPACE:
            self.position += 1

    def peek(self) -> str:
        return self.text[self.position : self.position + 1]

    def malformed_body(self, detail: str) -> DatabaseError:
        return _malformed(self.text[self.body_start :], detail)

    def fail_here(self) -> DatabaseError:
        char = self.peek()
        if not char:
            return self.malformed_body("Unexpected end of input.")
        return self.malformed_body(f'Unexpected "{char}" character.')

    def parse(self) -> tuple[list[Any], list[int], list[tuple[int, int]] | None]:
        """(nested element texts, dimensions ([] when empty), declared [lower, upper] bounds)."""
        self.skip_space()
        declared = self.dimension_decoration()
        if self.peek() != "{":
            if declared is not None:
                raise _malformed(self.text, 'Array contents must start with "{".')
            raise _malformed(self.text, 'Array value must start with "{" or dimension information.')
        self.body_start = self.position
        items = self.braces(depth=1)
        self.skip_space()
        if self.position != len(self.text):
            raise self.malformed_body("Junk after closing right brace.")
        try:
            dims = _shape(items)
        except DatabaseError:
            raise self.malformed_body(
                "Multidimensional arrays must have sub-arrays with matching dimensions."
            ) from None
        return items, ([] if 0 in dims else dims), declared

    def dimension_decoration(self) -> list[tuple[int, int]] | None:
        bounds: list[tuple[int, int]] = []
        while True:
            self.skip_space()
            if self.peek() != "[":
                break
            if len(bounds) >= MAX_DIMENSIONS:
                raise _too_many_dimensions(len(bounds) + 1)
            match = _DIMENSION_ITEM.match(self.text, self.position)
            assert match is not None
            first, second, closing = match.groups()
            if not first:
                raise _malformed(self.text, '"[" must introduce explicitly-specified array dimensions.')
            if second == "":
                raise _malformed(self.text, "Missing array dimension value.")
            if not closing:
                raise _malformed(self.text, 'Missing "]" after array dimensions.')
            lower, upper = (_c_atoi(first), _c_atoi(second)) if second is not None else (1, _c_atoi(first))
            if upper < lower:
                raise DatabaseError(ARRAY_SUBSCRIPT_ERROR, "upper bound cannot be less than lower bound")
            bounds.append((lower, upper))
            self.position = match.end()
        if not bounds:
            return None
        if self.peek() != "=":
            raise _malformed(self.text, 'Missing "=" after array dimensions.')
        self.position += 1
        self.skip_space()
        return bounds

    def braces(self, depth: int) -> list[Any]:
        """At the `{` opening nesting level `depth`: the items up to the matching `}`."""
        if depth > MAX_DIMENSIONS:
            raise _too_many_dimensions(depth)
        self.position += 1
        items: list[Any] = []
        self.skip_space()
        if self.peek() == "}":
            if depth > 1:  # only the whole array may be empty
                raise self.fail_here()
            self.position += 1
            return items
        while True:
            self.skip_space()
            char = self.peek()
            if char == "{":
                items.append(self.braces(depth + 1))
            elif char in ("", "}", self.delimiter):
                raise self.fail_here()
            else:
                items.append(self.element())
            self.skip_space()
            char = self.peek()
            self.position += 1
            if char == "}":
                return items
            if char != self.delimiter:
                self.position -= 1
                raise self.fail_here()

    def element(self) -> str | None:
        """One element: quoted, or unquoted up to `,`/`}` with trailing whitespace dropped."""
        out: list[str] = []
        text, end = self.text, len(self.text)
        if self.peek() == '"':
            self.position += 1
            while True:
                if self.position >= end:
                    raise self.malformed_body("Unexpected end of input.")
                char = text[self.position]
                self.position += 1
                if char == '"':
                    return "".join(out)
                if char == "\\":
                    if self.position >= end:
                        raise self.malformed_body("Unexpected end of input.")
                    char = text[self.position]
                    self.position += 1
                out.append(char)
        significant = 0  # length of out up to the last escaped or non-space character
        escaped = False
        while self.position < end:
            char = text[self.position]
            if char == "}" or char == self.delimiter:
                break
            if char in '{"':
                raise self.fail_here()
            self.position += 1
            if char == "\\":
                if self.position >= end:
                    raise self.malformed_body("Unexpected end of input.")
                out.append(text[self.position])
                self.position += 1
                escaped = True
                significant = len(out)
                continue
            out.append(char)
            if char not in _SPACE:
                significant = len(out)
        element = "".join(out[:significant])
        if not escaped and element.upper() == "NULL":
            return None
        return element


def _nested_from_flat(flat: list[Any], dims: list[int]) -> list[Any]:
    if len(dims) == 1:
        return flat
    step = len(flat) // dims[0]
    return [_nested_from_flat(flat[i * step : (i + 1) * step], dims[1:]) for i in range(dims[0])]


def array_codec(elem_oid: int, elem_name: str, elem: Codec, delimiter: str = ",") -> Codec:
    """The codec of the 1-based array type whose elements use `elem`, separated by `delimiter`
    (the element type's typdelim: `;` for box, `,` for the others)."""
    elem_text_out, elem_text_in = elem.text_out, elem.text_in
    elem_binary_out, elem_binary_in = elem.binary_out, elem.binary_in
    needs_quotes = re.compile(b"[" + _NEEDS_QUOTES + re.escape(delimiter.encode()) + b"]")
    separator = delimiter.encode()

    def quoted(raw: bytes) -> bytes:
        if raw and needs_quotes.search(raw) is None and raw.upper() != b"NULL":
            return raw
        return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'

    def write_text(value: list[Any], depth: int, tz: tzinfo) -> bytes:
        if depth == 1:
            parts = [b"NULL" if item is None else quoted(elem_text_out(item, tz)) for item in value]
        else:
            parts = [write_text(item, depth - 1, tz) for item in value]
        return b"{" + separator.join(parts) + b"}"

    def text_out(value: list[Any], tz: tzinfo) -> bytes:
        dims = _shape(value)
        if 0 in dims:
            return b"{}"
        return write_text(value, len(dims), tz)

    def decode_items(items: list[Any], tz: tzinfo) -> list[Any]:
        return [
            decode_items(item, tz)
            if isinstance(item, list)
            else None
            if item is None
            else elem_text_in(item.encode(), tz)
            for item in items
        ]

    def text_in(data: bytes, tz: tzinfo) -> list[Any]:
        text = decode_utf8(data)
        items, dims, declared = _ArrayTextParser(text, delimiter).parse()
        if declared is not None:
            if [upper - lower + 1 for lower, upper in declared] != dims:
                raise _malformed(text, "Specified array dimensions do not match array contents.")
            if any(lower != 1 for lower, _ in declared):
                raise unrepresentable(f'arrays with lower bounds other than 1 are not supported: "{text}"')
        return decode_items(items, tz) if dims else []

    def binary_out(value: list[Any]) -> bytes:
        dims = _shape(value)
        if 0 in dims:
            return _HEADER.pack(0, 0, elem_oid)
        chunks = []
        has_null = 0
        for item in _leaves(value, len(dims)):
            if item is None:
                has_null = 1
                chunks.append(_NULL_LENGTH)
            else:
                raw = elem_binary_out(item)
                chunks.append(_INT32.pack(len(raw)))
                chunks.append(raw)
        bounds = struct.pack(f">{2 * len(dims)}i", *(field for size in dims for field in (size, 1)))
        return _HEADER.pack(len(dims), has_null, elem_oid) + bounds + b"".join(chunks)

    def binary_in(data: bytes) -> list[Any]:
        try:
            ndim, flags, elem_type = _HEADER.unpack_from(data)
        except struct.error:
            raise bad_binary("array header is truncated") from None
        if ndim < 0:
            raise bad_binary(f"invalid number of dimensions: {ndim}")
        if ndim > MAX_DIMENSIONS:
            raise _too_many_dimensions(ndim)
        if flags not in (0, 1):
            raise bad_binary("invalid array flags")
        if elem_type != elem_oid:
            raise _element_type_mismatch(elem_type, elem_oid, elem_name)
        offset = _HEADER.size
        try:
            bounds = struct.unpack_from(f">{2 * ndim}i", data, offset)
        except struct.error:
            raise bad_binary("array dimensions are truncated") from None
        offset += 8 * ndim
        dims = list(bounds[0::2])
        if any(size < 0 for size in dims):
            raise bad_binary("negative array dimension")
        if ndim == 0 or 0 in dims:
            if offset != len(data):
                raise bad_binary("trailing bytes after array")
            return []
        if any(lower != 1 for lower in bounds[1::2]):
            raise unrepresentable("arrays with lower bounds other than 1 are not supported")
        count = 1
        for size in dims:
            count *= size
        flat: list[Any] = []
        end = len(data)
        for _ in range(count):
            if offset + 4 > end:
                raise bad_binary("array elements are truncated")
            length = _INT32.unpack_from(data, offset)[0]
            offset += 4
            if length == -1:
                flat.append(None)
                continue
            if length < 0 or offset + length > end:
                raise bad_binary("array element length is invalid")
            flat.append(elem_binary_in(data[offset : offset + length]))
            offset += length
        if offset != end:
            raise bad_binary("trailing bytes after array")
        return _nested_from_flat(flat, dims)

    return Codec(text_out, text_in, binary_out, binary_in)
