"""Date and time stamp casts and arithmetic on integers (days, and µs since 2000-01-01), as
PostgreSQL computes them: for values outside years 1..9999 (`far_dates`) and results that leave
those years, where datetime cannot. Limits as PostgreSQL's: 22008 "date out of range", "date out
of range for timestamp", "timestamp out of range". The datetime paths of `casts` and
`functions.operators` hand over to these when a value is far or a result overflows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import far_dates as far
from heliosdb_lite.protocol.codecs.faults import datetime_out_of_range

_TIMESTAMP_END_DAYS = far.TIMESTAMP_END_USEC // far.USECS_PER_DAY
_TIMESTAMP_TARGETS = frozenset({t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ, t.TIME})


def _checked(usec: int) -> int:
    if not far.TIMESTAMP_MIN_USEC <= usec < far.TIMESTAMP_END_USEC:
        raise datetime_out_of_range("timestamp out of range")
    return usec


def _date_wall(value: Any) -> int:
    """date2timestamp: a date's midnight, 22008 past the last day a timestamp holds."""
    days = far.days_of(value)
    if days >= _TIMESTAMP_END_DAYS:
        raise datetime_out_of_range("date out of range for timestamp")
    return days * far.USECS_PER_DAY


def convert(value: Any, source: int, target: int, tz: dt.tzinfo) -> Any:
    """A cast between date, timestamp, timestamptz and time (target), or None if not one of them."""
    if source == t.DATE:
        if target == t.TIMESTAMP:
            return far.timestamp_of_usec(_date_wall(value), False)
        if target == t.TIMESTAMPTZ:
            return far.timestamp_of_usec(_checked(far.wall_clock_usec(_date_wall(value), tz)), True)
        return None
    if source not in (t.TIMESTAMP, t.TIMESTAMPTZ) or target not in _TIMESTAMP_TARGETS:
        return None
    usec = far.usec_of(value)
    if source == t.TIMESTAMP and target == t.TIMESTAMPTZ:
        return far.timestamp_of_usec(_checked(far.wall_clock_usec(usec, tz)), True)
    wall = far.local_usec(usec, tz) if source == t.TIMESTAMPTZ else usec
    if target == t.TIMESTAMP:
        return far.timestamp_of_usec(_checked(wall), False)
    if target == t.DATE:
        return far.date_of_days(wall // far.USECS_PER_DAY)
    return far.clock_of_usec(wall)


def add_days(value: Any, days: int) -> Any:
    """date ± integer (date_pli, date_mii)."""
    return far.date_of_days(far.days_of(value) + days)


def date_plus_micros(value: Any, micros: int, *, aware: bool) -> Any:
    """date + time (date_pl_time: a timestamp) or date + timetz (micros the UTC clock:
    datetimetz_timestamptz)."""
    return far.timestamp_of_usec(_checked(_date_wall(value) + micros), aware)


def add_interval(value: Any, oid: int, interval: Any, tz: dt.tzinfo, sign: int = 1) -> Any:
    """timestamp[tz] ± interval (timestamp_pl_interval, timestamptz_pl_interval): the months on the
    wall clock, the day clamped to the month's length; then the days on the wall clock; then the
    time part as elapsed time. A date is its midnight's timestamp."""
    aware = oid == t.TIMESTAMPTZ
    usec = _date_wall(value) if oid == t.DATE else far.usec_of(value)
    if interval.months:
        wall = far.local_usec(usec, tz) if aware else usec
        days, clock = divmod(wall, far.USECS_PER_DAY)
        year, month, day = far.add_months(*far.fields_of_days(days), sign * interval.months)
        if not far.valid_julian(year, month, day):
            raise datetime_out_of_range("timestamp out of range")
        usec = _from_wall(far.days_from_fields(year, month, day) * far.USECS_PER_DAY + clock, aware, tz)
    if interval.days:
        wall = far.local_usec(usec, tz) if aware else usec
        usec = _from_wall(wall + sign * interval.days * far.USECS_PER_DAY, aware, tz)
    return far.timestamp_of_usec(_checked(usec + sign * interval.microseconds), aware)


def _from_wall(wall: int, aware: bool, tz: dt.tzinfo) -> int:
    return _checked(far.wall_clock_usec(_checked(wall), tz) if aware else wall)


def interval_between(later: Any, earlier: Any) -> Any:
    """timestamp[tz] - timestamp[tz]: the elapsed time, whole 24-hour spans as days (timestamp_mi)."""
    micros = far.usec_of(later) - far.usec_of(earlier)
    days = abs(micros) // far.USECS_PER_DAY * (1 if micros >= 0 else -1)
    return codecs.Interval(0, days, micros - days * far.USECS_PER_DAY)
