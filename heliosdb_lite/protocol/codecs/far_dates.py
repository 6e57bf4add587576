"""Dates and time stamps outside the years 1 to 9999 that Python's date and datetime hold.

PostgreSQL's date runs from 4714-11-24 BC to 5874897-12-31, its timestamp and timestamptz from
4714-11-24 00:00 BC to 294276-12-31 23:59:59.999999 (UTC for timestamptz). A value in years 1..9999
is a datetime.date / datetime.datetime, as everywhere else; a value outside them is a `FarDate`
(days since 2000-01-01, PostgreSQL's DateADT) or a `FarTimestamp` (µs since 2000-01-01 00:00,
UTC for timestamptz, PostgreSQL's Timestamp), never both for one value: `date_of_days` and
`timestamp_of_usec` choose, and refuse what lies beyond PostgreSQL's limits (22008 "date out of
range" / "timestamp out of range"). Years are astronomical (1 BC is 0); the calendar is
PostgreSQL's proleptic Gregorian date2j/j2date.

The operations that support such values compute on these integers (`days_of`, `usec_of`); a time
zone's offset at a far instant is the offset at the same moment of the 400-year Gregorian cycle
moved into the years datetime holds (the calendar and the weekdays repeat every 400 years: the
zone's rule for the future, its local mean time before its first transition). Any other
operation that meets one gets 0A000 from the value itself (`_refused`), never a wrong answer.

Stored form (value_storage): a text that sorts with the stored texts of in-range values and of
±infinity: `:` and the year in 7 digits after year 9999 (`:0010000-01-01`), `/` and the year plus
5000 in 4 digits before year 1 (`/4000-01-01` is 1001 BC); time stamps add
` HH:MM:SS.ffffff` (UTC for timestamptz).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, NoReturn

from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError
from heliosdb_lite.protocol.codecs.datetime_parse import date2j, days_in_month, j2date
from heliosdb_lite.protocol.codecs.faults import datetime_out_of_range
from heliosdb_lite.protocol.codecs.time_zones import zone_offset_seconds

USECS_PER_DAY = 86_400_000_000
POSTGRES_EPOCH_JDATE = 2451545  # 2000-01-01
_EPOCH_ORDINAL = date(2000, 1, 1).toordinal()
MIN_DAYS = -POSTGRES_EPOCH_JDATE  # 4714-11-24 BC, Julian day 0
DATE_END_DAYS = 2147483494 - POSTGRES_EPOCH_JDATE  # 5874898-01-01
TIMESTAMP_MIN_USEC = MIN_DAYS * USECS_PER_DAY
TIMESTAMP_END_USEC = (109203528 - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY  # 294277-01-01
_FIRST_DAYS = date(1, 1, 1).toordinal() - _EPOCH_ORDINAL
_END_DAYS = date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL + 1
_CYCLE_DAYS = 146097  # 400 Gregorian years
# far instants are moved by whole cycles into these days before a zone is asked (a day away from
# the ends, so that the zone's offset cannot take the wall clock out of datetime's years)
_SAFE_FIRST_DAYS = date(2, 1, 1).toordinal() - _EPOCH_ORDINAL
_SAFE_END_DAYS = date(9998, 12, 31).toordinal() - _EPOCH_ORDINAL
_EPOCH = datetime(2000, 1, 1)
FUTURE_PREFIX, PAST_PREFIX = ":", "/"
_PAST_YEAR_BIAS = 5000
FAR_PREFIXES = frozenset((FUTURE_PREFIX, PAST_PREFIX))


def _refused(*_: Any) -> NoReturn:
    """0A000 from the value itself: an operation that computes with datetime only met it."""
    raise DatabaseError(FEATURE_NOT_SUPPORTED,
                        "this operation does not support dates and time stamps outside years 1 to 9999")


class _Far:
    """What FarDate and FarTimestamp share: any use but theirs is 0A000."""

    __slots__ = ()

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("__"):  # copy, pickle and the like ask for optional protocols
            raise AttributeError(name)
        _refused()

    __add__ = __radd__ = __sub__ = __rsub__ = __lt__ = __le__ = __gt__ = __ge__ = _refused


@dataclass(frozen=True, slots=True, eq=True)
class FarDate(_Far):
    """A date outside years 1..9999: days since 2000-01-01."""

    days: int


@dataclass(frozen=True, slots=True, eq=True)
class FarTimestamp(_Far):
    """A timestamp (aware False) or timestamptz (aware True, UTC) outside years 1..9999: µs since
    2000-01-01 00:00."""

    usec: int
    aware: bool


FAR_TYPES = (FarDate, FarTimestamp)


# -- days and microseconds ---------------------------------------------------------------------


def days_from_fields(year: int, month: int, day: int) -> int:
    """Days since 2000-01-01 of an (astronomical) year, month and day."""
    return date2j(year, month, day) - POSTGRES_EPOCH_JDATE


def fields_of_days(days: int) -> tuple[int, int, int]:
    """(astronomical year, month, day) of days since 2000-01-01."""
    return j2date(days + POSTGRES_EPOCH_JDATE)


def weekday(days: int) -> int:
    """Monday 0 .. Sunday 6 (2000-01-01 was a Saturday)."""
    return (days + 5) % 7


def valid_julian(year: int, month: int, day: int) -> bool:
    """IS_VALID_JULIAN: on or after 4714-11-24 BC and before 5874898-01-01."""
    return (year, month, day) >= (-4713, 11, 24) and year < 5874898


def date_of_days(days: int) -> date | FarDate:
    """The date `days` after 2000-01-01: a date in years 1..9999, else a FarDate; 22008 beyond
    PostgreSQL's range."""
    if _FIRST_DAYS <= days < _END_DAYS:
        return date.fromordinal(days + _EPOCH_ORDINAL)
    if not MIN_DAYS <= days < DATE_END_DAYS:
        raise datetime_out_of_range("date out of range")
    return FarDate(days)


def days_of(value: date | FarDate) -> int:
    return value.days if isinstance(value, FarDate) else value.toordinal() - _EPOCH_ORDINAL


def timestamp_of_usec(usec: int, aware: bool) -> datetime | FarTimestamp:
    """The timestamp (aware: the timestamptz, UTC) `usec` after 2000-01-01 00:00; 22008 beyond
    PostgreSQL's range."""
    if not TIMESTAMP_MIN_USEC <= usec < TIMESTAMP_END_USEC:
        raise datetime_out_of_range("timestamp out of range")
    if _FIRST_DAYS * USECS_PER_DAY <= usec < _END_DAYS * USECS_PER_DAY:
        moment = _EPOCH + timedelta(microseconds=usec)
        return moment.replace(tzinfo=UTC) if aware else moment
    return FarTimestamp(usec, aware)


def usec_of(value: datetime | FarTimestamp) -> int:
    """µs since 2000-01-01 00:00 (of the UTC instant for an aware datetime)."""
    if isinstance(value, FarTimestamp):
        return value.usec
    offset = value.utcoffset()
    if offset is not None:
        value = value.replace(tzinfo=None) - offset
    days = value.toordinal() - _EPOCH_ORDINAL
    return ((days * 86400 + value.hour * 3600 + value.minute * 60 + value.second) * 1_000_000
            + value.microsecond)


def clock_of_usec(usec: int) -> time:
    """The time of day of µs since 2000-01-01 00:00."""
    seconds, micro = divmod(usec % USECS_PER_DAY, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def add_months(year: int, month: int, day: int, months: int) -> tuple[int, int, int]:
    """A date moved by months, its day clamped to the month's length (timestamp_pl_interval)."""
    year, month = divmod(year * 12 + month - 1 + months, 12)
    return year, month + 1, min(day, days_in_month(year, month + 1))


# -- time zones --------------------------------------------------------------------------------


def _safe(usec: int) -> int:
    """An instant or a wall clock moved by whole 400-year cycles into the years datetime holds
    (unchanged when it is in them)."""
    days = usec // USECS_PER_DAY
    cycles = 0
    if days < _SAFE_FIRST_DAYS:
        cycles = -((days - _SAFE_FIRST_DAYS) // _CYCLE_DAYS)
    elif days >= _SAFE_END_DAYS:
        cycles = -((days - _SAFE_END_DAYS) // _CYCLE_DAYS + 1)
    return usec + cycles * _CYCLE_DAYS * USECS_PER_DAY


def cycle_moment(usec: int) -> datetime:
    """The naive datetime at the same moment of the 400-year cycle as the wall clock `usec`, in
    years 2..9998: the same month, day, weekday, day of the year, ISO week and time of day."""
    return _EPOCH + timedelta(microseconds=_safe(usec))


def zone_at(usec: int, zone: tzinfo) -> tuple[int, str]:
    """(offset east in seconds, abbreviation) of zone at the UTC instant `usec`."""
    local = cycle_moment(usec).replace(tzinfo=UTC).astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    return offset.days * 86400 + offset.seconds, local.tzname() or ""


def wall_clock_usec(usec: int, zone: tzinfo) -> int:
    """The UTC instant of the wall-clock time `usec` in zone, as `time_zones.wall_clock_instant`
    resolves it."""
    return usec - zone_offset_seconds(cycle_moment(usec), zone) * 1_000_000


def local_usec(usec: int, zone: tzinfo) -> int:
    """The wall clock in zone of the UTC instant `usec`, as µs since 2000-01-01 00:00."""
    return usec + zone_at(usec, zone)[0] * 1_000_000


# -- stored form -------------------------------------------------------------------------------


def _year_key(year: int) -> str:
    if year > 9999:
        return f"{FUTURE_PREFIX}{year:07d}"
    return f"{PAST_PREFIX}{year + _PAST_YEAR_BIAS:04d}"


def storage_text(value: FarDate | FarTimestamp) -> str:
    """The stored form, which sorts like the value among every stored date or time stamp."""
    days = value.days if isinstance(value, FarDate) else value.usec // USECS_PER_DAY
    year, month, day = fields_of_days(days)
    text = f"{_year_key(year)}-{month:02d}-{day:02d}"
    if isinstance(value, FarDate):
        return text
    return f"{text} {clock_of_usec(value.usec).isoformat(timespec='microseconds')}"


def from_storage_text(text: str, aware: bool | None) -> FarDate | FarTimestamp:
    """The value of a stored form; aware None for a date."""
    year = int(text[1:text.index("-", 1)])
    if text[0] == PAST_PREFIX:
        year -= _PAST_YEAR_BIAS
    rest = text[text.index("-", 1) + 1:]
    days = days_from_fields(year, int(rest[0:2]), int(rest[3:5]))
    if aware is None:
        return FarDate(days)
    clock = time.fromisoformat(rest[6:])
    micros = ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 + clock.microsecond
    return FarTimestamp(days * USECS_PER_DAY + micros, aware)
