"""Codec for interval and its value type `Interval(months, days, microseconds)`.

PostgreSQL keeps the three parts apart (a month is not 30 days, a day is not 24 hours across
DST), so does `Interval`; equality is field by field (PostgreSQL's `=` would also equate
'1 day' and '24 hours'). Ranges: months and days int32, microseconds int64.
Text output is IntervalStyle postgres (`1 year 2 mons 3 days 04:05:06.5`, `-1 days +02:03:00`,
`-00:00:01`, `00:00:00`); input is interval_parse's port of PostgreSQL's parser.
Binary: i64 microseconds, i32 days, i32 months.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import tzinfo

from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.datetime_lexer import (
    FIELD_OVERFLOW,
    INTERVAL_OVERFLOW,
    DateTimeParseError,
    raise_parse_error,
)
from heliosdb_lite.protocol.codecs.faults import bad_binary, datetime_out_of_range, decode_utf8
from heliosdb_lite.protocol.codecs.interval_parse import decode_interval

USECS_PER_SEC = 1_000_000
USECS_PER_MINUTE = 60 * USECS_PER_SEC
USECS_PER_HOUR = 60 * USECS_PER_MINUTE
_WIRE = struct.Struct(">qii")


@dataclass(frozen=True, slots=True)
class Interval:
    """A PostgreSQL interval: months, days and microseconds, each signed and independent."""

    months: int = 0
    days: int = 0
    microseconds: int = 0

    def __str__(self) -> str:
        return interval_text(self)


def _c_divmod(value: int, divisor: int) -> tuple[int, int]:
    """C division: quotient truncated toward zero, remainder with the dividend's sign."""
    quotient = abs(value) // divisor
    if value < 0:
        quotient = -quotient
    return quotient, value - quotient * divisor


def interval_text(value: Interval) -> str:
    """EncodeInterval, IntervalStyle postgres."""
    years, months = _c_divmod(value.months, 12)
    hours, rest = _c_divmod(value.microseconds, USECS_PER_HOUR)
    minutes, rest = _c_divmod(rest, USECS_PER_MINUTE)
    seconds, fraction = _c_divmod(rest, USECS_PER_SEC)
    parts: list[str] = []
    is_before = False
    for amount, unit in ((years, "year"), (months, "mon"), (value.days, "day")):
        if amount:
            plus = "+" if is_before and amount > 0 else ""
            parts.append(f"{plus}{amount} {unit}{'' if amount == 1 else 's'}")
            is_before = amount < 0
    if not parts or hours or minutes or seconds or fraction:
        minus = hours < 0 or minutes < 0 or seconds < 0 or fraction < 0
        sign = "-" if minus else ("+" if is_before else "")
        clock = f"{sign}{abs(hours):02d}:{abs(minutes):02d}:{abs(seconds):02d}"
        if fraction:
            clock += f".{abs(fraction):06d}".rstrip("0")
        parts.append(clock)
    return " ".join(parts)


def _text_out(value: Interval, tz: tzinfo) -> bytes:
    return interval_text(value).encode()


def _text_in(data: bytes, tz: tzinfo) -> Interval:
    text = decode_utf8(data)
    try:
        months, days, usec = decode_interval(text)
    except DateTimeParseError as error:
        if error.kind == FIELD_OVERFLOW:
            error = DateTimeParseError(INTERVAL_OVERFLOW)
        raise raise_parse_error(error, text, "interval") from None
    except OverflowError:
        raise datetime_out_of_range("interval out of range") from None
    return Interval(months, days, usec)


def _binary_out(value: Interval) -> bytes:
    try:
        return _WIRE.pack(value.microseconds, value.days, value.months)
    except struct.error:
        raise datetime_out_of_range("interval out of range") from None


def _binary_in(data: bytes) -> Interval:
    if len(data) != 16:
        raise bad_binary(f"interval must be 16 bytes, got {len(data)}")
    usec, days, months = _WIRE.unpack(data)
    return Interval(months, days, usec)


CODECS: dict[int, Codec] = {oids.INTERVAL: Codec(_text_out, _text_in, _binary_out, _binary_in)}
