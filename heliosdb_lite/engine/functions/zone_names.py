"""The zone an `AT TIME ZONE` names, and the conversion there both ways (PostgreSQL 15's
timestamp_zone and timestamptz_zone), and of a timetz to the zone's offset now (timetz_zone).

The name, in lower case, is first an abbreviation of the Default set: a fixed one (EST, MET, Z)
is its offset whatever the date, a dynamic one (MSK) the offset its zone had under that name
nearest the time. Otherwise it is what pg_tzset takes: an IANA zone name in any case, or a
POSIX TZ string without a daylight-saving part (`UTC+5`, `Europe/Paris+01`, also without a name:
`-05`, `5`), whose hours are west of Greenwich. Anything else is 22023 `time zone "x" not
recognized` (POSIX strings with a daylight-saving part too, though PostgreSQL reads them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from heliosdb_lite.engine.types import datetime_instants
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import INVALID_PARAMETER_VALUE, DatabaseError
from heliosdb_lite.protocol.codecs import DateTimeInfinity, far_dates, times
from heliosdb_lite.protocol.codecs.time_zones import (
    DYNAMIC_ABBREVIATIONS,
    ZONE_ABBREVIATIONS,
    abbreviation_offset,
    find_zone,
    named_or_nameless_posix_offset,
    wall_clock_instant,
)

# the type of `value AT TIME ZONE zone` by the value's (a time is cast to timetz first)
AT_TIME_ZONE_RESULTS = {t.TIMESTAMPTZ: t.TIMESTAMP, t.TIMESTAMP: t.TIMESTAMPTZ, t.TIMETZ: t.TIMETZ}


def at_time_zone(moment: Any, oid: int, zone_name: str, now: dt.datetime) -> Any:
    """`moment AT TIME ZONE zone_name`: a timestamptz (oid) as the wall-clock time there (a
    timestamp), or a timestamp read as a wall-clock time there (a timestamptz; in a zone's
    spring-forward gap the offset before it, in a fall-back overlap the one after; outside years
    1..9999 too), or a timetz moved to the offset the zone has at `now` (the transaction's start).
    ±infinity stays as it is."""
    if isinstance(moment, DateTimeInfinity):
        return moment
    if oid == t.TIMETZ:
        zone = _named_zone(zone_name, now, t.TIMESTAMPTZ)
        east = times.offset_east(now.astimezone(zone))
        usec = times.usec_of(moment) + (east - times.offset_east(moment)) * 1_000_000
        return times.time_of_usec(usec % times.USECS_PER_DAY, times.fixed_zone(east))
    far = isinstance(moment, far_dates.FarTimestamp)
    probe = moment
    if far:  # a dynamic abbreviation's offset is looked up at the same moment of the 400-year cycle
        probe = far_dates.cycle_moment(moment.usec)
        probe = probe.replace(tzinfo=dt.UTC) if moment.aware else probe
    zone = _named_zone(zone_name, probe, oid)
    if not far:
        try:
            if oid == t.TIMESTAMPTZ:
                return moment.astimezone(zone).replace(tzinfo=None)
            return wall_clock_instant(moment, zone)
        except OverflowError:  # the result is outside years 1..9999
            pass
    target = t.TIMESTAMP if oid == t.TIMESTAMPTZ else t.TIMESTAMPTZ
    return datetime_instants.convert(moment, oid, target, zone)


def _named_zone(name: str, moment: dt.datetime, oid: int) -> dt.tzinfo:
    lowered = name.lower()
    fixed = ZONE_ABBREVIATIONS.get(lowered)
    if fixed is not None:
        return _fixed(fixed[0])
    if lowered in DYNAMIC_ABBREVIATIONS:
        zone = find_zone(DYNAMIC_ABBREVIATIONS[lowered])
        assert zone is not None
        local = moment.astimezone(zone).replace(tzinfo=None) if oid == t.TIMESTAMPTZ else moment
        return _fixed(abbreviation_offset(name.upper(), local, zone))
    zone = find_zone(name)
    if zone is not None:
        return zone
    offset = named_or_nameless_posix_offset(name)
    if offset is None:
        raise DatabaseError(INVALID_PARAMETER_VALUE, f'time zone "{name}" not recognized')
    return _fixed(offset)


def _fixed(seconds_east: int) -> dt.tzinfo:
    return dt.timezone(dt.timedelta(seconds=seconds_east))
