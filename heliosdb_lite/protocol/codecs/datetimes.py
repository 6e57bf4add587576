"""Codecs for date, timestamp and timestamptz, and the ±infinity sentinels (time and timetz:
`times`).

Value model: date -> datetime.date; timestamp -> naive
datetime.datetime (wall clock); timestamptz -> aware datetime.datetime (decoders return UTC;
encoders accept any zone and treat a naive value as UTC). PostgreSQL's 'infinity' and
'-infinity' dates and timestamps are the sentinels `INFINITY` and `NEG_INFINITY`, which order
after and before every date and datetime. Dates and time stamps outside years 1..9999 (BC
included) are `far_dates.FarDate` / `FarTimestamp`, up to PostgreSQL's limits (beyond them 22008).

Text (DateStyle ISO, the default): `2024-01-02`, `2024-01-02 03:04:05.123456`, and
for timestamptz the session zone's wall clock with its offset, `+00`, `-05`, `+05:30`,
`-04:56:02`; trailing zeros of fractional seconds dropped; a year before 1 as its BC year with
` BC` at the end (`0044-03-15 BC`), a year after 9999 with all its digits. The other
DateStyles (`styled_codecs`) write dates as SQL `01/02/2024` (`02/01/2024` for DMY), German
`02.01.2024` and Postgres `01-02-2024`, a timestamp as Postgres `Tue Jan 02 03:04:05.5 2024`
(`Tue 02 Jan ...` for DMY), and a timestamptz with the zone's abbreviation (`EST`, `-03`, at
most 10 characters) instead of its offset. Input is datetime_parse's port of PostgreSQL's parser,
ambiguous dates in the DateStyle's order; an input without a zone is read in the session zone (in
a DST gap with the offset before it, in an overlap with the one after, like PostgreSQL).
Binary: date i32 days since 2000-01-01 (±infinity = INT32 max/min); timestamp and timestamptz
i64 µs since 2000-01-01 00:00 (UTC for timestamptz; ±infinity = INT64 max/min).
"""

from __future__ import annotations

import functools
import re
import struct
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import TypeVar

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.datetime_lexer import (
    EARLY,
    EPOCH,
    LATE,
    DateTimeParseError,
    raise_parse_error,
)
from heliosdb_lite.protocol.codecs.datetime_parse import DateTimeFields, decode_datetime
from heliosdb_lite.protocol.codecs.far_dates import (
    TIMESTAMP_END_USEC,
    TIMESTAMP_MIN_USEC,
    FarDate,
    FarTimestamp,
    clock_of_usec,
    date_of_days,
    days_from_fields,
    days_of,
    fields_of_days,
    timestamp_of_usec,
    usec_of,
    valid_julian,
    wall_clock_usec,
    weekday,
    zone_at,
)
from heliosdb_lite.protocol.codecs.faults import (
    bad_binary,
    datetime_out_of_range,
    decode_utf8,
)
from heliosdb_lite.protocol.codecs.styles import (
    DEFAULT_STYLE,
    DMY,
    GERMAN,
    ISO,
    MDY,
    POSTGRES,
    SQL,
    TextStyle,
)
from heliosdb_lite.protocol.codecs.time_zones import (
    MAX_OFFSET_HOURS,
    abbreviation_offset,
    wall_clock_instant,
)
from heliosdb_lite.protocol.codecs.times import offset_text

Day = TypeVar("Day", bound=date)  # a date, or a datetime (a date subclass)


@functools.total_ordering
class DateTimeInfinity:
    """PostgreSQL's 'infinity' (sign 1) or '-infinity' (sign -1) date/timestamp; two singletons."""

    __slots__ = ("sign",)

    def __init__(self, sign: int) -> None:
        self.sign = sign

    def __repr__(self) -> str:
        return "INFINITY" if self.sign > 0 else "NEG_INFINITY"

    def __reduce__(self) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return hash(("DateTimeInfinity", self.sign))

    def __lt__(self, other: object) -> bool:
        if isinstance(other, DateTimeInfinity):
            return self.sign < other.sign
        if isinstance(other, date | FarDate | FarTimestamp):
            return self.sign < 0
        return NotImplemented


INFINITY = DateTimeInfinity(1)
NEG_INFINITY = DateTimeInfinity(-1)

USECS_PER_DAY = 86_400_000_000
_UNIX_EPOCH = datetime(1970, 1, 1)
_CANONICAL_ISO = re.compile(
    rb"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    rb"(?:[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?(?:([+-])([0-9]{2})(?::?([0-9]{2}))?)?)?"
)
_INT32 = struct.Struct(">i")
_INT64 = struct.Struct(">q")
_DATE_POS_INF, _DATE_NEG_INF = 2**31 - 1, -(2**31)
_TS_POS_INF, _TS_NEG_INF = 2**63 - 1, -(2**63)


def _parse(text: str, type_name: str, tz: tzinfo, order: str) -> DateTimeFields:
    try:
        return decode_datetime(text, tz, order)
    except DateTimeParseError as error:
        raise raise_parse_error(error, text, type_name) from None


def _special(fields: DateTimeFields, epoch: Day) -> Day | DateTimeInfinity:
    if fields.special == LATE:
        return INFINITY
    if fields.special == EARLY:
        return NEG_INFINITY
    assert fields.special == EPOCH
    return epoch


def _local_datetime(fields: DateTimeFields, text: str) -> datetime | FarTimestamp:
    """The wall clock the fields give (tm2timestamp without a zone): 22008 beyond PostgreSQL's
    range."""
    if 1 <= fields.year <= 9999:
        try:
            midnight = datetime(fields.year, fields.month, fields.day)
            return midnight + timedelta(microseconds=fields.time.total_usec())
        except OverflowError:
            pass
    if not valid_julian(fields.year, fields.month, fields.day):
        raise _timestamp_out_of_range(text)
    usec = days_from_fields(fields.year, fields.month, fields.day) * USECS_PER_DAY + fields.time.total_usec()
    return _checked_timestamp(usec, False, text)


def _timestamp_out_of_range(text: str) -> DatabaseError:
    return datetime_out_of_range(f'timestamp out of range: "{text}"')


def _checked_timestamp(usec: int, aware: bool, text: str) -> datetime | FarTimestamp:
    if not TIMESTAMP_MIN_USEC <= usec < TIMESTAMP_END_USEC:
        raise _timestamp_out_of_range(text)
    return timestamp_of_usec(usec, aware)


def _trimmed_seconds(iso: str, microsecond: int, end: int) -> str:
    """Cut isoformat text at the seconds (end) or drop trailing zeros of its fraction."""
    return iso[: end + 7].rstrip("0") if microsecond else iso[:end]


# -- the DateStyles other than ISO (EncodeDateOnly, EncodeDateTime) ---------------------------

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MAX_ZONE_NAME_LEN = 10  # MAXTZLEN: a longer zone abbreviation is cut


def _styled_date(year: int, month: int, day: int, style: TextStyle) -> str:
    """A date (its year as written, without BC) in a DateStyle other than ISO (SQL, German,
    Postgres; day first only for DMY)."""
    return _styled_date_text(f"{year:04d}", f"{month:02d}", f"{day:02d}", style)


def _styled_date_text(year: str, month: str, day: str, style: TextStyle) -> str:
    if style.date_format == GERMAN:
        return f"{day}.{month}.{year}"
    separator = "/" if style.date_format == SQL else "-"
    first, second = (day, month) if style.date_order == DMY else (month, day)
    return f"{first}{separator}{second}{separator}{year}"


def _styled_datetime(value: datetime, style: TextStyle, zone_name: str | None) -> str:
    """A timestamp (zone_name None) or a timestamptz's wall clock and zone abbreviation in a
    DateStyle other than ISO."""
    return _styled_fields(value.year, value.month, value.day, value.weekday(), value.time(), style, zone_name)


def _styled_fields(year: int, month: int, day: int, weekday_index: int, clock_time: time, style: TextStyle,
                   zone_name: str | None) -> str:
    """_styled_datetime of the fields (year as written, without BC)."""
    clock = _trimmed_seconds(clock_time.isoformat(), clock_time.microsecond, 8)
    if style.date_format == POSTGRES:
        month_name = _MONTHS[month - 1]
        day_month = f"{day:02d} {month_name}" if style.date_order == DMY else f"{month_name} {day:02d}"
        text = f"{_WEEKDAYS[weekday_index]} {day_month} {clock} {year:04d}"
    else:
        text = f"{_styled_date(year, month, day, style)} {clock}"
    return text if zone_name is None else f"{text} {zone_name[:_MAX_ZONE_NAME_LEN]}"


def _far_text(usec: int, style: TextStyle, offset: int | None, zone_name: str | None, *,
              with_clock: bool = True) -> str:
    """A date or a wall clock (µs since 2000-01-01) outside years 1..9999 as EncodeDateOnly /
    EncodeDateTime write it: the year as its BC year and ` BC` at the end before year 1; the offset
    (ISO) or the zone's abbreviation (other styles) of a timestamptz."""
    days = usec // USECS_PER_DAY
    year, month, day = fields_of_days(days)
    shown = year if year > 0 else 1 - year
    suffix = "" if year > 0 else " BC"
    if not with_clock:
        if style.date_format == ISO:
            return f"{shown:04d}-{month:02d}-{day:02d}{suffix}"
        return _styled_date(shown, month, day, style) + suffix
    clock = clock_of_usec(usec)
    if style.date_format != ISO:
        return _styled_fields(shown, month, day, weekday(days), clock, style, zone_name) + suffix
    text = f"{shown:04d}-{month:02d}-{day:02d} {_trimmed_seconds(clock.isoformat(), clock.microsecond, 8)}"
    if offset is not None:
        text += _offset_text(timedelta(seconds=offset))
    return text + suffix


# -- date -------------------------------------------------------------------------------------


def _date_text_out(value: date, tz: tzinfo, style: TextStyle = DEFAULT_STYLE) -> bytes:
    if value is INFINITY:
        return b"infinity"
    if value is NEG_INFINITY:
        return b"-infinity"
    if isinstance(value, FarDate):
        return _far_text(value.days * USECS_PER_DAY, style, None, None, with_clock=False).encode()
    if style.date_format == ISO:
        return value.isoformat().encode()
    return _styled_date(value.year, value.month, value.day, style).encode()


def _canonical_iso(data: bytes) -> tuple[datetime, int | None] | None:
    """The form clients send, YYYY-MM-DD[ HH:MM:SS[.ffffff][±HH[:MM]]], read without the general
    parser: (local wall clock, offset east or None). None if anything is unusual or out of
    range; the general parser then decides, errors included."""
    match = _CANONICAL_ISO.fullmatch(data)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, offset_hours, offset_minutes = match.groups()
    try:
        clock = (int(hour or 0), int(minute or 0), int(second or 0), int((fraction or b"0").ljust(6, b"0")))
        local = datetime(int(year), int(month), int(day), *clock)
    except ValueError:
        return None
    if sign is None:
        return local, None
    hours, minutes = int(offset_hours), int(offset_minutes or 0)
    if hours > MAX_OFFSET_HOURS or minutes > 59:
        return None
    offset = (hours * 60 + minutes) * 60
    return local, -offset if sign == b"-" else offset


def _date_text_in(data: bytes, tz: tzinfo, order: str = MDY) -> date | FarDate | DateTimeInfinity:
    canonical = _canonical_iso(data)
    if canonical is not None:
        return canonical[0].date()
    text = decode_utf8(data)
    fields = _parse(text, "date", tz, order)
    if fields.special is not None:
        return _special(fields, _UNIX_EPOCH.date())
    if 1 <= fields.year <= 9999:
        return date(fields.year, fields.month, fields.day)
    if not valid_julian(fields.year, fields.month, fields.day):
        raise datetime_out_of_range(f'date out of range: "{text}"')
    return FarDate(days_from_fields(fields.year, fields.month, fields.day))


def _date_binary_out(value: date | FarDate) -> bytes:
    if value is INFINITY:
        return _INT32.pack(_DATE_POS_INF)
    if value is NEG_INFINITY:
        return _INT32.pack(_DATE_NEG_INF)
    return _INT32.pack(days_of(value))


def _date_binary_in(data: bytes) -> date | FarDate | DateTimeInfinity:
    if len(data) != 4:
        raise bad_binary(f"date must be 4 bytes, got {len(data)}")
    days = _INT32.unpack(data)[0]
    if days == _DATE_POS_INF:
        return INFINITY
    if days == _DATE_NEG_INF:
        return NEG_INFINITY
    return date_of_days(days)


# -- timestamp --------------------------------------------------------------------------------


def _timestamp_text_out(value: datetime | FarTimestamp, tz: tzinfo,
                        style: TextStyle = DEFAULT_STYLE) -> bytes:
    if value is INFINITY:
        return b"infinity"
    if value is NEG_INFINITY:
        return b"-infinity"
    if isinstance(value, FarTimestamp):
        return _far_text(value.usec, style, None, None).encode()
    if style.date_format == ISO:
        return _trimmed_seconds(value.isoformat(" "), value.microsecond, 19).encode()
    return _styled_datetime(value, style, None).encode()


def _timestamp_text_in(data: bytes, tz: tzinfo,
                       order: str = MDY) -> datetime | FarTimestamp | DateTimeInfinity:
    canonical = _canonical_iso(data)
    if canonical is not None:
        return canonical[0]  # a zone in timestamp input is ignored
    text = decode_utf8(data)
    fields = _parse(text, "timestamp", tz, order)
    if fields.special is not None:
        return _special(fields, _UNIX_EPOCH)
    return _local_datetime(fields, text)


def _timestamp_binary_out(value: datetime | FarTimestamp) -> bytes:
    if value is INFINITY:
        return _INT64.pack(_TS_POS_INF)
    if value is NEG_INFINITY:
        return _INT64.pack(_TS_NEG_INF)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # a timestamp is its wall clock
    return _INT64.pack(usec_of(value))


def _timestamp_usec_in(data: bytes) -> int | DateTimeInfinity:
    if len(data) != 8:
        raise bad_binary(f"timestamp must be 8 bytes, got {len(data)}")
    usec = _INT64.unpack(data)[0]
    if usec == _TS_POS_INF:
        return INFINITY
    if usec == _TS_NEG_INF:
        return NEG_INFINITY
    return int(usec)


def _timestamp_binary_in(data: bytes) -> datetime | FarTimestamp | DateTimeInfinity:
    usec = _timestamp_usec_in(data)
    if isinstance(usec, DateTimeInfinity):
        return usec
    return timestamp_of_usec(usec, False)


# -- timestamptz ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _offset_text(offset: timedelta) -> str:
    """PostgreSQL's zone offset: +HH, then :MM and :SS only when not zero."""
    return offset_text(offset.days * 86400 + offset.seconds)


def _timestamptz_text_out(value: datetime | FarTimestamp, tz: tzinfo,
                          style: TextStyle = DEFAULT_STYLE) -> bytes:
    if value is INFINITY:
        return b"infinity"
    if value is NEG_INFINITY:
        return b"-infinity"
    if isinstance(value, FarTimestamp):
        return _far_timestamptz_text(value.usec, tz, style)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.tzinfo is tz:
        value = value.astimezone(UTC)  # astimezone(tz) would keep a wall time inside a DST gap as is
    try:
        local = value.astimezone(tz)
    except OverflowError:  # the wall clock is outside years 1..9999
        return _far_timestamptz_text(usec_of(value), tz, style)
    if style.date_format != ISO:
        return _styled_datetime(local, style, local.tzname() or "").encode()
    offset = local.utcoffset()
    assert offset is not None
    return (_trimmed_seconds(local.isoformat(" "), local.microsecond, 19) + _offset_text(offset)).encode()


def _far_timestamptz_text(usec: int, tz: tzinfo, style: TextStyle) -> bytes:
    offset, zone_name = zone_at(usec, tz)
    return _far_text(usec + offset * 1_000_000, style, offset, zone_name).encode()


def _timestamptz_text_in(data: bytes, tz: tzinfo,
                         order: str = MDY) -> datetime | FarTimestamp | DateTimeInfinity:
    canonical = _canonical_iso(data)
    if canonical is not None:
        local, offset = canonical
        try:
            if offset is None:
                return wall_clock_instant(local, tz)
            return (local - timedelta(seconds=offset)).replace(tzinfo=UTC)
        except OverflowError:
            pass  # the general path reports it
    text = decode_utf8(data)
    fields = _parse(text, "timestamp with time zone", tz, order)
    if fields.special is not None:
        return _special(fields, _UNIX_EPOCH.replace(tzinfo=UTC))
    wall_clock = _local_datetime(fields, text)
    offset = fields.offset
    if isinstance(wall_clock, datetime):
        if offset is None and fields.zone_abbreviation is not None:
            assert fields.zone is not None
            offset = abbreviation_offset(fields.zone_abbreviation, wall_clock, fields.zone)
        try:
            if offset is None:
                return wall_clock_instant(wall_clock, fields.zone or tz)
            return (wall_clock - timedelta(seconds=offset)).replace(tzinfo=UTC)
        except OverflowError:  # the instant is outside years 1..9999
            pass
    wall = usec_of(wall_clock)
    utc = wall_clock_usec(wall, fields.zone or tz) if offset is None else wall - offset * 1_000_000
    return _checked_timestamp(utc, True, text)


def _timestamptz_binary_out(value: datetime | FarTimestamp) -> bytes:
    if value is INFINITY:
        return _INT64.pack(_TS_POS_INF)
    if value is NEG_INFINITY:
        return _INT64.pack(_TS_NEG_INF)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return _INT64.pack(usec_of(value))


def _timestamptz_binary_in(data: bytes) -> datetime | FarTimestamp | DateTimeInfinity:
    usec = _timestamp_usec_in(data)
    if isinstance(usec, DateTimeInfinity):
        return usec
    return timestamp_of_usec(usec, True)


def styled_codecs(style: TextStyle) -> dict[int, Codec]:
    """The codecs of date, timestamp and timestamptz in a DateStyle (binary is the same)."""
    order = style.date_order
    return {
        oids.DATE: Codec(partial(_date_text_out, style=style), partial(_date_text_in, order=order),
                         _date_binary_out, _date_binary_in),
        oids.TIMESTAMP: Codec(partial(_timestamp_text_out, style=style),
                              partial(_timestamp_text_in, order=order), _timestamp_binary_out,
                              _timestamp_binary_in),
        oids.TIMESTAMPTZ: Codec(partial(_timestamptz_text_out, style=style),
                                partial(_timestamptz_text_in, order=order), _timestamptz_binary_out,
                                _timestamptz_binary_in),
    }


CODECS: dict[int, Codec] = {
    oids.DATE: Codec(_date_text_out, _date_text_in, _date_binary_out, _date_binary_in),
    oids.TIMESTAMP: Codec(_timestamp_text_out, _timestamp_text_in, _timestamp_binary_out,
                          _timestamp_binary_in),
    oids.TIMESTAMPTZ: Codec(_timestamptz_text_out, _timestamptz_text_in, _timestamptz_binary_out,
                            _timestamptz_binary_in),
}
