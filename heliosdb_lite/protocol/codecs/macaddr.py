"""Codec for macaddr (829): a str, the address as macaddr_out writes it (`08:00:2b:01:02:03`), so that
stored values sort and compare as PostgreSQL's macaddr_cmp orders them.

Text input is PostgreSQL 15's macaddr_in: the first of its sscanf formats that reads six numbers and
nothing after them but white space — `08:00:2b:01:02:03`, `08-00-2b-01-02-03`, `08002b:010203`,
`08002b-010203`, `0800.2b01.0203`, `0800-2b01-0203`, `08002b010203` — each number a byte (22003
`invalid octet value`), else 22P02. Binary: the six bytes.
"""

from __future__ import annotations

from datetime import tzinfo

from heliosdb_lite.errors import NUMERIC_VALUE_OUT_OF_RANGE, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import C_SPACES, bad_binary, invalid_syntax

# macaddr_in's sscanf formats: None is `%x` (any number of hex digits), 2 is `%2x`, a str is itself
_FORMATS: tuple[tuple[int | str | None, ...], ...] = (
    (None, ":", None, ":", None, ":", None, ":", None, ":", None),
    (None, "-", None, "-", None, "-", None, "-", None, "-", None),
    (2, 2, 2, ":", 2, 2, 2),
    (2, 2, 2, "-", 2, 2, 2),
    (2, 2, ".", 2, 2, ".", 2, 2),
    (2, 2, "-", 2, 2, "-", 2, 2),
    (2, 2, 2, 2, 2, 2),
)
_HEX = "0123456789abcdefABCDEF"


def _scan(text: str, pattern: tuple[int | str | None, ...]) -> list[int] | None:
    """The six numbers of `text` read by one sscanf format with nothing but white space after
    them, else None (sscanf reads left to right and never goes back)."""
    numbers: list[int] = []
    at = 0
    for item in pattern:
        if isinstance(item, str):
            if not text.startswith(item, at):
                return None
            at += 1
            continue
        while at < len(text) and text[at] in C_SPACES:  # %x skips white space first
            at += 1
        start = at
        while at < len(text) and text[at] in _HEX and (item is None or at - start < item):
            at += 1
        if at == start:
            return None
        numbers.append(int(text[start:at], 16))
    return numbers if not text[at:].strip(C_SPACES) else None


def _text_in(data: bytes, tz: tzinfo) -> str:
    text = data.decode(errors="replace")
    for pattern in _FORMATS:
        numbers = _scan(text, pattern)
        if numbers is not None:
            if any(number > 255 for number in numbers):
                raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE,
                                    f'invalid octet value in "macaddr" value: "{text}"')
            return ":".join(f"{number:02x}" for number in numbers)
    raise invalid_syntax("macaddr", text)


def _text_out(value: str, tz: tzinfo) -> bytes:
    return value.encode()


def _binary_out(value: str) -> bytes:
    return bytes.fromhex(value.replace(":", ""))


def _binary_in(data: bytes) -> str:
    if len(data) != 6:
        raise bad_binary(f"macaddr must be 6 bytes, got {len(data)}")
    return ":".join(f"{byte:02x}" for byte in data)


CODECS: dict[int, Codec] = {oids.MACADDR: Codec(_text_out, _text_in, _binary_out, _binary_in)}
