"""Codecs for time and timetz (time with time zone), and the time 24:00:00.

Value model: time -> datetime.time (naive); timetz -> datetime.time whose tzinfo is a fixed
`datetime.timezone` (the offset the value carries, east of UTC, as Python counts it). PostgreSQL
accepts 24:00:00 for both, which datetime.time cannot hold: that value is an `EndOfDay` (naive
`END_OF_DAY` for time, with its zone for timetz), ordered after every time of day; `usec_of` and
`time_of_usec` convert either kind to and from microseconds since midnight.

Text: `03:04:05.5`, timetz with its offset as timestamptz writes one, `03:04:05.5+05:30`,
`00:00:00-04:56:02`; the same in every DateStyle (EncodeTimeOnly). Input is datetime_parse's
DecodeTimeOnly; a timetz without a zone takes the session zone's offset on the date given, else
today (DetermineTimeZoneOffset), a named zone with daylight saving time needs a date.
Binary: time i64 µs since midnight; timetz that and an i32 offset in seconds WEST of UTC.
Ordering of timetz (timetz_cmp): by the UTC time (time plus the offset west, not wrapped at
midnight), then by the offset west; equal only with the same offset.
"""

from __future__ import annotations

import functools
import struct
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import partial

from heliosdb_lite.errors import INVALID_TIME_ZONE_DISPLACEMENT_VALUE, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.datetime_lexer import DateTimeParseError, raise_parse_error
from heliosdb_lite.protocol.codecs.datetime_parse import DateTimeFields, decode_time_only
from heliosdb_lite.protocol.codecs.faults import bad_binary, decode_utf8, out_of_range
from heliosdb_lite.protocol.codecs.styles import MDY, TextStyle
from heliosdb_lite.protocol.codecs.time_zones import abbreviation_offset, zone_offset_seconds

USECS_PER_DAY = 86_400_000_000
TZDISP_LIMIT = 16 * 3600  # |offset| below 16 hours (MAX_TZDISP_HOUR + 1)
_INT64 = struct.Struct(">q")
_TIMETZ = struct.Struct(">qi")


@functools.total_ordering
class EndOfDay:
    """The time 24:00:00, naive (time) or with a fixed zone (timetz); datetime.time stops at
    23:59:59.999999. Reads like a time: hour 24, minute, second and microsecond 0, utcoffset."""

    __slots__ = ("tzinfo",)
    hour, minute, second, microsecond = 24, 0, 0, 0

    def __init__(self, zone: tzinfo | None = None) -> None:
        self.tzinfo = zone

    def utcoffset(self) -> timedelta | None:
        return None if self.tzinfo is None else self.tzinfo.utcoffset(None)

    def replace(self, *, tzinfo: tzinfo | None) -> EndOfDay:
        return EndOfDay(tzinfo)

    def __repr__(self) -> str:
        return "END_OF_DAY" if self.tzinfo is None else f"EndOfDay({self.tzinfo!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EndOfDay) and self.utcoffset() == other.utcoffset()

    def __hash__(self) -> int:
        return hash(("EndOfDay", self.utcoffset()))

    def __lt__(self, other: object) -> bool:
        if isinstance(other, EndOfDay | time):
            return False
        return NotImplemented


END_OF_DAY = EndOfDay()
TimeValue = time | EndOfDay


def usec_of(value: TimeValue) -> int:
    """Microseconds since midnight of a time or timetz value (its zone aside)."""
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def time_of_usec(usec: int, zone: tzinfo | None = None) -> TimeValue:
    """The time (zone None) or timetz of microseconds since midnight, 0 to USECS_PER_DAY."""
    if usec == USECS_PER_DAY:
        return EndOfDay(zone)
    seconds, micro = divmod(usec, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro, tzinfo=zone)


@functools.lru_cache(maxsize=256)
def fixed_zone(east: int) -> timezone:
    """The tzinfo of a timetz offset, seconds east of UTC."""
    return timezone(timedelta(seconds=east))


def offset_east(value: TimeValue | datetime) -> int:
    """A timetz value's offset (or an aware datetime's), seconds east of UTC."""
    offset = value.utcoffset()
    assert offset is not None, "a timetz value carries its offset"
    return offset.days * 86400 + offset.seconds


def sort_key(value: TimeValue) -> tuple[int, int]:
    """timetz_cmp's order: the UTC time unwrapped, then the offset west."""
    west = -offset_east(value)
    return usec_of(value) + west * 1_000_000, west


def offset_text(east: int) -> str:
    """PostgreSQL's zone offset (EncodeTimezone): +HH, then :MM and :SS only when not zero."""
    hours, rest = divmod(abs(east), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{'-' if east < 0 else '+'}{hours:02d}"
    if minutes or seconds:
        text += f":{minutes:02d}"
    if seconds:
        text += f":{seconds:02d}"
    return text


def _clock_text(value: TimeValue) -> str:
    usec = usec_of(value)
    seconds, micro = divmod(usec, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    text = f"{hour:02d}:{minute:02d}:{second:02d}"
    return f"{text}.{micro:06d}".rstrip("0") if micro else text


def _fields(data: bytes, tz: tzinfo, order: str, type_name: str) -> tuple[str, DateTimeFields]:
    text = decode_utf8(data)
    try:
        return text, decode_time_only(text, tz, order)
    except DateTimeParseError as error:
        raise raise_parse_error(error, text, type_name) from None


# -- time -------------------------------------------------------------------------------------


def _time_text_out(value: TimeValue, tz: tzinfo) -> bytes:
    return _clock_text(value).encode()


def _time_text_in(data: bytes, tz: tzinfo, order: str = MDY) -> TimeValue:
    _, fields = _fields(data, tz, order, "time")
    return time_of_usec(fields.time.total_usec())


def _time_binary_out(value: TimeValue) -> bytes:
    return _INT64.pack(usec_of(value))


def _time_binary_in(data: bytes) -> TimeValue:
    if len(data) != 8:
        raise bad_binary(f"time must be 8 bytes, got {len(data)}")
    usec = _INT64.unpack(data)[0]
    if not 0 <= usec <= USECS_PER_DAY:
        raise out_of_range("time out of range")
    return time_of_usec(usec)


# -- timetz -----------------------------------------------------------------------------------


def _timetz_text_out(value: TimeValue, tz: tzinfo) -> bytes:
    return (_clock_text(value) + offset_text(offset_east(value))).encode()


def _wall_clock(usec: int, zone: tzinfo, day: date | None) -> datetime:
    """A time of day on `day` (today in zone if None) as a wall-clock datetime (24:00:00 as the
    day's last microsecond)."""
    if day is None:
        day = datetime.now(zone).date()
    return datetime.combine(day, time()) + timedelta(microseconds=min(usec, USECS_PER_DAY - 1))


def local_offset(usec: int, zone: tzinfo, day: date | None = None) -> int:
    """DetermineTimeZoneOffset of a time of day in zone on `day` (today there if None): the offset
    a timetz takes from a zone without one given, seconds east."""
    return zone_offset_seconds(_wall_clock(usec, zone, day), zone)


def _input_offset(fields: DateTimeFields, tz: tzinfo, usec: int) -> int:
    """DecodeTimeOnly's zone: the offset given, else the named zone's or the session zone's on
    the date given or today (a dynamic abbreviation's as DetermineTimeZoneAbbrevOffset)."""
    if fields.offset is not None:
        return fields.offset
    zone = fields.zone or tz
    day = date(fields.year, fields.month, fields.day) if fields.has_date else None
    if fields.zone_abbreviation is not None:
        return abbreviation_offset(fields.zone_abbreviation, _wall_clock(usec, zone, day), zone)
    return local_offset(usec, zone, day)


def _timetz_text_in(data: bytes, tz: tzinfo, order: str = MDY) -> TimeValue:
    _, fields = _fields(data, tz, order, "time with time zone")
    usec = fields.time.total_usec()
    return time_of_usec(usec, fixed_zone(_input_offset(fields, tz, usec)))


def _timetz_binary_out(value: TimeValue) -> bytes:
    return _TIMETZ.pack(usec_of(value), -offset_east(value))


def _timetz_binary_in(data: bytes) -> TimeValue:
    if len(data) != 12:
        raise bad_binary(f"time with time zone must be 12 bytes, got {len(data)}")
    usec, west = _TIMETZ.unpack(data)
    if not 0 <= usec <= USECS_PER_DAY:
        raise out_of_range("time out of range")
    if not -TZDISP_LIMIT < west < TZDISP_LIMIT:
        raise DatabaseError(INVALID_TIME_ZONE_DISPLACEMENT_VALUE, "time zone displacement out of range")
    return time_of_usec(usec, fixed_zone(-west))


def with_zone(value: TimeValue, east: int) -> TimeValue:
    """A time (or timetz's clock) with the offset `east`: a timetz value."""
    return value.replace(tzinfo=fixed_zone(east))


def styled_codecs(style: TextStyle) -> dict[int, Codec]:
    """The codecs of time and timetz reading dates in a DateStyle's order (output is the same)."""
    order = style.date_order
    return {
        oids.TIME: Codec(_time_text_out, partial(_time_text_in, order=order), _time_binary_out,
                         _time_binary_in),
        oids.TIMETZ: Codec(_timetz_text_out, partial(_timetz_text_in, order=order), _timetz_binary_out,
                           _timetz_binary_in),
    }


CODECS: dict[int, Codec] = {
    oids.TIME: Codec(_time_text_out, _time_text_in, _time_binary_out, _time_binary_in),
    oids.TIMETZ: Codec(_timetz_text_out, _timetz_text_in, _timetz_binary_out, _timetz_binary_in),
}
