"""EXTRACT/date_part, date_trunc and age over codec-model date, time, timestamp[tz] and interval values.

EXTRACT returns numeric as PostgreSQL 15 does (seconds and epoch with six decimals); timestamptz
fields are taken in the session time zone. age subtracts field by field and borrows as
PostgreSQL's timestamp_age does. time_series steps generate_series over time stamps.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, INVALID_PARAMETER_VALUE, DatabaseError
from heliosdb_lite.protocol.codecs import Interval

from . import pgtypes as t
from .casts import localize
from .operators import interval_key

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
    if oid == t.TIME:
        return _extract_time(field, value)
    if oid == t.DATE:
        moment = dt.datetime.combine(value, dt.time())
        if field in ("hour", "minute", "second", "microseconds", "milliseconds"):
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f'unit "{field}" not supported for type date')
        result = _extract_timestamp(field, moment)
        return result.to_integral_value() if field == "epoch" else result
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


def _extract_time(field: str, moment: dt.time) -> Decimal:
    if field == "hour":
        return Decimal(moment.hour)
    if field == "minute":
        return Decimal(moment.minute)
    if field == "second":
        return _seconds(moment)
    if field == "epoch":
        micros = ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond
        return (Decimal(micros) * _MICRO).quantize(_MICRO)
    raise DatabaseError(INVALID_PARAMETER_VALUE, f'unit "{field}" not recognized for type time')


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


def date_trunc(unit: str, value: Any, oid: int, tz: dt.tzinfo) -> Any:
    """date_trunc(unit, value): timestamptz is truncated on the session time zone's wall clock."""
    if value is None:
        return None
    unit = unit.lower()
    if unit not in _TRUNC_ORDER:
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f'unit "{unit}" not recognized for type {t.type_name(oid)}')
    if oid == t.TIMESTAMPTZ:
        return localize(_truncate(value.astimezone(tz).replace(tzinfo=None), unit), tz)
    if oid == t.TIMESTAMP:
        return _truncate(value, unit)
    if oid == t.DATE:
        return localize(_truncate(dt.datetime.combine(value, dt.time()), unit), tz)
    raise DatabaseError(FEATURE_NOT_SUPPORTED, f"date_trunc on type {t.type_name(oid)} is not supported")


def age(first: dt.datetime | None, second: dt.datetime | None, oid: int, tz: dt.tzinfo) -> Interval | None:
    """age(first, second) of two timestamps (oid TIMESTAMP) or timestamptz values (compared on the
    session time zone's wall clock, their offsets ignored, as PostgreSQL does): the field-by-field
    difference, a negative field borrowing from the next larger one, days borrowing the length of
    the earlier value's month; negative when first is earlier."""
    if first is None or second is None:
        return None
    if oid == t.TIMESTAMPTZ:
        first = first.astimezone(tz).replace(tzinfo=None)
        second = second.astimezone(tz).replace(tzinfo=None)
    earlier = min(first, second)
    sign = -1 if first < second else 1
    years, months, days, hours, minutes, seconds, micros = (
        sign * (getattr(first, field) - getattr(second, field))
        for field in ("year", "month", "day", "hour", "minute", "second", "microsecond"))
    seconds, micros = seconds + micros // 1_000_000, micros % 1_000_000
    minutes, seconds = minutes + seconds // 60, seconds % 60
    hours, minutes = hours + minutes // 60, minutes % 60
    days, hours = days + hours // 24, hours % 24
    month_length = calendar.monthrange(earlier.year, earlier.month)[1]
    while days < 0:
        days += month_length
        months -= 1
    years, months = years + months // 12, months % 12
    time = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + micros
    return Interval(sign * (years * 12 + months), sign * days, sign * time)


def wall_clock_instant(naive: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A wall-clock time in tz as an instant, as PostgreSQL's DetermineTimeZoneOffset resolves it:
    in a spring-forward gap the offset before the change, in a fall-back overlap the one after."""
    before = naive.replace(tzinfo=tz, fold=0)
    after = naive.replace(tzinfo=tz, fold=1)
    if before.utcoffset() == after.utcoffset():
        return before
    exists = before.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) == naive
    return after if exists else before


def _step(value: dt.datetime, step: Interval, tz: dt.tzinfo) -> dt.datetime:
    """value + step: months (the day clamped to the month's length) and days on the wall clock
    (the session time zone's, for timestamptz), then the time as elapsed time."""
    aware = value.tzinfo is not None
    local = value.astimezone(tz).replace(tzinfo=None) if aware else value
    if step.months or step.days:
        months = local.year * 12 + local.month - 1 + step.months
        year, month = divmod(months, 12)
        day = min(local.day, calendar.monthrange(year, month + 1)[1]) if 1 <= year <= 9999 else local.day
        local = local.replace(year=year, month=month + 1, day=day) + dt.timedelta(days=step.days)
        value = wall_clock_instant(local, tz) if aware else local
    return (value.astimezone(dt.UTC) if aware else value) + dt.timedelta(microseconds=step.microseconds)


def time_series(start: dt.datetime | None, stop: dt.datetime | None, step: Interval | None,
                tz: dt.tzinfo) -> Iterator[dt.datetime]:
    """generate_series(start, stop, step) over timestamps or (aware) timestamptz values, each value
    the previous one + step as PostgreSQL adds an interval across DST changes; 22023 for a zero
    step. A value beyond the years datetime holds is beyond stop too: the series ends there."""
    if start is None or stop is None or step is None:
        return
    direction = interval_key(step)
    if direction == 0:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "step size cannot equal zero")
    value = start
    while (value <= stop) if direction > 0 else (value >= stop):
        yield value
        try:
            value = _step(value, step, tz)
        except (OverflowError, ValueError):
            return
