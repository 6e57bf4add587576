"""PostgreSQL escape string constants (E'...'), decoded exactly as PostgreSQL decodes them.

sqlglot's tokenizer decodes E'...' itself, with C's rules rather than PostgreSQL's (E'\\v' is a
vertical tab to it, the letter v to PostgreSQL). `escape_string_values(sql)` re-decodes every
E-string of a statement from its source text and maps sqlglot's value to PostgreSQL's; a
statement where two different constants would be confused raises 0A000.

PostgreSQL's rules: \\b \\f \\n \\r \\t; \\o, \\oo, \\ooo octal and \\xh, \\xhh hexadecimal bytes
(which together must form valid UTF-8, never NUL); \\uXXXX and \\UXXXXXXXX code points
(surrogate pairs combined); '' and \\' a quote; a backslash before any other character is dropped.
"""

from __future__ import annotations

from sqlglot.tokens import TokenType

from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.engine.sql.short_text_cache import cached_for_short_text
from heliosdb_lite.errors import (
    CHARACTER_NOT_IN_REPERTOIRE,
    FEATURE_NOT_SUPPORTED,
    INVALID_ESCAPE_SEQUENCE,
    DatabaseError,
)

_SIMPLE = {"b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t"}
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"


def _digits(text: str, start: int, allowed: str, limit: int) -> str:
    end = start
    while end < len(text) and end - start < limit and text[end] in allowed:
        end += 1
    return text[start:end]


def _code_point(text: str, index: int, width: int) -> tuple[int, int]:
    digits = _digits(text, index, _HEX, width)
    if len(digits) != width:
        raise DatabaseError(INVALID_ESCAPE_SEQUENCE, "invalid Unicode escape",
                            hint="Unicode escapes must be \\uXXXX or \\UXXXXXXXX.")
    return int(digits, 16), index + width


def decode_escape_string(body: str) -> str:
    """The value of E'body' (body as written between the quotes)."""
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char == "'" and body[index + 1:index + 2] == "'":
            out += b"'"
            index += 2
            continue
        if char != "\\" or index + 1 >= len(body):
            out += char.encode()
            index += 1
            continue
        escaped = body[index + 1]
        index += 2
        if escaped in _SIMPLE:
            out += _SIMPLE[escaped]
        elif escaped in _OCTAL:
            digits = escaped + _digits(body, index, _OCTAL, 2)
            index += len(digits) - 1
            out.append(int(digits, 8) & 0xFF)
        elif escaped == "x" and index < len(body) and body[index] in _HEX:
            digits = _digits(body, index, _HEX, 2)
            index += len(digits)
            out.append(int(digits, 16))
        elif escaped in "uU":
            code, index = _code_point(body, index, 4 if escaped == "u" else 8)
            if 0xD800 <= code < 0xDC00 and body[index:index + 2] == "\\u":
                low, index = _code_point(body, index + 2, 4)
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            if code == 0 or 0xD800 <= code < 0xE000 or code > 0x10FFFF:
                raise DatabaseError(INVALID_ESCAPE_SEQUENCE, "invalid Unicode escape value")
            out += chr(code).encode()
        else:
            out += escaped.encode()
    if 0 in out:
        raise DatabaseError(CHARACTER_NOT_IN_REPERTOIRE, 'invalid byte sequence for encoding "UTF8": 0x00')
    try:
        return out.decode()
    except UnicodeDecodeError as error:
        raise DatabaseError(CHARACTER_NOT_IN_REPERTOIRE,
                            f'invalid byte sequence for encoding "UTF8": 0x{out[error.start]:02x}') from None


@cached_for_short_text(maxsize=1024)
def escape_string_values(sql: str) -> dict[str, str]:
    """sqlglot's decoded value of each E-string in sql -> PostgreSQL's value (only where they differ)."""
    fixes: dict[str, str] = {}
    seen: dict[str, str] = {}
    for token in tokenize(sql):
        if token.token_type != TokenType.BYTE_STRING:
            continue
        raw = sql[token.start:token.end + 1]
        value = decode_escape_string(raw[raw.index("'") + 1:-1])
        if seen.setdefault(token.text, value) != value:
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                "escape string constants that differ only in C-style escapes")
        if value != token.text:
            fixes[token.text] = value
    return fixes
