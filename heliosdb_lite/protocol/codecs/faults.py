"""The DatabaseErrors a codec raises, worded exactly as PostgreSQL 15 words them.

One constructor per kind of failure, so every codec reports the same problem the same way:
bad text input (22P02), out of range (22003), bad date/time text (22007/22008), malformed
binary input (22P03), and values PostgreSQL accepts but the Python value model cannot hold (0A000).
"""

from __future__ import annotations

from heliosdb_lite.errors import (
    CHARACTER_NOT_IN_REPERTOIRE,
    DATETIME_FIELD_OVERFLOW,
    FEATURE_NOT_SUPPORTED,
    INVALID_BINARY_REPRESENTATION,
    INVALID_DATETIME_FORMAT,
    INVALID_TEXT_REPRESENTATION,
    NUMERIC_VALUE_OUT_OF_RANGE,
    DatabaseError,
)

C_SPACES = " \t\n\r\f\v"  # what C's isspace() accepts, unlike str.strip()


def invalid_syntax(type_name: str, text: str) -> DatabaseError:
    """22P02, e.g. `invalid input syntax for type integer: "abc"`."""
    return DatabaseError(INVALID_TEXT_REPRESENTATION, f'invalid input syntax for type {type_name}: "{text}"')


def value_out_of_range(type_name: str, text: str) -> DatabaseError:
    """22003, e.g. `value "99999999999" is out of range for type integer`."""
    return DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, f'value "{text}" is out of range for type {type_name}')


def out_of_range(message: str) -> DatabaseError:
    """22003 with PostgreSQL's own wording, e.g. `integer out of range`."""
    return DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, message)


def datetime_syntax(type_name: str, text: str) -> DatabaseError:
    """22007, e.g. `invalid input syntax for type date: "x"`."""
    return DatabaseError(INVALID_DATETIME_FORMAT, f'invalid input syntax for type {type_name}: "{text}"')


def datetime_field_overflow(text: str, hint: str | None = None) -> DatabaseError:
    """22008 `date/time field value out of range: "x"`."""
    return DatabaseError(DATETIME_FIELD_OVERFLOW, f'date/time field value out of range: "{text}"', hint=hint)


def datetime_out_of_range(message: str) -> DatabaseError:
    """22008 with PostgreSQL's own wording, e.g. `timestamp out of range`."""
    return DatabaseError(DATETIME_FIELD_OVERFLOW, message)


def bad_binary(detail: str | None = None) -> DatabaseError:
    """22P03: binary input that is not a valid value of the type (wrong length, bad fields)."""
    return DatabaseError(INVALID_BINARY_REPRESENTATION, "incorrect binary data format", detail=detail)


def unrepresentable(message: str) -> DatabaseError:
    """0A000: a value PostgreSQL accepts but the Python value model cannot hold."""
    return DatabaseError(FEATURE_NOT_SUPPORTED, message)


def utf8_sequence_length(lead: int) -> int:
    """pg_utf_mblen: the length a UTF-8 sequence starting with this byte claims."""
    if lead >= 0xF0:
        return 4 if lead < 0xF8 else 1
    if lead >= 0xE0:
        return 3
    return 2 if lead >= 0xC0 else 1


def _invalid_encoding(data: bytes, start: int) -> DatabaseError:
    """report_invalid_encoding: the offending sequence as hex bytes."""
    sequence = data[start : start + utf8_sequence_length(data[start])]
    shown = " ".join(f"0x{byte:02x}" for byte in sequence)
    return DatabaseError(CHARACTER_NOT_IN_REPERTOIRE, f'invalid byte sequence for encoding "UTF8": {shown}')


def decode_utf8(data: bytes) -> str:
    """Text input bytes as str; invalid UTF-8 and the zero byte are 22021 as in PostgreSQL."""
    try:
        text = data.decode()
    except UnicodeDecodeError as exc:
        raise _invalid_encoding(data, exc.start) from None
    if "\x00" in text:
        raise _invalid_encoding(data, data.index(0))
    return text
