"""Codecs for date, timestamp and timestamptz, and the ±infinity sentinels (time and timetz:
`times`).

Value model: date -> datetime.date; timestamp -> naive
datetime.datetime (wall clock); timestamptz -> aware datetime.datetime (decoders return UTC;
encoders accept any zone and treat a naive value as UTC). PostgreSQL's 'infinity' and
'-infinity' dates and timestamps are the sentinels `INFINITY` and `NEG_INFINITY`, which order
after and before every date and datetime. Years outside 1..9999 (including BC), which
PostgreSQL accepts, do not fit Python's types and are 0A000.

Text (DateStyle ISO, the default): `2024-01-02`, `2024-01-02 03:04:05.123456`, and
for timestamptz the session zone's wall clock with its offset, `+00`, `-05`, `+05:30`,
`-04:56:02`; trailing zeros of fractional seconds dropped. The other DateStyles (`styled_codecs`)
write dates as SQL `01/02/2024` (`02/01/2024` for DMY), German `02.01.2024` and Postgres
`01-02-2024`, a timestamp as Postgres `Tue Jan 02 03:04:05.5 2024` (`Tue 02 Jan ...` for DMY), and
a timestamptz with the zone's abbreviation (`EST`, `-03`, at most 10 characters) instead of its
offset. Input is datetime_parse's port of PostgreSQL's parser,
ambiguous dates in the DateStyle's order; an input without a zone is read in the session zone (in
a DST gap with the offset before it, in an overlap with the one after, like PostgreSQL).
Binary: date i32 days since 2000-01-01 (±infinity = INT32 max/min); timestamp and timestamptz
i64 µs since 2000-01-01 00:00 (UTC for timestamptz; ±infinity = INT64 max/min).
"""

from __future__ import annotations

import functools
import re
import struct
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import partial
from typing import TypeVar

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
from heliosdb_lite.protocol.codecs.faults import (
    bad_binary,
    datetime_out_of_range,
    decode_utf8,
    unrepresentable,
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
        if isinstance(other, date):
            return self.sign < 0
        return NotImplemented


INFINITY = DateTimeInfinity(1)
NEG_INFINITY = DateTimeInfinity(-1)

POSTGRES_EPOCH_ORDINAL = date(2000, 1, 1).toordinal()
_EPOCH_2000 = datetime(2000, 1, 1)
_EPOCH_2000_UTC = datetime(2000, 1, 1, tzinfo=UTC)
_UNIX_EPOCH = datetime(1970, 1, 1)
_CANONICAL_ISO = re.compile(
    rb"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    rb"(?:[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?(?:([+-])([0-9]{2})(?::?([0-9]{2}))?)?)?"
)
_INT32 = struct.Struct(">i")
_INT64 = struct.Struct(">q")
_DATE_POS_INF, _DATE_NEG_INF = 2**31 - 1, -(2**31)
_TS_POS_INF, _TS_NEG_INF = 2**63 - 1, -(2**63)
# Beyond these years PostgreSQL itself rejects the value (22008); inside them it is 0A000 here.
_PG_MAX_DATE_YEAR = 5874897
_PG_MAX_TIMESTAMP_YEAR = 294276


def _outside_years(type_name: str, text: str, year: int, pg_max_year: int) -> Exception:
    if year > pg_max_year:
        return datetime_out_of_range(f'{type_name} out of range: "{text}"')
    return unrepresentable(
        f'{type_name} values outside years 1 to 9999 (BC included) are not supported: "{text}"'
    )


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


def _local_datetime(fields: DateTimeFields, text: str, type_name: str) -> datetime:
    if not 1 <= fields.year <= 9999:
        raise _outside_years(type_name, text, fields.year, _PG_MAX_TIMESTAMP_YEAR)
    try:
        midnight = datetime(fields.year, fields.month, fields.day)
        return midnight + timedelta(microseconds=fields.time.total_usec())
    except OverflowError:
        raise _outside_years(type_name, text, fields.year, _PG_MAX_TIMESTAMP_YEAR) from None


def _trimmed_seconds(iso: str, microsecond: int, end: int) -> str:
    """Cut isoformat text at the seconds (end) or drop trailing zeros of its fraction."""
    return iso[: end + 7].rstrip("0") if microsecond else iso[:end]


# -- the DateStyles other than ISO (EncodeDateOnly, EncodeDateTime) ---------------------------

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MAX_ZONE_NAME_LEN = 10  # MAXTZLEN: a longer zone abbreviation is cut


def _styled_date(value: date, style: TextStyle) -> str:
    """A date in a DateStyle other than ISO (SQL, German, Postgres; day first only for DMY)."""
    day, month, year = f"{value.day:02d}", f"{value.month:02d}", f"{value.year:04d}"
    if style.date_format == GERMAN:
        return f"{day}.{month}.{year}"
    separator = "/" if style.date_format == SQL else "-"
    first, second = (day, month) if style.date_order == DMY else (month, day)
    return f"{first}{separator}{second}{separator}{year}"


def _styled_datetime(value: datetime, style: TextStyle, zone_name: str | None) -> str:
    """A timestamp (zone_name None) or a timestamptz's wall clock and zone abbreviation in a
    DateStyle other than ISO."""
    clock = _trimmed_seconds(value.time().isoformat(), value.microsecond, 8)
    if style.date_format == POSTGRES:
        month = _MONTHS[value.month - 1]
        day_month = f"{value.day:02d} {month}" if style.date_order == DMY else f"{month} {value.day:02d}"
        text = f"{_WEEKDAYS[value.weekday()]} {day_month} {clock} {value.year:04d}"
    else:
        text = f"{_styled_date(value, style)} {clock}"
    return text if zone_name is None else f"{text} {zone_name[:_MAX_ZONE_NAME_LEN]}"


# -- date -------------------------------------------------------------------------------------


def _date_text_out(value: date, tz: tzinfo, style: TextStyle = DEFAULT_STYLE) -> bytes:
    if value is INFINITY:
        return b"infinity"
    if value is NEG_INFINITY:
        return b"-infinity"
    if style.date_format == ISO:
        return value.isoformat().encode()
    return _styled_date(value, style).encode()


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


def _date_text_in(data: bytes, tz: tzinfo, order: str = MDY) -> date | DateTimeInfinity:
    canonical = _canonical_iso(data)
    if canonical is not None:
        return canonical[0].date()
    text = decode_utf8(data)
    fields = _parse(text, "date", tz, order)
    if fields.special is not None:
        return _special(fields, _UNIX_EPOCH.date())
    if not 1 <= fields.year <= 9999:
        raise _outside_years("date", text, fields.year, _PG_MAX_DATE_YEAR)
    return date(fields.year, fields.month, fields.day)


def _date_binary_out(value: date) -> bytes:
    if value is INFINITY:
        return _INT32.pack(_DATE_POS_INF)
    if value is NEG_INFINITY:
        return _INT32.pack(_DATE_NEG_INF)
    return _INT32.pack(value.toordinal() - POSTGRES_EPOCH_ORDINAL)


def _date_binary_in(data: bytes) -> date | DateTimeInfinity:
    if len(data) != 4:
        raise bad_binary(f"date must be 4 bytes, got {len(data)}")
    days = _INT32.unpack(data)[0]
    if days == _DATE_POS_INF:
        return INFINITY
    if days == _DATE_NEG_INF:
        return NEG_INFINITY
    try:
        return date.fromordinal(days + POSTGRES_EPOCH_ORDINAL)
    except (ValueError, OverflowError):
        raise unrepresentable("date values outside years 1 to 9999 (BC included) are not supported") from None


# -- timestamp --------------------------------------------------------------------------------


def _timestamp_text_out(value: datetime, tz: tzinfo, style: TextStyle = DEFAULT_STYLE) -> bytes:
    if value is INFINITY:
        return b"infinity"
    if value is NEG_INFINITY:
        return b"-infinity"
    if style.date_format == ISO:
        return _trimmed_seconds(value.isoformat(" "), value.microsecond, 19).encode()
    return _styled_datetime(value, style, None).encode()


def _timestamp_text_in(data: bytes, tz: tzinfo, order: str = MDY) -> datetime | DateTimeInfinity:
    canonical = _canonical_iso(data)
    if canonical is not None:
        return canonical[0]  # a zone in timestamp input is ignored
    text = decode_utf8(data)
    fields = _parse(text, "timestamp", tz, order)
    if fields.special is not None:
        return _special(fields, _UNIX_EPOCH)
    return _local_datetime(fields, text, "timestamp")


def _usec_since_2000(value: datetime) -> int:
    days = value.toordinal() - POSTGRES_EPOCH_ORDINAL
    seconds = days * 86400 + value.hour * 3600 + value.minute * 60 + value.second
    return seconds * 1_000_000 + value.microsecond


def _timestamp_binary_out(value: datetime) -> bytes:
    if value is INFINITY:
        return _INT64.pack(_TS_POS_INF)
    if value is NEG_INFINITY:
        return _INT64.pack(_TS_NEG_INF)
    return _INT64.pack(_usec_since_2000(value))


def _timestamp_usec_in(data: bytes) -> int | DateTimeInfinity:
    if len(data) != 8:
        raise bad_binary(f"timestamp must be 8 bytes, got {len(data)}")
    usec = _INT64.unpack(data)[0]
    if usec == _TS_POS_INF:
        return INFINITY
    if usec == _TS_NEG_INF:
        return NEG_INFINITY
    return int(usec)


def _from_epoch(epoch: datetime, usec: int) -> datetime:
    try:
        return epoch + timedelta(microseconds=usec)
    except OverflowError:
        raise unrepresentable(
            "timestamp values outside years 1 to 9999 (BC included) are not supported"
        ) from None


def _timestamp_binary_in(data: bytes) -> datetime | DateTimeInfinity:
    usec = _timestamp_usec_in(data)
    if isinstance(usec, DateTimeInfinity):
        return usec
    return _from_epoch(_EPOCH_2000, usec)


# -- timestamptz ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _offset_text(offset: timedelta) -> str:
    """PostgreSQL's zone offset: +HH, then :MM and :SS only when not zero."""
    return offset_text(offset.days * 86400 + offset.seconds)


def _timestamptz_text_out(value: datetime, tz: tzinfo, style: TextStyle = DEFAULT_STYLE) -> bytes:
    if value is INFINITY:
        return b"infinity"
    if value is NEG_INFINITY:
        return b"-infinity"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.tzinfo is tz:
        value = value.astimezone(UTC)  # astimezone(tz) would keep a wall time inside a DST gap as is
    try:
        local = value.astimezone(tz)
    except OverflowError:
        raise datetime_out_of_range("timestamp out of range") from None
    if style.date_format != ISO:
        return _styled_datetime(local, style, local.tzname() or "").encode()
    offset = local.utcoffset()
    assert offset is not None
    return (_trimmed_seconds(local.isoformat(" "), local.microsecond, 19) + _offset_text(offset)).encode()


def _timestamptz_text_in(data: bytes, tz: tzinfo, order: str = MDY) -> datetime | DateTimeInfinity:
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
    local = _local_datetime(fields, text, "timestamp")
    offset = fields.offset
    if offset is None and fields.zone_abbreviation is not None:
        assert fields.zone is not None
        offset = abbreviation_offset(fields.zone_abbreviation, local, fields.zone)
    try:
        if offset is None:
            return wall_clock_instant(local, fields.zone or tz)
        return (local - timedelta(seconds=offset)).replace(tzinfo=UTC)
    except OverflowError:
        raise _outside_years("timestamp", text, fields.year, _PG_MAX_TIMESTAMP_YEAR) from None


def _timestamptz_binary_out(value: datetime) -> bytes:
    if value is INFINITY:
        return _INT64.pack(_TS_POS_INF)
    if value is NEG_INFINITY:
        return _INT64.pack(_TS_NEG_INF)
    usec = _usec_since_2000(value)
    offset = value.utcoffset()
    if offset:
        usec -= (offset.days * 86400 + offset.seconds) * 1_000_000 + offset.microseconds
    return _INT64.pack(usec)


def _timestamptz_binary_in(data: bytes) -> datetime | DateTimeInfinity:
    usec = _timestamp_usec_in(data)
    if isinstance(usec, DateTimeInfinity):
        return usec
    return _from_epoch(_EPOCH_2000_UTC, usec)


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
