"""Time zones in date/time input: numeric offsets, abbreviations, zone names, and DST resolution.

- `decode_timezone` is DecodeTimezone: `+hh`, `-hh:mm[:ss]`, `+hhmm`, at most 15 hours.
- `ZONE_ABBREVIATIONS` and `DYNAMIC_ABBREVIATIONS` are PostgreSQL's "Default"
  timezone_abbreviations set (IST is Israel's, as in PostgreSQL); a dynamic one (MSK, ...) means
  the offset its zone had under that name nearest the given time (`abbreviation_offset`).
- `find_zone` and `posix_fixed_offset` are pg_tzset: an IANA zone by case-insensitive name,
  else a POSIX TZ string `name±hh[:mm[:ss]]` (hours west of Greenwich, up to 167) without a
  daylight-saving part; like PostgreSQL any name goes, so `utc+3` and even
  `europe/paris+00:30` are fixed offsets. POSIX strings with a DST part are not recognised.
  `setting_zone` is the tzinfo of a TimeZone setting that the engine has accepted (a zone name,
  or such a fixed offset, the POSIX name left out or not: `+02:00` is two hours west); its
  tzname() is the abbreviation PostgreSQL prints in the non-ISO DateStyles (the IANA zone's,
  or the POSIX name upper-cased: `UTC+2` is UTC, `<+0330>-3:30` is +0330, `+02:00` is empty).
- `zone_offset_seconds` is DetermineTimeZoneOffset: a wall-clock time in a DST gap takes the
  offset before the transition, one in an overlap the offset after it; `wall_clock_instant`
  applies it, giving the UTC instant of a wall-clock time.
Offsets here are seconds east of UTC.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache

from heliosdb_lite.protocol.codecs.datetime_lexer import (
    BAD_FORMAT,
    TZDISP_OVERFLOW,
    DateTimeParseError,
    strtoint,
)

MAX_OFFSET_HOURS = 15

# PostgreSQL 15's share/timezonesets/Default: NAME:seconds-east[:D for daylight time], or
# NAME:Zone/Name for the abbreviations whose meaning changed over time.
_DEFAULT_ABBREVIATIONS = """
    ACDT:37800:D ACSST:37800:D ACST:34200 ACT:-18000 ACWST:31500 ADT:-10800:D AEDT:39600:D
    AESST:39600:D AEST:36000 AFT:16200 AKDT:-28800:D AKST:-32400 ALMST:25200:D ALMT:21600
    AMST:Asia/Yerevan AMT:-14400 ANAST:Asia/Anadyr ANAT:Asia/Anadyr
    ARST:America/Argentina/Buenos_Aires ART:America/Argentina/Buenos_Aires AST:-14400 AWSST:32400:D
    AWST:28800 AZOST:0:D AZOT:-3600 AZST:Asia/Baku AZT:Asia/Baku BDST:7200:D BDT:21600 BNT:28800
    BORT:28800 BOT:-14400 BRA:-10800 BRST:-7200:D BRT:-10800 BST:3600:D BTT:21600 CADT:37800:D
    CAST:34200 CCT:28800 CDT:-18000:D CEST:7200:D CET:3600 CETDST:7200:D CHADT:49500:D CHAST:45900
    CHUT:36000 CKT:Pacific/Rarotonga CLST:-10800:D CLT:America/Santiago COT:-18000 CST:-21600
    CXT:25200 DAVT:Antarctica/Davis DDUT:36000 EASST:Pacific/Easter EAST:Pacific/Easter EAT:10800
    EDT:-14400:D EEST:10800:D EET:7200 EETDST:10800:D EGST:0:D EGT:-3600 EST:-18000 FET:10800
    FJST:46800:D FJT:43200 FKST:Atlantic/Stanley FKT:Atlantic/Stanley FNST:-3600:D FNT:-7200
    GALT:-21600 GAMT:-32400 GEST:Asia/Tbilisi GET:Asia/Tbilisi GFT:-10800 GILT:43200 GMT:0
    GYT:America/Guyana HKT:28800 HST:-36000 ICT:25200 IDT:10800:D IOT:Indian/Chagos
    IRKST:Asia/Irkutsk IRKT:Asia/Irkutsk IRT:12600 IST:7200 JAYT:32400 JST:32400 KDT:36000:D
    KGST:21600:D KGT:Asia/Bishkek KOST:Pacific/Kosrae KRAST:Asia/Krasnoyarsk KRAT:Asia/Krasnoyarsk
    KST:32400 LHDT:Australia/Lord_Howe LHST:37800 LIGT:36000 LINT:Pacific/Kiritimati
    LKT:Asia/Colombo MAGST:Asia/Magadan MAGT:Asia/Magadan MART:-34200 MAWT:Antarctica/Mawson
    MDT:-21600:D MEST:7200:D MESZ:7200:D MET:3600 METDST:7200:D MEZ:3600 MHT:43200 MMT:23400
    MPT:36000 MSD:14400:D MSK:Europe/Moscow MST:-25200 MUST:18000:D MUT:14400 MVT:18000 MYT:28800
    NDT:-9000:D NFT:-12600 NOVST:Asia/Novosibirsk NOVT:Asia/Novosibirsk NPT:20700 NST:-12600
    NUT:Pacific/Niue NZDT:46800:D NZST:43200 NZT:43200 OMSST:Asia/Omsk OMST:Asia/Omsk PDT:-25200:D
    PET:-18000 PETST:Asia/Kamchatka PETT:Asia/Kamchatka PGT:36000 PHT:28800 PKST:21600:D PKT:18000
    PMDT:-7200:D PMST:-10800 PONT:39600 PST:-28800 PWT:32400 PYST:-10800:D PYT:America/Asuncion
    RET:14400 SADT:37800:D SAST:7200 SCT:14400 SGT:Asia/Singapore TAHT:-36000 TFT:18000 TJT:18000
    TKT:Pacific/Fakaofo TMT:Asia/Ashgabat TOT:46800 TRUT:36000 TVT:43200 UCT:0 ULAST:32400:D
    ULAT:Asia/Ulaanbaatar UT:0 UTC:0 UYST:-7200:D UYT:-10800 UZST:21600:D UZT:18000
    VET:America/Caracas VLAST:Asia/Vladivostok VLAT:Asia/Vladivostok VOLT:Europe/Volgograd
    VUT:39600 WADT:28800:D WAKT:43200 WAST:25200 WAT:3600 WDT:32400:D WET:0 WETDST:3600:D WFT:43200
    WGST:-7200:D WGT:-10800 XJT:21600 YAKST:Asia/Yakutsk YAKT:Asia/Yakutsk YAPT:36000 YEKST:21600:D
    YEKT:Asia/Yekaterinburg Z:0 ZULU:0
"""
ZONE_ABBREVIATIONS: dict[str, tuple[int, bool]] = {}  # fixed: (seconds east, daylight saving)
DYNAMIC_ABBREVIATIONS: dict[str, str] = {}  # abbreviation -> IANA zone deciding its offset
for _entry in _DEFAULT_ABBREVIATIONS.split():
    _name, _meaning, *_daylight = _entry.split(":")
    if _meaning.lstrip("-").isdigit():
        ZONE_ABBREVIATIONS[_name.lower()] = (int(_meaning), bool(_daylight))
    else:
        DYNAMIC_ABBREVIATIONS[_name.lower()] = _meaning

# A POSIX TZ string without DST part: a name (no digits, ',', '+' or '-') then hh[:mm[:ss]] west.
_POSIX_FIXED = re.compile(r"(<[^>]*>|[^0-9,+<>-]+)([+-]?)([0-9]+)(?::([0-9]+)(?::([0-9]+))?)?")
_NAMELESS_POSIX = "<>"  # a placeholder name: pg_tzset takes `-05` as the POSIX string `<>-05`
_POSIX_MAX_HOURS = 24 * 7 - 1
_OFFSET_PROBES = tuple(
    datetime(year, month, 1) for year in (1850, 1900, 1950, 1990, 2024) for month in (1, 7)
)


def decode_timezone(text: str) -> int:
    """DecodeTimezone: a signed numeric offset as seconds east of UTC."""
    if text[:1] not in ("+", "-"):
        raise DateTimeParseError(BAD_FORMAT)
    hours, position = strtoint(text, 1)
    minutes = seconds = 0
    if text[position : position + 1] == ":":
        minutes, position = strtoint(text, position + 1)
        if text[position : position + 1] == ":":
            seconds, position = strtoint(text, position + 1)
    elif position == len(text) and len(text) > 3:
        hours, minutes = divmod(hours, 100)
    if not 0 <= hours <= MAX_OFFSET_HOURS or not 0 <= minutes < 60 or not 0 <= seconds < 60:
        raise DateTimeParseError(TZDISP_OVERFLOW)
    if position != len(text):
        raise DateTimeParseError(BAD_FORMAT)
    offset = (hours * 60 + minutes) * 60 + seconds
    return -offset if text[0] == "-" else offset


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def find_zone(name: str) -> tzinfo | None:
    """An IANA zone by case-insensitive name, or None."""
    canonical = _zone_names().get(name.lower())
    return zoneinfo.ZoneInfo(canonical) if canonical else None


def posix_fixed_offset(name: str) -> int | None:
    """A POSIX TZ string without DST part (`name±hh[:mm[:ss]]`, hours west) as seconds east."""
    posix = _POSIX_FIXED.fullmatch(name)
    if posix is None:
        return None
    hours, minutes, seconds = (int(part or 0) for part in posix.group(3, 4, 5))
    if hours > _POSIX_MAX_HOURS or minutes > 59 or seconds > 60:
        return None
    west = (hours * 60 + minutes) * 60 + seconds
    return west if posix.group(2) == "-" else -west


def _posix_spelling(name: str) -> str:
    """The POSIX TZ string pg_tzset reads for a zone name, which may leave the POSIX name out
    (`-05`, `5`, `+02:00`: hours west)."""
    nameless = name[:1].isdigit() or name[:1] in ("+", "-")
    return _NAMELESS_POSIX + name if nameless else name


# Python's tzinfo holds offsets strictly inside ±24 hours (PostgreSQL's fixed zones reach ±168)
FIXED_OFFSET_LIMIT_SECONDS = 24 * 3600
_HOURS = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def hours_zone_name(hours: float) -> str:
    """PostgreSQL's name of the fixed zone `hours` east of Greenwich (SET TIME ZONE -5, SET
    TimeZone = '-5'): `<-05>+05`, the ISO sign inside the brackets, the POSIX sign after."""
    seconds = round(hours * 3600)
    east, west = ("+", "-") if seconds >= 0 else ("-", "+")
    whole_hours, rest = divmod(abs(seconds), 3600)
    minutes, rest_seconds = divmod(rest, 60)
    text = f"{whole_hours:02d}" + (f":{minutes:02d}" if minutes or rest_seconds else "") + \
        (f":{rest_seconds:02d}" if rest_seconds else "")
    return f"<{east}{text}>{west}{text}"


def setting_hours(value: str) -> float | None:
    """The hours of a TimeZone value that is a number, as check_timezone reads one (strtod: leading
    blanks allowed, nothing after the number), else None (a zone name or a POSIX string)."""
    text = value.lstrip()
    return float(text) if _HOURS.fullmatch(text) else None


def named_or_nameless_posix_offset(name: str) -> int | None:
    """`posix_fixed_offset` of a zone name as pg_tzset reads one (`_posix_spelling`)."""
    return posix_fixed_offset(_posix_spelling(name))


def setting_zone(name: str) -> tzinfo:
    """The tzinfo of a TimeZone setting (as the engine normalised it)."""
    if name in ("UTC", "Etc/UTC"):
        return UTC
    offset = named_or_nameless_posix_offset(name)
    if offset is None:
        return zoneinfo.ZoneInfo(name)
    posix = _POSIX_FIXED.fullmatch(_posix_spelling(name))
    assert posix is not None
    abbreviation = posix.group(1).removeprefix("<").removesuffix(">").upper()
    return timezone(timedelta(seconds=offset), abbreviation)


def zone_offset_seconds(local: datetime, zone: tzinfo) -> int:
    """DetermineTimeZoneOffset for a wall-clock time: the smaller of the fold=0/fold=1 offsets,
    which is the pre-transition one in a gap and the post-transition one in an overlap."""
    offsets = [zone.utcoffset(local.replace(fold=fold)) for fold in (0, 1)]
    return int(min(offset or timedelta(0) for offset in offsets).total_seconds())


def wall_clock_instant(local: datetime, zone: tzinfo) -> datetime:
    """The instant (an aware UTC datetime) of a wall-clock time in zone, its offset chosen by
    `zone_offset_seconds`; OverflowError beyond the years datetime holds."""
    offset = timedelta(seconds=zone_offset_seconds(local, zone))
    return (local.replace(tzinfo=None) - offset).replace(tzinfo=UTC)


def abbreviation_offset(abbreviation: str, local: datetime, zone: tzinfo) -> int:
    """DetermineTimeZoneAbbrevOffset: the offset `zone` had under `abbreviation` (e.g. MSK is
    +03 even in a summer when Moscow kept MSD), found by probing month by month from the given
    time, earlier first, up to five years away; the zone's own offset if the name never shows."""
    guess = zone_offset_seconds(local, zone)
    instant = (local - timedelta(seconds=guess)).replace(tzinfo=UTC)
    for months in range(61):
        for probe in (instant - timedelta(days=30 * months), instant + timedelta(days=30 * months)):
            try:
                seen = probe.astimezone(zone)
            except OverflowError:
                continue
            offset = seen.utcoffset()
            if seen.tzname() == abbreviation and offset is not None:
                return int(offset.total_seconds())
    return guess


def has_fixed_offset(zone: tzinfo) -> bool:
    """pg_get_timezone_offset's test: the zone's offset never changed (UTC, Etc/GMT+3)."""
    return len({zone.utcoffset(probe) for probe in _OFFSET_PROBES}) == 1
