"""Codecs for json and jsonb: the JSON text as str.

json keeps the input text exactly (validated, as PostgreSQL does). jsonb is normalised like
PostgreSQL's jsonb_out: `{"a": 1, "b": [1, 2]}` spacing, object keys ordered by (UTF-8 length,
bytes), duplicate keys last-wins, numbers as numeric text (1e2 -> 100, -0 -> 0), strings
re-escaped (only `"`, `\\`, \\b \\f \\n \\r \\t and other control characters as \\u00xx).
Binary: json is the UTF-8 text; jsonb is a version byte 1 followed by the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import tzinfo
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from heliosdb_lite.errors import (
    INVALID_TEXT_REPRESENTATION,
    STATEMENT_TOO_COMPLEX,
    UNTRANSLATABLE_CHARACTER,
    DatabaseError,
)
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import bad_binary, decode_utf8
from heliosdb_lite.protocol.codecs.numeric import numeric_text, parse_numeric

JSONB_VERSION = b"\x01"


def _reject_constant(name: str) -> Any:
    raise ValueError(f'Token "{name}" is invalid.')


def _syntax_error(type_name: str, detail: str) -> DatabaseError:
    message = f"invalid input syntax for type {type_name}"
    return DatabaseError(INVALID_TEXT_REPRESENTATION, message, detail=detail)


def _parse(text: str, type_name: str) -> Any:
    try:
        return json.loads(text, parse_float=parse_numeric, parse_int=int, parse_constant=_reject_constant)
    except ValueError as exc:
        raise _syntax_error(type_name, str(exc)) from None
    except RecursionError:
        raise DatabaseError(STATEMENT_TOO_COMPLEX, "stack depth limit exceeded") from None


def _strings(node: Any) -> Iterator[str]:
    """Every string in a parsed document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _is_encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _validated_jsonb(text: str) -> Any:
    """Parse jsonb input: unlike json, escapes must denote real characters (no \\u0000, no lone surrogate)."""
    parsed = _parse(text, "json")
    if "\\u" in text:
        for string in _strings(parsed):
            if not _is_encodable(string):
                raise _syntax_error("json", "Unicode low surrogate must follow a high surrogate.")
            if "\x00" in string:
                raise DatabaseError(
                    UNTRANSLATABLE_CHARACTER,
                    "unsupported Unicode escape sequence",
                    detail="\\u0000 cannot be converted to text.",
                )
    return parsed


def key_order(key: str) -> tuple[int, bytes]:
    """jsonb's order of object keys: shorter first, then by their UTF-8 bytes."""
    raw = key.encode()
    return len(raw), raw


def parse_jsonb(text: str) -> Any:
    """A valid json or jsonb text parsed as jsonb reads it: numbers as int or Decimal, the last
    of duplicate keys."""
    return _parse(text, "json")


def _write(node: Any, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(encode_basestring(node))
    elif node is None:
        out.append("null")
    elif node is True:
        out.append("true")
    elif node is False:
        out.append("false")
    elif isinstance(node, int):
        out.append(str(node))
    elif isinstance(node, Decimal):
        out.append(numeric_text(node))
    elif isinstance(node, dict):
        out.append("{")
        for index, key in enumerate(sorted(node, key=key_order)):
            if index:
                out.append(", ")
            out.append(encode_basestring(key))
            out.append(": ")
            _write(node[key], out)
        out.append("}")
    else:
        out.append("[")
        for index, item in enumerate(node):
            if index:
                out.append(", ")
            _write(item, out)
        out.append("]")


def jsonb_text(value: Any) -> str:
    """A parsed value (parse_jsonb's) as jsonb_out writes it."""
    out: list[str] = []
    try:
        _write(value, out)
    except RecursionError:
        raise DatabaseError(STATEMENT_TOO_COMPLEX, "stack depth limit exceeded") from None
    return "".join(out)


def normalize_jsonb(text: str) -> str:
    """The text PostgreSQL's jsonb_out gives for this JSON input; 22P02/22P05 if it is not valid."""
    return jsonb_text(_validated_jsonb(text))


def _json_text_out(value: str, tz: tzinfo) -> bytes:
    return value.encode()


def _json_in(data: bytes) -> str:
    text = decode_utf8(data)
    _parse(text, "json")
    return text


def _json_text_in(data: bytes, tz: tzinfo) -> str:
    return _json_in(data)


def _json_binary_out(value: str) -> bytes:
    return value.encode()


def _jsonb_text_out(value: str, tz: tzinfo) -> bytes:
    return normalize_jsonb(value).encode()


def _jsonb_text_in(data: bytes, tz: tzinfo) -> str:
    return normalize_jsonb(decode_utf8(data))


def _jsonb_binary_out(value: str) -> bytes:
    return JSONB_VERSION + normalize_jsonb(value).encode()


def _jsonb_binary_in(data: bytes) -> str:
    if data[:1] != JSONB_VERSION:
        raise bad_binary(f"unsupported jsonb version number {data[0] if data else 'missing'}")
    return normalize_jsonb(decode_utf8(data[1:]))


CODECS: dict[int, Codec] = {
    oids.JSON: Codec(_json_text_out, _json_text_in, _json_binary_out, _json_in),
    oids.JSONB: Codec(_jsonb_text_out, _jsonb_text_in, _jsonb_binary_out, _jsonb_binary_in),
}
