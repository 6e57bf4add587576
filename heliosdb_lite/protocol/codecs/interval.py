"""Codec for interval and its value type `Interval(months, days, microseconds)`.

PostgreSQL keeps the three parts apart (a month is not 30 days, a day is not 24 hours across
DST), so does `Interval`; equality is field by field (PostgreSQL's `=` would also equate
'1 day' and '24 hours'). Ranges: months and days int32, microseconds int64.
Text output follows IntervalStyle (EncodeInterval): postgres, the default (`1 year 2 mons 3 days
04:05:06.5`, `-1 days +02:03:00`, `-00:00:01`, `00:00:00`), postgres_verbose (`@ 1 year 2 mons`,
`@ 1 day -2 hours ago`), sql_standard (`1-2`, `3 4:05:06.5`, `-1-2`, `+1-2 -3 +4:05:06` when signs
or year-month and day-time parts mix) and iso_8601 (`P1Y2M3DT4H5M6.5S`, `PT0S`); input is
interval_parse's port of PostgreSQL's parser, which reads every style's form whatever the setting
(only under sql_standard a leading minus, with no other sign, negates every field).
Binary: i64 microseconds, i32 days, i32 months.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import tzinfo
from functools import partial

from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.datetime_lexer import (
    FIELD_OVERFLOW,
    INTERVAL_OVERFLOW,
    DateTimeParseError,
    raise_parse_error,
)
from heliosdb_lite.protocol.codecs.faults import bad_binary, datetime_out_of_range, decode_utf8
from heliosdb_lite.protocol.codecs.interval_parse import DAYS_PER_MONTH, USECS_PER_DAY, decode_interval
from heliosdb_lite.protocol.codecs.styles import (
    INTERVAL_ISO_8601,
    INTERVAL_POSTGRES,
    INTERVAL_SQL_STANDARD,
    INTERVAL_VERBOSE,
    TextStyle,
)

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


def interval_key(interval: Interval) -> int:
    """Comparison key: PostgreSQL compares intervals with 30-day months and 24-hour days."""
    return (interval.months * DAYS_PER_MONTH + interval.days) * USECS_PER_DAY + interval.microseconds


def _c_divmod(value: int, divisor: int) -> tuple[int, int]:
    """C division: quotient truncated toward zero, remainder with the dividend's sign."""
    quotient = abs(value) // divisor
    if value < 0:
        quotient = -quotient
    return quotient, value - quotient * divisor


def _fields(value: Interval) -> tuple[int, int, int, int, int, int, int]:
    """interval2itm: years, months, days, hours, minutes, seconds, microseconds, each with the
    sign of its part of the interval."""
    years, months = _c_divmod(value.months, 12)
    hours, rest = _c_divmod(value.microseconds, USECS_PER_HOUR)
    minutes, rest = _c_divmod(rest, USECS_PER_MINUTE)
    seconds, fraction = _c_divmod(rest, USECS_PER_SEC)
    return years, months, value.days, hours, minutes, seconds, fraction


def _seconds(seconds: int, fraction: int, zero_pad: bool) -> str:
    """AppendSeconds: |seconds| (two digits when zero_pad) and the fraction without trailing zeros."""
    text = f"{abs(seconds):02d}" if zero_pad else str(abs(seconds))
    return text + f".{abs(fraction):06d}".rstrip("0") if fraction else text


def interval_text(value: Interval, style: str = INTERVAL_POSTGRES) -> str:
    """EncodeInterval in an IntervalStyle."""
    if style == INTERVAL_POSTGRES:
        return _postgres_text(value)
    if style == INTERVAL_VERBOSE:
        return _verbose_text(value)
    if style == INTERVAL_SQL_STANDARD:
        return _sql_standard_text(value)
    assert style == INTERVAL_ISO_8601, style
    return _iso_8601_text(value)


def _postgres_text(value: Interval) -> str:
    years, months, days, hours, minutes, seconds, fraction = _fields(value)
    parts: list[str] = []
    is_before = False
    for amount, unit in ((years, "year"), (months, "mon"), (days, "day")):
        if amount:
            plus = "+" if is_before and amount > 0 else ""
            parts.append(f"{plus}{amount} {unit}{'' if amount == 1 else 's'}")
            is_before = amount < 0
    if not parts or hours or minutes or seconds or fraction:
        minus = hours < 0 or minutes < 0 or seconds < 0 or fraction < 0
        sign = "-" if minus else ("+" if is_before else "")
        parts.append(f"{sign}{abs(hours):02d}:{abs(minutes):02d}:{_seconds(seconds, fraction, True)}")
    return " ".join(parts)


def _verbose_text(value: Interval) -> str:
    """postgres_verbose: `@` and a unit per field; the first nonzero field's sign turns into `ago`
    and the others are written relative to it."""
    years, months, days, hours, minutes, seconds, fraction = _fields(value)
    text = "@"
    is_zero, is_before = True, False
    for amount, unit in ((years, "year"), (months, "mon"), (days, "day"), (hours, "hour"), (minutes, "min")):
        if amount == 0:
            continue
        if is_zero:
            is_before, amount = amount < 0, abs(amount)
        elif is_before:
            amount = -amount
        text += f" {amount} {unit}{'' if amount == 1 else 's'}"
        is_zero = False
    if seconds or fraction:
        text += " "
        if seconds < 0 or (seconds == 0 and fraction < 0):
            if is_zero:
                is_before = True
            elif not is_before:
                text += "-"
        elif is_before:
            text += "-"
        plural = "s" if abs(seconds) != 1 or fraction else ""
        text += f"{_seconds(seconds, fraction, False)} sec{plural}"
        is_zero = False
    if is_zero:
        text += " 0"
    return text + " ago" if is_before else text


def _sql_standard_text(value: Interval) -> str:
    """sql_standard: `Y-M`, `D H:MM:SS` or `H:MM:SS` with one leading sign, or every part signed
    when signs or year-month and day-time parts mix."""
    years, months, days, hours, minutes, seconds, fraction = fields = _fields(value)
    has_negative = any(field < 0 for field in fields)
    has_positive = any(field > 0 for field in fields)
    has_year_month = years != 0 or months != 0
    has_day_time = any(fields[2:])
    standard = not (has_negative and has_positive) and not (has_year_month and has_day_time)
    if not has_negative and not has_positive:
        return "0"
    if not standard:
        year_sign = "-" if years < 0 or months < 0 else "+"
        day_sign = "-" if days < 0 else "+"
        time_sign = "-" if hours < 0 or minutes < 0 or seconds < 0 or fraction < 0 else "+"
        return (f"{year_sign}{abs(years)}-{abs(months)} {day_sign}{abs(days)} "
                f"{time_sign}{abs(hours)}:{abs(minutes):02d}:{_seconds(seconds, fraction, True)}")
    sign = "-" if has_negative else ""
    years, months, days, hours, minutes = (abs(field) for field in fields[:5])
    clock = f"{hours}:{minutes:02d}:{_seconds(seconds, fraction, True)}"
    if has_year_month:
        return f"{sign}{years}-{months}"
    if days:
        return f"{sign}{days} {clock}"
    return sign + clock


def _iso_8601_text(value: Interval) -> str:
    """iso_8601's duration `P[nY][nM][nD][T[nH][nM][n.nS]]`, each part signed; `PT0S` for zero."""
    years, months, days, hours, minutes, seconds, fraction = _fields(value)
    if not any((years, months, days, hours, minutes, seconds, fraction)):
        return "PT0S"
    text = "P" + "".join(f"{amount}{unit}" for amount, unit in ((years, "Y"), (months, "M"), (days, "D"))
                         if amount)
    if hours or minutes or seconds or fraction:
        text += "T" + "".join(f"{amount}{unit}" for amount, unit in ((hours, "H"), (minutes, "M")) if amount)
    if seconds or fraction:
        text += f"{'-' if seconds < 0 or fraction < 0 else ''}{_seconds(seconds, fraction, False)}S"
    return text


def _text_out(value: Interval, tz: tzinfo, style: str = INTERVAL_POSTGRES) -> bytes:
    return interval_text(value, style).encode()


def _text_in(data: bytes, tz: tzinfo, sql_standard: bool = False) -> Interval:
    text = decode_utf8(data)
    try:
        months, days, usec = decode_interval(text, sql_standard)
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


def styled_codecs(style: TextStyle) -> dict[int, Codec]:
    """The interval codec in an IntervalStyle (binary is the same)."""
    sql_standard = style.interval_style == INTERVAL_SQL_STANDARD
    return {oids.INTERVAL: Codec(partial(_text_out, style=style.interval_style),
                                 partial(_text_in, sql_standard=sql_standard), _binary_out, _binary_in)}


CODECS: dict[int, Codec] = {oids.INTERVAL: Codec(_text_out, _text_in, _binary_out, _binary_in)}
