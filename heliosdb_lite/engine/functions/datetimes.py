"""EXTRACT/date_part, date_trunc and age over codec-model date, time, timetz, timestamp[tz] and interval
values.

EXTRACT returns numeric as PostgreSQL 15 does (seconds and epoch with six decimals); timestamptz
fields are taken in the session time zone; values outside years 1..9999 too (`_extract_far`). age
subtracts field by field and borrows as PostgreSQL's timestamp_age does. time_series steps
generate_series over time stamps.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from heliosdb_lite.engine.functions.operators import add_interval
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.engine.types.value_order import interval_key
from heliosdb_lite.errors import (
    DATETIME_VALUE_OUT_OF_RANGE,
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER_VALUE,
    DatabaseError,
)
from heliosdb_lite.protocol.codecs import DateTimeInfinity, Interval, far_dates, times
from heliosdb_lite.protocol.codecs.datetime_parse import days_in_month
from heliosdb_lite.protocol.codecs.far_dates import FarDate, FarTimestamp
from heliosdb_lite.protocol.codecs.time_zones import wall_clock_instant

_EPOCH = dt.datetime(1970, 1, 1)
_MICRO = Decimal("0.000001")


def _seconds(moment: dt.datetime | dt.time) -> Decimal:
    return (Decimal(moment.second * 1_000_000 + moment.microsecond) * _MICRO).quantize(_MICRO)


def _epoch(moment: dt.datetime) -> Decimal:
    naive = moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
    micros = (naive - _EPOCH) // dt.timedelta(microseconds=1)
    return (Decimal(micros) * _MICRO).quantize(_MICRO)


def extract(field: str, value: Any, oid: int, tz: dt.tzinfo) -> Decimal | None:
    """EXTRACT(field FROM value) for a value of type oid."""
    if value is None:
        return None
    field = field.lower()
    if oid == t.INTERVAL:
        return _extract_interval(field, value)
    if oid in (t.TIME, t.TIMETZ):
        return _extract_time(field, value, oid)
    if oid == t.DATE:
        if field in ("hour", "minute", "second", "microseconds", "milliseconds"):
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f'unit "{field}" not supported for type date')
        if isinstance(value, FarDate):
            wall = value.days * far_dates.USECS_PER_DAY
            return _extract_far(field, wall, wall).to_integral_value()
        result = _extract_timestamp(field, dt.datetime.combine(value, dt.time()))
        return result.to_integral_value() if field == "epoch" else result
    if isinstance(value, FarTimestamp) or (oid == t.TIMESTAMPTZ and _far_wall_clock(value, tz)):
        usec = far_dates.usec_of(value)
        return _extract_far(field, far_dates.local_usec(usec, tz) if oid == t.TIMESTAMPTZ else usec, usec)
    if oid == t.TIMESTAMPTZ:
        if field == "epoch":
            return _epoch(value)
        return _extract_timestamp(field, value.astimezone(tz).replace(tzinfo=None))
    if oid == t.TIMESTAMP:
        return _extract_timestamp(field, value)
    raise DatabaseError(INVALID_PARAMETER_VALUE, f"cannot extract {field} from type {t.type_name(oid)}")


def _extract_timestamp(field: str, moment: dt.datetime) -> Decimal:
    simple = {
        "year": moment.year, "month": moment.month, "day": moment.day, "hour": moment.hour,
        "minute": moment.minute, "dow": moment.isoweekday() % 7, "isodow": moment.isoweekday(),
        "doy": moment.timetuple().tm_yday, "quarter": (moment.month - 1) // 3 + 1,
        "week": moment.isocalendar().week, "isoyear": moment.isocalendar().year,
        "decade": moment.year // 10, "century": (moment.year + 99) // 100,
        "millennium": (moment.year + 999) // 1000,
    }
    if field in simple:
        return Decimal(simple[field])
    if field == "second":
        return _seconds(moment)
    if field == "milliseconds":
        return (_seconds(moment) * 1000).quantize(Decimal("0.001"))
    if field == "microseconds":
        return Decimal(moment.second * 1_000_000 + moment.microsecond)
    if field == "epoch":
        return _epoch(moment)
    raise DatabaseError(INVALID_PARAMETER_VALUE, f'unit "{field}" not recognized for type timestamp')


def _far_wall_clock(value: dt.datetime, tz: dt.tzinfo) -> bool:
    """Whether a timestamptz in years 1..9999 shows outside them on tz's wall clock."""
    try:
        value.astimezone(tz)
    except OverflowError:
        return True
    return False


_FAR_YEAR_FIELDS = frozenset({"year", "decade", "century", "millennium", "isoyear", "epoch"})
_UNIX_EPOCH_USEC = far_dates.days_from_fields(1970, 1, 1) * far_dates.USECS_PER_DAY


def _extract_far(field: str, wall: int, instant: int) -> Decimal:
    """EXTRACT from a wall clock outside years 1..9999 (µs since 2000), `instant` the µs of the
    epoch field: the fields of the day and time from the same moment of the 400-year cycle moved
    into datetime's years, the fields of the year (BC years negative, as timestamp_part) from the
    year itself."""
    if field not in _FAR_YEAR_FIELDS:
        return _extract_timestamp(field, far_dates.cycle_moment(wall))
    if field == "epoch":
        return (Decimal(instant - _UNIX_EPOCH_USEC) * _MICRO).quantize(_MICRO)
    year = far_dates.fields_of_days(wall // far_dates.USECS_PER_DAY)[0]
    if field == "isoyear":
        moment = far_dates.cycle_moment(wall)
        year = moment.isocalendar().year + (year - moment.year)
        return Decimal(year if year > 0 else year - 1)
    if year > 0:
        return Decimal({"year": year, "decade": year // 10, "century": (year + 99) // 100,
                        "millennium": (year + 999) // 1000}[field])
    before = 1 - year  # the BC year
    return Decimal({"year": -before, "decade": -((8 + before) // 10), "century": -((99 + before) // 100),
                    "millennium": -((999 + before) // 1000)}[field])


def _extract_time(field: str, moment: Any, oid: int) -> Decimal:
    """time_part_common and timetz_part: a time's fields, a timetz's zone too (seconds east; its
    epoch is the UTC time)."""
    east = times.offset_east(moment) if oid == t.TIMETZ else 0
    if field == "hour":
        return Decimal(moment.hour)
    if field == "minute":
        return Decimal(moment.minute)
    if field == "second":
        return _seconds(moment)
    if field == "milliseconds":
        return (_seconds(moment) * 1000).quantize(Decimal("0.001"))
    if field == "microseconds":
        return Decimal(moment.second * 1_000_000 + moment.microsecond)
    if field == "epoch":
        return (Decimal(times.usec_of(moment) - east * 1_000_000) * _MICRO).quantize(_MICRO)
    if oid == t.TIMETZ and field in _ZONE_FIELDS:
        return Decimal(_ZONE_FIELDS[field](east))
    type_name = format_type(oid, -1)
    if field in _DATE_UNITS or field in _ZONE_FIELDS:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f'unit "{field}" not supported for type {type_name}')
    raise DatabaseError(INVALID_PARAMETER_VALUE, f'unit "{field}" not recognized for type {type_name}')


# timetz_part's zone fields of an offset east (minutes and hours truncated toward zero, as C divides)
_ZONE_FIELDS = {"timezone": lambda east: east, "timezone_hour": lambda east: int(east / 3600),
                "timezone_minute": lambda east: int(east / 60) - int(east / 3600) * 60}
_DATE_UNITS = frozenset({"day", "month", "year", "quarter", "decade", "century", "millennium", "week",
                         "dow", "isodow", "doy", "isoyear", "julian"})


def _extract_interval(field: str, interval: Any) -> Decimal:
    micros = interval.microseconds
    if field == "epoch":
        days = Decimal(interval.months) * 30 + interval.days
        seconds = days * 86400 + Decimal(micros) * _MICRO
        return seconds.quantize(_MICRO)
    sign = -1 if micros < 0 else 1
    hours, rest = divmod(abs(micros), 3_600_000_000)
    simple = {"year": int(interval.months / 12), "month": interval.months - int(interval.months / 12) * 12,
              "day": interval.days, "hour": sign * hours, "minute": sign * (rest // 60_000_000)}
    if field in simple:
        return Decimal(simple[field])
    if field == "second":
        return (sign * Decimal(rest % 60_000_000) * _MICRO).quantize(_MICRO)
    raise DatabaseError(INVALID_PARAMETER_VALUE, f'unit "{field}" not recognized for type interval')


_TRUNC_ORDER = ("microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month", "quarter",
                "year", "decade", "century", "millennium")


def _truncate(moment: dt.datetime, unit: str) -> dt.datetime:
    if unit == "microseconds":
        return moment
    if unit == "milliseconds":
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    moment = moment.replace(microsecond=0)
    if unit == "second":
        return moment
    moment = moment.replace(second=0)
    if unit == "minute":
        return moment
    moment = moment.replace(minute=0)
    if unit == "hour":
        return moment
    moment = moment.replace(hour=0)
    if unit == "day":
        return moment
    if unit == "week":
        return moment - dt.timedelta(days=moment.weekday())
    if unit == "month":
        return moment.replace(day=1)
    if unit == "quarter":
        return moment.replace(day=1, month=(moment.month - 1) // 3 * 3 + 1)
    moment = moment.replace(day=1, month=1)
    years = {"year": 1, "decade": 10, "century": 100, "millennium": 1000}[unit]
    if years == 1:
        return moment
    if unit == "decade":
        return moment.replace(year=moment.year // 10 * 10)
    return moment.replace(year=(moment.year - 1) // years * years + 1)


_RELOCALIZED_UNITS = frozenset(_TRUNC_ORDER[_TRUNC_ORDER.index("day"):])


def date_trunc(unit: str, value: Any, oid: int, tz: dt.tzinfo) -> Any:
    """date_trunc(unit, value) as PostgreSQL's timestamptz_trunc: a timestamptz (a date is one, at
    its midnight) is truncated on the session time zone's wall clock and keeps its offset, unless
    the unit is a day or longer: then the truncated wall-clock time is localized again. Outside
    years 1..9999 (the value or the result) on integers (`_truncate_wall`). ±infinity stays as it
    is."""
    if value is None:
        return None
    unit = unit.lower()
    if unit not in _TRUNC_ORDER:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f'unit "{unit}" not recognized for type {t.type_name(oid)}')
    if isinstance(value, DateTimeInfinity):
        return value
    if oid not in (t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"date_trunc on type {t.type_name(oid)} is not supported")
    if not isinstance(value, FarDate | FarTimestamp):
        try:
            return _truncate_near(unit, value, oid, tz)
        except (OverflowError, ValueError):  # the result is outside years 1..9999
            pass
    if oid == t.TIMESTAMP:
        return far_dates.timestamp_of_usec(_truncate_wall(far_dates.usec_of(value), unit), False)
    if oid == t.DATE:
        instant = far_dates.wall_clock_usec(far_dates.days_of(value) * far_dates.USECS_PER_DAY, tz)
    else:
        instant = far_dates.usec_of(value)
    local = far_dates.local_usec(instant, tz)
    truncated = _truncate_wall(local, unit)
    if unit in _RELOCALIZED_UNITS:
        return far_dates.timestamp_of_usec(far_dates.wall_clock_usec(truncated, tz), True)
    return far_dates.timestamp_of_usec(truncated - (local - instant), True)


def _truncate_near(unit: str, value: Any, oid: int, tz: dt.tzinfo) -> dt.datetime:
    """date_trunc in years 1..9999; OverflowError or ValueError when the result leaves them."""
    if oid == t.TIMESTAMP:
        return _truncate(value, unit)
    if oid == t.DATE:
        value = wall_clock_instant(dt.datetime.combine(value, dt.time()), tz)
    local = value.astimezone(tz)
    truncated = _truncate(local.replace(tzinfo=None), unit)
    if unit in _RELOCALIZED_UNITS:
        return wall_clock_instant(truncated, tz)
    offset = local.utcoffset()
    assert offset is not None
    return (truncated - offset).replace(tzinfo=dt.UTC)


_SUB_DAY_UNITS = {"microseconds": 1, "milliseconds": 1000, "second": 1_000_000, "minute": 60_000_000,
                  "hour": 3_600_000_000, "day": far_dates.USECS_PER_DAY}


def _truncate_wall(wall: int, unit: str) -> int:
    """timestamp_trunc on a wall clock as µs since 2000 (any year; BC decades, centuries and
    millennia as PostgreSQL counts them); 22008 when the result is before 4714-11-24 BC."""
    if unit in _SUB_DAY_UNITS:
        return wall - wall % _SUB_DAY_UNITS[unit]
    days = wall // far_dates.USECS_PER_DAY
    if unit == "week":
        return (days - far_dates.weekday(days)) * far_dates.USECS_PER_DAY
    year, month, day = far_dates.fields_of_days(days)
    if unit == "month":
        day = 1
    elif unit == "quarter":
        month, day = (month - 1) // 3 * 3 + 1, 1
    else:
        year, month, day = _truncated_year(year, unit), 1, 1
    if not far_dates.valid_julian(year, month, day):
        raise DatabaseError(DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range")
    return far_dates.days_from_fields(year, month, day) * far_dates.USECS_PER_DAY


def _truncated_year(year: int, unit: str) -> int:
    """The (astronomical) first year of the decade, century or millennium of year, as
    timestamp_trunc counts them (a BC century ends with the year 1 BC)."""
    if unit == "year":
        return year
    if unit == "decade":
        return year // 10 * 10 if year > 0 else -((8 - (year - 1)) // 10) * 10
    span = 100 if unit == "century" else 1000
    if year > 0:
        return (year + span - 1) // span * span - span + 1
    return -((span - 1 - (year - 1)) // span) * span + 1


def age(first: Any, second: Any, oid: int, tz: dt.tzinfo) -> Interval | None:
    """age(first, second) of two timestamps (oid TIMESTAMP) or timestamptz values (compared on the
    session time zone's wall clock, their offsets ignored, as PostgreSQL does), in or outside years
    1..9999: the field-by-field difference, a negative field borrowing from the next larger one,
    days borrowing the length of the earlier instant's month; negative when first is the earlier
    instant."""
    if first is None or second is None:
        return None
    first_usec, second_usec = far_dates.usec_of(first), far_dates.usec_of(second)
    first_is_earlier = first_usec < second_usec
    if oid == t.TIMESTAMPTZ:
        first_usec, second_usec = far_dates.local_usec(first_usec, tz), far_dates.local_usec(second_usec, tz)
    first_fields, second_fields = _clock_fields(first_usec), _clock_fields(second_usec)
    earlier = first_fields if first_is_earlier else second_fields
    sign = -1 if first_is_earlier else 1
    years, months, days, hours, minutes, seconds, micros = (
        sign * (one - other) for one, other in zip(first_fields, second_fields, strict=True))
    seconds, micros = seconds + micros // 1_000_000, micros % 1_000_000
    minutes, seconds = minutes + seconds // 60, seconds % 60
    hours, minutes = hours + minutes // 60, minutes % 60
    days, hours = days + hours // 24, hours % 24
    month_length = days_in_month(earlier[0], earlier[1])
    while days < 0:
        days += month_length
        months -= 1
    years, months = years + months // 12, months % 12
    time = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + micros
    return Interval(sign * (years * 12 + months), sign * days, sign * time)


def _clock_fields(wall: int) -> tuple[int, int, int, int, int, int, int]:
    """(year, month, day, hour, minute, second, microsecond) of a wall clock as µs since 2000."""
    clock = far_dates.clock_of_usec(wall)
    year, month, day = far_dates.fields_of_days(wall // far_dates.USECS_PER_DAY)
    return year, month, day, clock.hour, clock.minute, clock.second, clock.microsecond


def time_series(start: Any, stop: Any, step: Interval | None, tz: dt.tzinfo) -> Iterator[Any]:
    """generate_series(start, stop, step) over timestamps or (aware) timestamptz values, in or
    outside years 1..9999, each value the previous one + step as PostgreSQL adds an interval across
    DST changes; 22023 for a zero step."""
    if start is None or stop is None or step is None:
        return
    direction = interval_key(step)
    if direction == 0:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "step size cannot equal zero")
    value, end = start, _series_key(stop)
    while (_series_key(value) <= end) if direction > 0 else (_series_key(value) >= end):
        yield value
        value = add_interval(value, step, tz)


def _series_key(value: Any) -> int | float:
    """A time stamp as µs since 2000 (UTC for timestamptz), ±infinity as ±inf."""
    return math.inf * value.sign if isinstance(value, DateTimeInfinity) else far_dates.usec_of(value)
