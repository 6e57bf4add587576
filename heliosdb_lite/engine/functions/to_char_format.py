"""to_char(timestamp | timestamptz | interval, template): PostgreSQL 15's datetime template patterns
(formatting.c, C locale).

A template is read left to right: an optional FM (fill mode: no padding) or TM prefix, a keyword
(the longest that matches, case-sensitive: YYYY and yyyy are the same field, Month / MONTH /
month differ in case only), an optional TH / th ordinal suffix; anything else is copied, text in
double quotes literally (a backslash quotes the next character) and `\\"` outside quotes as a
quote. What is not implemented (the SP suffix, some fields of an interval) raises 0A000 naming
it; fields that have no meaning for an interval raise PostgreSQL's 22007.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, INVALID_DATETIME_FORMAT, DatabaseError
from heliosdb_lite.protocol.codecs import Interval, far_dates

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_JULIAN_OFFSET = 1721425  # date.toordinal() + this = the Julian day number
_FULL_NAME_WIDTH = 9


@dataclass(frozen=True, slots=True)
class Fields:
    """The broken-down value a template is filled from (an interval's fields may be negative or large)."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    microsecond: int
    year_day: int
    week_day: int = 0  # 0 = Sunday
    iso: tuple[int, int, int] = (0, 0, 0)  # ISO year, week, weekday
    julian: int = 0
    zone: str | None = None  # the time zone abbreviation (timestamptz only)
    offset: int = 0  # seconds east of UTC
    interval: bool = False


@dataclass(frozen=True, slots=True)
class _Node:
    keyword: str | None  # None: literal text
    text: str = ""
    fill: bool = False
    translate: bool = False
    ordinal: str = ""  # "TH", "th" or ""


_TEXT_KEYWORDS = ("A.D.", "a.d.", "AD", "ad", "B.C.", "b.c.", "BC", "bc", "A.M.", "a.m.", "AM", "am", "P.M.",
                  "p.m.", "PM", "pm", "DAY", "Day", "day", "DY", "Dy", "dy", "MONTH", "Month", "month", "MON",
                  "Mon", "mon", "RM", "rm", "TZ", "tz")
_NUMBER_KEYWORDS = (
    "CC", "DDD", "DD", "D", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FX", "HH24", "HH12", "HH", "IDDD",
    "ID", "IW", "IYYY", "IYY", "IY", "I", "J", "MI", "MM", "MS", "OF", "Q", "SSSSS", "SSSS", "SS", "TZH",
    "TZM", "US", "WW", "W", "Y,YYY", "YYYY", "YYY", "YY", "Y")
# keyword as written -> the field it names (lower-case spellings of numeric fields are the same field)
_KEYWORDS = {word: word for word in _TEXT_KEYWORDS} | {word: word for word in _NUMBER_KEYWORDS} | {
    word.lower(): word for word in _NUMBER_KEYWORDS}
_LONGEST_KEYWORD = max(len(word) for word in _KEYWORDS)
_INTERVAL_FIELDS = frozenset({
    "HH", "HH12", "HH24", "MI", "SS", "MS", "US", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "SSSS", "SSSSS",
    "FX", "Y,YYY", "YYYY", "YYY", "YY", "Y", "MM", "DD", "DDD", "CC", "AM", "am", "PM", "pm", "A.M.",
    "a.m.", "P.M.", "p.m."})
_NOT_FOR_INTERVALS = frozenset({
    "TZ", "tz", "TZH", "TZM", "OF", "A.D.", "a.d.", "AD", "ad", "B.C.", "b.c.", "BC", "bc", "DAY", "Day",
    "day", "DY", "Dy", "dy", "MONTH", "Month", "month", "MON", "Mon", "mon", "D", "ID"})


def _parse(template: str) -> list[_Node]:
    nodes: list[_Node] = []
    position = 0
    while position < len(template):
        fill = translate = False
        prefix = template[position:position + 2]
        if prefix in ("FM", "fm"):
            fill, position = True, position + 2
        elif prefix in ("TM", "tm"):
            translate, position = True, position + 2
        keyword = next((template[position:position + size] for size in range(_LONGEST_KEYWORD, 0, -1)
                        if template[position:position + size] in _KEYWORDS), None)
        if keyword is not None:
            position += len(keyword)
            suffix = template[position:position + 2]
            ordinal = ""
            if suffix in ("TH", "th"):
                ordinal, position = suffix, position + 2
            elif suffix == "SP":
                raise DatabaseError(FEATURE_NOT_SUPPORTED, 'to_char with the "SP" suffix is not supported')
            nodes.append(_Node(_KEYWORDS[keyword], fill=fill, translate=translate, ordinal=ordinal))
            continue
        if position >= len(template):
            break
        if template[position] == '"':
            position += 1
            text = []
            while position < len(template) and template[position] != '"':
                if template[position] == "\\" and position + 1 < len(template):
                    position += 1
                text.append(template[position])
                position += 1
            nodes.append(_Node(None, "".join(text)))
            position += 1
            continue
        if template.startswith('\\"', position):
            position += 1
        nodes.append(_Node(None, template[position]))
        position += 1
    return nodes


def ordinal_suffix(number: str, upper: bool) -> str:
    """The English ordinal suffix of a number's text (11th, 12th, 13th; 21st, 22nd, 23rd)."""
    last = number[-1] if number else ""
    if len(number) > 1 and number[-2] == "1":
        last = "0"
    suffix = {"1": "st", "2": "nd", "3": "rd"}.get(last, "th")
    return suffix.upper() if upper else suffix


def _padded(value: int, width: int, fill: bool) -> str:
    return f"{value:0{0 if fill else width}d}"


def _signed_width(value: int, width: int, fill: bool) -> str:
    """An interval's field: one place more when negative (C's %0*d with the sign counted)."""
    return _padded(value, width + (value < 0), fill)


def _cased(text: str, keyword: str) -> str:
    if keyword.isupper():
        return text.upper()
    return text.lower() if keyword.islower() else text


def _name(full: str, keyword: str, node: _Node) -> str:
    """A month or day name in the keyword's case: the full name blank-padded to 9 unless FM or TM."""
    if keyword.upper() in ("MON", "DY"):
        return _cased(full[:3], keyword)
    text = _cased(full, keyword)
    return text if node.fill or node.translate else text.ljust(_FULL_NAME_WIDTH)


def _c_remainder(value: int, divisor: int) -> int:
    """C's %: the remainder has the dividend's sign."""
    return value - _c_div(value, divisor) * divisor


def _c_div(value: int, divisor: int) -> int:
    """C's integer division: the quotient truncated toward zero."""
    return value // divisor if value >= 0 else -(-value // divisor)


def _year_fields(year: int, keyword: str, fill: bool) -> str:
    width = {"YYYY": 4, "IYYY": 4, "YYY": 3, "IYY": 3, "YY": 2, "IY": 2, "Y": 1, "I": 1}[keyword]
    shown = year if width == 4 else _c_remainder(year, 10 ** width)
    return _padded(shown, width + (year < 0), fill)


def _shown_year(year: int, interval: bool) -> int:
    """ADJUST_YEAR: a (astronomical) year before 1 as its BC year; an interval's years as they are."""
    return year if interval or year > 0 else 1 - year


def _number(keyword: str, fields: Fields, fill: bool) -> str:
    f = fields
    year = _shown_year(f.year, f.interval)
    hour12 = _c_remainder(f.hour, 12) or 12  # an interval's hours may be negative
    two = _signed_width if f.interval else _padded
    simple: dict[str, Callable[[], str]] = {
        "HH": lambda: two(hour12, 2, fill), "HH12": lambda: two(hour12, 2, fill),
        "HH24": lambda: two(f.hour, 2, fill), "MI": lambda: two(f.minute, 2, fill),
        "SS": lambda: two(f.second, 2, fill), "MM": lambda: two(f.month, 2, fill),
        "DD": lambda: _padded(f.day, 2, fill),
        "MS": lambda: f"{_c_div(f.microsecond, 1000):03d}", "US": lambda: f"{f.microsecond:06d}",
        "SSSS": lambda: str(f.hour * 3600 + f.minute * 60 + f.second),
        "SSSSS": lambda: str(f.hour * 3600 + f.minute * 60 + f.second),
        "DDD": lambda: _padded(f.year_day, 3, fill),
        "IDDD": lambda: _padded((f.iso[1] - 1) * 7 + f.iso[2], 3, fill),
        "D": lambda: str(f.week_day + 1), "ID": lambda: str(f.iso[2]),
        "W": lambda: str((f.day - 1) // 7 + 1), "WW": lambda: _padded((f.year_day - 1) // 7 + 1, 2, fill),
        "IW": lambda: _padded(f.iso[1], 2, fill), "Q": lambda: str((f.month - 1) // 3 + 1),
        "J": lambda: str(f.julian),
        "Y,YYY": lambda: f"{_c_div(year, 1000)},{year - _c_div(year, 1000) * 1000:03d}",
        "TZM": lambda: f"{abs(f.offset) % 3600 // 60:02d}",
        "TZH": lambda: f"{'+' if f.offset >= 0 else '-'}{abs(f.offset) // 3600:02d}",
    }
    if keyword in simple:
        return simple[keyword]()
    if keyword.startswith("FF"):
        digits = int(keyword[2])
        return f"{_c_div(f.microsecond, 10 ** (6 - digits)):0{digits}d}"
    if keyword == "CC":
        century = _c_div(f.year, 100) if f.interval else (f.year - 1) // 100 + 1 if f.year > 0 \
            else _c_div(f.year, 100) - 1
        return _padded(century, 2 + (century < 0), fill) if -99 <= century <= 99 else str(century)
    if keyword in ("YYYY", "YYY", "YY", "Y"):
        return _year_fields(year, keyword, fill)
    if keyword in ("IYYY", "IYY", "IY", "I"):
        return _year_fields(_shown_year(f.iso[0], f.interval), keyword, fill)
    if keyword == "OF":
        text = f"{'+' if f.offset >= 0 else '-'}{_padded(abs(f.offset) // 3600, 2, fill)}"
        return text + (f":{abs(f.offset) % 3600 // 60:02d}" if abs(f.offset) % 3600 else "")
    return ""  # FX


def _text(keyword: str, fields: Fields, node: _Node) -> str:
    f = fields
    upper = keyword.upper()
    if upper in ("AM", "PM", "A.M.", "P.M."):
        afternoon = _c_remainder(f.hour, 24) >= 12
        word = ("P" if afternoon else "A") + ("M" if len(upper) == 2 else ".M.")
        return _cased(word, keyword)
    if upper in ("AD", "BC", "A.D.", "B.C."):
        word = ("AD" if f.year > 0 else "BC") if len(upper) == 2 else ("A.D." if f.year > 0 else "B.C.")
        return _cased(word, keyword)
    if upper in ("MONTH", "MON"):
        return _name(_MONTHS[f.month - 1], keyword, node)
    if upper in ("DAY", "DY"):
        return _name(_DAYS[f.week_day], keyword, node)
    if upper == "RM":
        roman = _cased(_ROMAN_MONTHS[f.month - 1], keyword)
        return roman if node.fill else roman.ljust(4)
    zone = f.zone or ""  # TZ
    return zone.lower() if keyword == "tz" else zone


def format_fields(fields: Fields, template: str) -> str:
    """The template filled from fields."""
    out: list[str] = []
    for node in _parse(template):
        keyword = node.keyword
        if keyword is None:
            out.append(node.text)
            continue
        if fields.interval and keyword not in _INTERVAL_FIELDS:
            if keyword in _NOT_FOR_INTERVALS:
                raise DatabaseError(INVALID_DATETIME_FORMAT,
                                    "invalid format specification for an interval value",
                                    hint="Intervals are not tied to specific calendar dates.")
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                f'to_char of an interval with "{keyword}" is not supported')
        if keyword in _TEXT_KEYWORDS:
            out.append(_text(keyword, fields, node))
            continue
        text = _number(keyword, fields, node.fill)
        if node.ordinal and text and keyword not in ("FX", "OF", "TZH", "TZM"):
            text += ordinal_suffix(text, node.ordinal == "TH")
        out.append(text)
    return "".join(out)


def timestamp_fields(moment: dt.datetime, tz: dt.tzinfo | None) -> Fields:
    """The fields of a timestamp (tz None) or of a timestamptz in time zone tz."""
    zone: str | None = None
    offset = 0
    if tz is not None:
        moment = moment.astimezone(tz)
        zone = moment.tzname()
        utc_offset = moment.utcoffset()
        offset = int(utc_offset.total_seconds()) if utc_offset is not None else 0
        moment = moment.replace(tzinfo=None)
    iso = moment.isocalendar()
    return Fields(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                  moment.microsecond, moment.timetuple().tm_yday, moment.isoweekday() % 7,
                  (iso.year, iso.week, iso.weekday), moment.toordinal() + _JULIAN_OFFSET, zone, offset)


def far_fields(wall: int, zone: str | None, offset: int) -> Fields:
    """The fields of a wall clock (µs since 2000) outside years 1..9999: the year astronomical, the
    day of the week and ISO week from the same moment of the 400-year cycle."""
    days = wall // far_dates.USECS_PER_DAY
    year, month, day = far_dates.fields_of_days(days)
    clock = far_dates.clock_of_usec(wall)
    moment = far_dates.cycle_moment(wall)
    iso = moment.isocalendar()
    iso_fields = (iso.year + year - moment.year, iso.week, iso.weekday)
    return Fields(year, month, day, clock.hour, clock.minute, clock.second, clock.microsecond,
                  days - far_dates.days_from_fields(year, 1, 1) + 1, moment.isoweekday() % 7, iso_fields,
                  days + far_dates.POSTGRES_EPOCH_JDATE, zone, offset)


def interval_fields(interval: Interval) -> Fields:
    """The fields of an interval, as PostgreSQL's interval2itm breaks it down (C truncation)."""
    years = _c_div(interval.months, 12)
    months = interval.months - years * 12
    micros = interval.microseconds
    hours = _c_div(micros, 3_600_000_000)
    rest = micros - hours * 3_600_000_000
    minutes = _c_div(rest, 60_000_000)
    rest -= minutes * 60_000_000
    seconds = _c_div(rest, 1_000_000)
    year_day = (years * 12 + months) * 30 + interval.days
    return Fields(years, months, interval.days, hours, minutes, seconds, rest - seconds * 1_000_000, year_day,
                  interval=True)


def format_datetime(value: dt.datetime | far_dates.FarTimestamp | Interval, oid: int, template: str,
                    tz: dt.tzinfo) -> str | None:
    """to_char of a timestamp, timestamptz (in time zone tz) or interval, in or outside years
    1..9999; NULL for an empty template."""
    if not template:
        return None
    if isinstance(value, Interval):
        return format_fields(interval_fields(value), template)
    if oid == t.TIMESTAMPTZ and not isinstance(value, far_dates.FarTimestamp):
        try:
            value.astimezone(tz)
        except OverflowError:  # its wall clock is outside years 1..9999
            value = far_dates.FarTimestamp(far_dates.usec_of(value), True)
    if isinstance(value, far_dates.FarTimestamp):
        if oid != t.TIMESTAMPTZ:
            return format_fields(far_fields(value.usec, None, 0), template)
        offset, zone = far_dates.zone_at(value.usec, tz)
        return format_fields(far_fields(value.usec + offset * 1_000_000, zone, offset), template)
    return format_fields(timestamp_fields(value, tz if oid == t.TIMESTAMPTZ else None), template)
