"""PostgreSQL's date/time text input, ported from src/backend/utils/adt/datetime.c (DateStyle MDY).

`split_fields` is ParseDateTime: it cuts the text into typed fields (date, time, number, signed
"tz" field, word). `decode_datetime` is DecodeDateTime: it assigns fields to year, month, day,
time and zone with PostgreSQL's bit-mask bookkeeping (a field given twice is an error), month
names, weekday names (ignored), AM/PM, ISO `T`, numeric and named time zones, zone
abbreviations, and the special words epoch, infinity, -infinity, now, today, tomorrow,
yesterday, allballs. `decode_time_only` is DecodeTimeOnly for the time type. `decode_time` and
`strtoint` are shared with interval input.

Not ported: BC years and years beyond 9999 (rejected by the callers, 0A000), Julian days,
day-of-year, labelled fields like `y2001m02d04`, the `DST` modifier, and the dynamic zone
abbreviations (only the fixed ones in `ZONE_ABBREVIATIONS` are known). `now` and friends read
the wall clock, not the transaction start.
Failures raise `DateTimeParseError` with PostgreSQL's DTERR kind; `raise_parse_error` turns it
into the DatabaseError DateTimeParseError would report.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import cache

from heliosdb_lite.errors import INVALID_PARAMETER_VALUE, DatabaseError
from heliosdb_lite.protocol.codecs.faults import datetime_field_overflow, datetime_syntax

BAD_FORMAT = "bad format"
FIELD_OVERFLOW = "field overflow"
MD_FIELD_OVERFLOW = "month/day field overflow"
INTERVAL_OVERFLOW = "interval overflow"
TZDISP_OVERFLOW = "time zone displacement overflow"
INVALID_TIME_ZONE_DISPLACEMENT = "22009"
INTERVAL_FIELD_OVERFLOW = "22015"

# Field types of split_fields (ParseDateTime's ftype).
DATE, TIME, TZ_FIELD, NUMBER, STRING, SPECIAL = "date", "time", "tz", "number", "string", "special"

MAX_DATE_LEN = 128
MAX_DATE_FIELDS = 25
TOKEN_MAX_LEN = 10
USECS_PER_SEC = 1_000_000
USECS_PER_DAY = 86_400_000_000

# Field bits for the "already given" mask (DTK_M of datetime.h).
YEAR, MONTH, DAY = 1 << 0, 1 << 1, 1 << 2
HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND = 1 << 3, 1 << 4, 1 << 5, 1 << 6, 1 << 7
TZ, DTZ, AMPM, ADBC, DOW = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
DATE_MASK = YEAR | MONTH | DAY
ALL_SECS_MASK = SECOND | MILLISECOND | MICROSECOND
TIME_MASK = HOUR | MINUTE | ALL_SECS_MASK

# Token kinds of datetktbl.
RESERVED, MONTH_NAME, WEEKDAY, MERIDIEM, ERA, IGNORED, ISO_TIME, UNITS = (
    "reserved",
    "month",
    "weekday",
    "meridiem",
    "era",
    "ignored",
    "isotime",
    "units",
)
EARLY, LATE, EPOCH, NOW, TODAY, TOMORROW, YESTERDAY, ZULU = (
    "-infinity",
    "infinity",
    "epoch",
    "now",
    "today",
    "tomorrow",
    "yesterday",
    "zulu",
)
AM, PM = "am", "pm"

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_WORDS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "june": 6,
    "july": 7,
    "august": 8,
    "sept": 9,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
} | {abbrev: number for number, abbrev in enumerate(_MONTHS, start=1)}
_WEEKDAY_WORDS = (
    "sun",
    "sunday",
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "weds",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
)
DATE_TOKENS: dict[str, tuple[str, object]] = (
    {
        "-infinity": (RESERVED, EARLY),
        "infinity": (RESERVED, LATE),
        "epoch": (RESERVED, EPOCH),
        "now": (RESERVED, NOW),
        "today": (RESERVED, TODAY),
        "tomorrow": (RESERVED, TOMORROW),
        "yesterday": (RESERVED, YESTERDAY),
        "allballs": (RESERVED, ZULU),
        "am": (MERIDIEM, AM),
        "pm": (MERIDIEM, PM),
        "ad": (ERA, False),
        "bc": (ERA, True),
        "at": (IGNORED, None),
        "on": (IGNORED, None),
        "t": (ISO_TIME, None),
        "d": (UNITS, None),
        "h": (UNITS, None),
        "m": (UNITS, None),
        "mm": (UNITS, None),
        "s": (UNITS, None),
        "y": (UNITS, None),
        "j": (UNITS, None),
        "jd": (UNITS, None),
        "julian": (UNITS, None),
    }
    | {word: (MONTH_NAME, number) for word, number in _MONTH_WORDS.items()}
    | {word: (WEEKDAY, None) for word in _WEEKDAY_WORDS}
)

# Fixed-offset abbreviations of PostgreSQL's "Default" timezone_abbreviations set (seconds east,
# daylight-saving flag); the date-dependent ones (e.g. MSK) are not carried.
ZONE_ABBREVIATIONS: dict[str, tuple[int, bool]] = {
    "utc": (0, False),
    "ut": (0, False),
    "uct": (0, False),
    "gmt": (0, False),
    "z": (0, False),
    "zulu": (0, False),
    "wet": (0, False),
    "wetdst": (3600, True),
    "bst": (3600, True),
    "cet": (3600, False),
    "cest": (7200, True),
    "cetdst": (7200, True),
    "met": (3600, False),
    "mest": (7200, True),
    "metdst": (7200, True),
    "mez": (3600, False),
    "mesz": (7200, True),
    "eet": (7200, False),
    "eest": (10800, True),
    "eetdst": (10800, True),
    "ist": (7200, False),
    "idt": (10800, True),
    "est": (-18000, False),
    "edt": (-14400, True),
    "cst": (-21600, False),
    "cdt": (-18000, True),
    "mst": (-25200, False),
    "mdt": (-21600, True),
    "pst": (-28800, False),
    "pdt": (-25200, True),
    "akst": (-32400, False),
    "akdt": (-28800, True),
    "hst": (-36000, False),
    "ast": (-14400, False),
    "adt": (-10800, True),
    "nst": (-12600, False),
    "ndt": (-9000, True),
    "jst": (32400, False),
    "kst": (32400, False),
    "hkt": (28800, False),
    "sgt": (28800, False),
    "awst": (28800, False),
    "acst": (34200, False),
    "acdt": (37800, True),
    "aest": (36000, False),
    "aedt": (39600, True),
    "nzst": (43200, False),
    "nzdt": (46800, True),
    "sast": (7200, False),
    "wat": (3600, False),
    "eat": (10800, False),
    "pkt": (18000, False),
    "ict": (25200, False),
}

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_LEADING_INT = re.compile(r"[ \t\n\r\f\v]*[+-]?[0-9]+")
_SPACE = frozenset(" \t\n\r\f\v")
_DIGIT = frozenset("0123456789")
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALNUM = _DIGIT | _ALPHA
_PUNCTUATION = frozenset(chr(code) for code in range(33, 127)) - _ALNUM
_TIME_CHARS = _DIGIT | frozenset(":.")
_TZ_CHARS = _DIGIT | frozenset(":.-")
_ZONE_NAME_CHARS = _ALNUM | frozenset("+-/_.:")


class DateTimeParseError(Exception):
    """A DTERR_* outcome of the decoders; `kind` is one of the module constants."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def raise_parse_error(error: DateTimeParseError, text: str, type_name: str) -> DatabaseError:
    """DateTimeParseError's report for input `text` of `type_name`."""
    if error.kind == FIELD_OVERFLOW:
        return datetime_field_overflow(text)
    if error.kind == MD_FIELD_OVERFLOW:
        return datetime_field_overflow(text, hint='Perhaps you need a different "datestyle" setting.')
    if error.kind == INTERVAL_OVERFLOW:
        return DatabaseError(INTERVAL_FIELD_OVERFLOW, f'interval field value out of range: "{text}"')
    if error.kind == TZDISP_OVERFLOW:
        return DatabaseError(INVALID_TIME_ZONE_DISPLACEMENT, f'time zone displacement out of range: "{text}"')
    return datetime_syntax(type_name, text)


def strtoint(text: str, start: int = 0) -> tuple[int, int]:
    """C strtol on text[start:]: (value, end); end == start when there are no digits."""
    match = _LEADING_INT.match(text, start)
    if match is None:
        return 0, start
    return int(match.group()), match.end()


def _int32(value: int) -> int:
    if not -(2**31) <= value < 2**31:
        raise DateTimeParseError(FIELD_OVERFLOW)
    return value


def split_fields(text: str) -> list[tuple[str, str]]:
    """ParseDateTime: [(field text, field type)], words lower-cased; BAD_FORMAT if malformed."""
    if len(text) >= MAX_DATE_LEN:
        raise DateTimeParseError(BAD_FORMAT)
    fields: list[tuple[str, str]] = []
    position, end = 0, len(text)
    while position < end:
        char = text[position]
        start = position
        if char in _SPACE:
            position += 1
            continue
        if char in _DIGIT:
            position = _skip(text, position, _DIGIT)
            following = text[position : position + 1]
            if following == ":":
                position = _skip(text, position + 1, _TIME_CHARS)
                fields.append((text[start:position], TIME))
            elif following in ("-", "/", "."):
                field_type, position = _numeric_date_field(text, position, following)
                fields.append((text[start:position].lower(), field_type))
            else:
                fields.append((text[start:position], NUMBER))
        elif char == ".":
            position = _skip(text, position + 1, _DIGIT)
            fields.append((text[start:position], NUMBER))
        elif char in _ALPHA:
            position = _skip(text, position, _ALPHA)
            word = text[start:position].lower()
            following = text[position : position + 1]
            is_date = following in ("-", "/", ".")
            if following == "+" or following in _DIGIT:
                is_date = word[:TOKEN_MAX_LEN] not in DATE_TOKENS
            if is_date:
                position = _skip(text, position + 1, _ZONE_NAME_CHARS)
                fields.append((text[start:position].lower(), DATE))
            else:
                fields.append((word, STRING))
        elif char in "+-":
            position = _skip(text, position + 1, _SPACE)
            following = text[position : position + 1]
            if following in _DIGIT:
                digits_start = position
                position = _skip(text, position + 1, _TZ_CHARS)
                fields.append((char + text[digits_start:position], TZ_FIELD))
            elif following in _ALPHA:
                word_start = position
                position = _skip(text, position, _ALPHA)
                fields.append(((char + text[word_start:position]).lower(), SPECIAL))
            else:
                raise DateTimeParseError(BAD_FORMAT)
        elif char in _PUNCTUATION:
            position += 1
            continue
        else:
            raise DateTimeParseError(BAD_FORMAT)
        if len(fields) > MAX_DATE_FIELDS:
            raise DateTimeParseError(BAD_FORMAT)
    return fields


def _skip(text: str, position: int, accepted: frozenset[str]) -> int:
    end = len(text)
    while position < end and text[position] in accepted:
        position += 1
    return position


def _numeric_date_field(text: str, position: int, delimiter: str) -> tuple[str, int]:
    """Digits followed by - / or . : a date like 2024-01-02 or 02-jan-2024, or a decimal number."""
    position += 1
    if text[position : position + 1] in _DIGIT and position < len(text):
        field_type = NUMBER if delimiter == "." else DATE
        position = _skip(text, position, _DIGIT)
        if text[position : position + 1] == delimiter:
            field_type = DATE
            position = _skip(text, position + 1, _DIGIT | {delimiter})
        return field_type, position
    return DATE, _skip(text, position, _ALNUM | {delimiter})


@dataclass
class TimeFields:
    """hour:minute:second plus microseconds, as DecodeTime leaves them (hour may exceed 24)."""

    hour: int = 0
    minute: int = 0
    second: int = 0
    usec: int = 0

    def total_usec(self) -> int:
        return ((self.hour * 60 + self.minute) * 60 + self.second) * USECS_PER_SEC + self.usec


def parse_fractional_second(text: str) -> int:
    """ParseFractionalSecond: `.ddd` as rounded microseconds; BAD_FORMAT on trailing junk."""
    if not text.startswith("."):
        raise DateTimeParseError(BAD_FORMAT)
    try:
        return round(float(text) * USECS_PER_SEC)
    except ValueError:
        raise DateTimeParseError(BAD_FORMAT) from None


def decode_time(text: str) -> TimeFields:
    """DecodeTime: hh:mm, hh:mm:ss, hh:mm:ss.fff, or mm:ss.fff; range-checked except the hour."""
    fields = TimeFields()
    fields.hour, position = strtoint(text)
    if text[position : position + 1] != ":":
        raise DateTimeParseError(BAD_FORMAT)
    fields.minute, position = strtoint(text, position + 1)
    _int32(fields.minute)
    rest = text[position:]
    if rest.startswith("."):
        fields.usec = parse_fractional_second(rest)
        fields.hour, fields.minute, fields.second = 0, fields.hour, fields.minute
    elif rest.startswith(":"):
        fields.second, position = strtoint(text, position + 1)
        _int32(fields.second)
        rest = text[position:]
        if rest.startswith("."):
            fields.usec = parse_fractional_second(rest)
        elif rest:
            raise DateTimeParseError(BAD_FORMAT)
    elif rest:
        raise DateTimeParseError(BAD_FORMAT)
    if (
        fields.hour < 0
        or not 0 <= fields.minute <= 59
        or not 0 <= fields.second <= 60
        or not 0 <= fields.usec <= USECS_PER_SEC
    ):
        raise DateTimeParseError(FIELD_OVERFLOW)
    return fields


def _time_overflows(fields: TimeFields) -> bool:
    if not 0 <= fields.hour <= 24 or not 0 <= fields.minute < 60 or not 0 <= fields.second <= 60:
        return True
    return fields.total_usec() > USECS_PER_DAY


def decode_timezone(text: str) -> int:
    """DecodeTimezone: `+hh`, `-hh:mm[:ss]`, `+hhmm` as seconds east of UTC."""
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
    if not 0 <= hours <= 15 or not 0 <= minutes < 60 or not 0 <= seconds < 60:
        raise DateTimeParseError(TZDISP_OVERFLOW)
    if position != len(text):
        raise DateTimeParseError(BAD_FORMAT)
    offset = (hours * 60 + minutes) * 60 + seconds
    return -offset if text[0] == "-" else offset


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def find_zone(name: str) -> tzinfo | None:
    """pg_tzset: an IANA zone by case-insensitive name, or None."""
    canonical = _zone_names().get(name.lower())
    return zoneinfo.ZoneInfo(canonical) if canonical else None


def zone_offset_seconds(local: datetime, zone: tzinfo) -> int:
    """DetermineTimeZoneOffset: offset of a local wall-clock time in `zone`.

    In a spring-forward gap PostgreSQL uses the offset before the transition, in a fall-back
    overlap the one after: both are the smaller of the two candidate offsets.
    """
    offsets = [zone.utcoffset(local.replace(fold=fold)) for fold in (0, 1)]
    return int(min(offset or timedelta(0) for offset in offsets).total_seconds())


_OFFSET_PROBES = tuple(
    datetime(year, month, 1) for year in (1850, 1900, 1950, 1990, 2024) for month in (1, 7)
)


def _has_fixed_offset(zone: tzinfo) -> bool:
    """pg_get_timezone_offset's test: a zone whose offset never changed (UTC, Etc/GMT+3)."""
    return len({zone.utcoffset(probe) for probe in _OFFSET_PROBES}) == 1


@dataclass
class DateTimeFields:
    """What DecodeDateTime found; `special` is EPOCH, LATE or EARLY for those words."""

    year: int = 0
    month: int = 0
    day: int = 0
    time: TimeFields | None = None
    offset: int | None = None  # seconds east, from a numeric zone, an abbreviation, now/allballs
    zone: tzinfo | None = None  # a named zone, resolved against the date later
    special: str | None = None
    bc: bool = False
    mask: int = 0

    @property
    def has_date(self) -> bool:
        return self.mask & DATE_MASK == DATE_MASK


class _Decoder:
    """The field-by-field state of DecodeDateTime / DecodeTimeOnly."""

    def __init__(self, session_zone: tzinfo, time_only: bool) -> None:
        self.result = DateTimeFields(time=TimeFields())
        self.session_zone = session_zone
        self.time_only = time_only
        self.mask = 0
        self.two_digit_year = False
        self.text_month = False
        self.meridiem: str | None = None
        self.iso_time_next = False

    @property
    def time(self) -> TimeFields:
        assert self.result.time is not None
        return self.result.time

    def set_clock(self, hour: int, minute: int, second: int) -> None:
        self.time.hour, self.time.minute, self.time.second = hour, minute, second

    def claim(self, bits: int) -> None:
        if bits & self.mask:
            raise DateTimeParseError(BAD_FORMAT)
        self.mask |= bits

    # -- DecodeNumber / DecodeNumberField / DecodeDate -------------------------------------

    def decode_number_field(self, text: str, mask: int) -> int:
        """Run-together digits: yyyymmdd, yymmdd, hhmmss, hhmm (optionally with .fraction)."""
        if "." in text:
            whole, _, fraction = text.partition(".")
            self.time.usec = round(float("0." + fraction) * USECS_PER_SEC) if fraction else 0
            text = whole
        elif mask & DATE_MASK != DATE_MASK and len(text) >= 6:
            self.result.day = int(text[-2:])
            self.result.month = int(text[-4:-2])
            self.result.year = int(text[:-4])
            self.two_digit_year = len(text) - 4 == 2
            return DATE_MASK
        if mask & TIME_MASK != TIME_MASK:
            if len(text) == 6:
                self.set_clock(int(text[:2]), int(text[2:4]), int(text[4:]))
                return TIME_MASK
            if len(text) == 4:
                self.set_clock(int(text[:2]), int(text[2:]), 0)
                return TIME_MASK
        raise DateTimeParseError(BAD_FORMAT)

    def decode_number(self, text: str, text_month: bool, mask: int) -> int:
        value, position = strtoint(text)
        if position == 0:
            raise DateTimeParseError(BAD_FORMAT)
        _int32(value)
        if text[position : position + 1] == ".":
            if position > 2:
                return self.decode_number_field(text, mask | DATE_MASK)
            self.time.usec = parse_fractional_second(text[position:])
        elif position != len(text):
            raise DateTimeParseError(BAD_FORMAT)
        length = len(text)
        date_bits = mask & DATE_MASK
        result = self.result
        if date_bits == 0:
            if length >= 3:
                bits, result.year = YEAR, value
            else:
                bits, result.month = MONTH, value
        elif date_bits == YEAR:
            bits, result.month = MONTH, value
        elif date_bits == MONTH:
            if text_month and length >= 3:
                bits, result.year = YEAR, value
            else:
                bits, result.day = DAY, value
        elif date_bits == YEAR | MONTH:
            if text_month and length >= 3 and self.two_digit_year:
                bits, result.day, result.year = DAY, result.year, value
                self.two_digit_year = False
            else:
                bits, result.day = DAY, value
        elif date_bits == DAY:
            bits, result.month = MONTH, value
        elif date_bits == MONTH | DAY:
            bits, result.year = YEAR, value
        elif date_bits == DATE_MASK:
            return self.decode_number_field(text, mask)
        else:
            raise DateTimeParseError(BAD_FORMAT)
        if bits == YEAR:
            self.two_digit_year = length <= 2
        return bits

    def decode_date(self, text: str, mask: int) -> int:
        """DecodeDate: a delimited date such as 2024-01-02, 01/02/2024 or 02-jan-2024."""
        parts = re.findall(r"\d+|[a-zA-Z]+|[^\da-zA-Z]+", text)
        subfields = [part for part in parts if part[0].isalnum()]
        if not subfields or not parts[-1][0].isalnum():
            raise DateTimeParseError(BAD_FORMAT)
        given = 0
        text_month = False
        numbers = []
        for part in subfields:
            if part[0].isalpha():
                kind, value = DATE_TOKENS.get(part.lower()[:TOKEN_MAX_LEN], (None, None))
                if kind == IGNORED:
                    continue
                if kind != MONTH_NAME or (mask | given) & MONTH:
                    raise DateTimeParseError(BAD_FORMAT)
                assert isinstance(value, int)
                self.result.month = value
                text_month = True
                given |= MONTH
            else:
                numbers.append(part)
        for part in numbers:
            bits = self.decode_number(part, text_month, mask | given)
            if (mask | given) & bits:
                raise DateTimeParseError(BAD_FORMAT)
            given |= bits
        if (mask | given) & DATE_MASK != DATE_MASK:
            raise DateTimeParseError(BAD_FORMAT)
        return given

    # -- DecodeDateTime ---------------------------------------------------------------------

    def decode(self, fields: list[tuple[str, str]]) -> DateTimeFields:
        for index, (text, field_type) in enumerate(fields):
            self.claim(self.decode_field(fields, index, text, field_type))
        if self.result.special is None:
            self.validate_date()
        self.apply_meridiem()
        self.result.mask = self.mask
        return self.result

    def decode_field(self, fields: list[tuple[str, str]], index: int, text: str, field_type: str) -> int:
        if field_type == DATE:
            if self.time_only:
                return self.decode_date_field_of_time(fields, index, text)
            return self.decode_date_field(text)
        if field_type == TIME:
            self.iso_time_next = False
            decoded = decode_time(text)
            self.result.time = decoded
            if _time_overflows(decoded):
                raise DateTimeParseError(FIELD_OVERFLOW)
            return TIME_MASK
        if field_type == TZ_FIELD:
            self.result.offset = decode_timezone(text)
            return TZ
        if field_type == NUMBER:
            return self.decode_number_token(text)
        return self.decode_word(fields, index, text)

    def decode_date_field(self, text: str) -> int:
        """DecodeDateTime's DTK_DATE: a date, or once the date is known a zone name or hhmmss-zz."""
        if self.mask & DATE_MASK == DATE_MASK or self.iso_time_next:
            return self.decode_zone_or_zoned_time(text, self.mask)
        return self.decode_date(text, self.mask)

    def decode_date_field_of_time(self, fields: list[tuple[str, str]], index: int, text: str) -> int:
        """DecodeTimeOnly's DTK_DATE: a leading date (ignored later), else a zone or hhmmss-zz."""
        if index == 0 and len(fields) >= 2 and (fields[-1][1] == DATE or fields[1][1] == TIME):
            return self.decode_date(text, self.mask)
        return self.decode_zone_or_zoned_time(text, self.mask | DATE_MASK)

    def decode_zone_or_zoned_time(self, text: str, mask: int) -> int:
        if text[0] in _DIGIT or self.iso_time_next:
            self.iso_time_next = False
            if self.mask & TIME_MASK == TIME_MASK or "-" not in text:
                raise DateTimeParseError(BAD_FORMAT)
            cut = text.index("-")
            self.result.offset = decode_timezone(text[cut:])
            return self.decode_number_field(text[:cut], mask) | TZ
        zone = find_zone(text)
        if zone is None:
            raise DatabaseError(INVALID_PARAMETER_VALUE, f'time zone "{text}" not recognized')
        self.result.zone = zone
        return TZ

    def decode_number_token(self, text: str) -> int:
        if self.time_only:
            return self.decode_number_of_time(text)
        if self.iso_time_next:
            self.iso_time_next = False
            bits = self.decode_number_field(text, self.mask | DATE_MASK)
            if bits != TIME_MASK:
                raise DateTimeParseError(BAD_FORMAT)
            return bits
        dot = text.find(".")
        if dot >= 0 and not self.mask & DATE_MASK:
            return self.decode_date(text, self.mask)
        if dot >= 0 and dot > 2:
            return self.decode_number_field(text, self.mask)
        if len(text) >= 6 and (not self.mask & DATE_MASK or not self.mask & TIME_MASK):
            return self.decode_number_field(text, self.mask)
        return self.decode_number(text, self.text_month, self.mask)

    def decode_number_of_time(self, text: str) -> int:
        """DecodeTimeOnly's DTK_NUMBER: hhmmss[.fff], hhmm, or a fraction after `t`."""
        self.iso_time_next = False
        dot = text.find(".")
        if dot >= 0:
            if dot <= 2:
                raise DateTimeParseError(BAD_FORMAT)
            return self.decode_number_field(text, self.mask | DATE_MASK)
        if len(text) > 4:
            return self.decode_number_field(text, self.mask | DATE_MASK)
        return self.decode_number(text, False, self.mask | DATE_MASK)

    def decode_word(self, fields: list[tuple[str, str]], index: int, text: str) -> int:
        abbreviation = ZONE_ABBREVIATIONS.get(text)
        if abbreviation is not None:
            self.result.offset = abbreviation[0]
            return DTZ | TZ if abbreviation[1] else TZ
        kind, value = DATE_TOKENS.get(text[:TOKEN_MAX_LEN], (None, None))
        if kind == IGNORED:
            return 0
        if kind == RESERVED and (not self.time_only or value in (NOW, ZULU)):
            return self.decode_reserved(str(value))
        if kind == MONTH_NAME and not self.time_only:
            assert isinstance(value, int)
            result = self.result
            if self.mask & MONTH and not self.text_month and not self.mask & DAY and 1 <= result.month <= 31:
                result.day = result.month
                bits = DAY
            else:
                bits = MONTH
            self.text_month = True
            result.month = value
            return bits
        if kind == MERIDIEM:
            self.meridiem = str(value)
            return AMPM
        if kind == ERA:
            self.result.bc = bool(value)
            return ADBC
        if kind == WEEKDAY and not self.time_only:
            return DOW
        if kind == ISO_TIME:
            following = fields[index + 1][1] if index + 1 < len(fields) else None
            date_missing = self.mask & DATE_MASK != DATE_MASK and not self.time_only
            if date_missing or following not in (NUMBER, TIME, DATE):
                raise DateTimeParseError(BAD_FORMAT)
            self.iso_time_next = True
            return 0
        if kind is None:
            zone = find_zone(text)
            if zone is None:
                raise DateTimeParseError(BAD_FORMAT)
            self.result.zone = zone
            return TZ
        raise DateTimeParseError(BAD_FORMAT)

    def decode_reserved(self, word: str) -> int:
        result = self.result
        if word in (EPOCH, LATE, EARLY):
            # PostgreSQL 15 lets a time or zone accompany these (and ignores it), not a date.
            result.special = word
            return DATE_MASK
        if word == NOW:
            now = datetime.now(self.session_zone)
            result.year, result.month, result.day = now.year, now.month, now.day
            result.time = TimeFields(now.hour, now.minute, now.second, now.microsecond)
            result.offset = int((now.utcoffset() or timedelta(0)).total_seconds())
            return DATE_MASK | TIME_MASK | TZ
        if word == ZULU:
            result.time = TimeFields()
            result.offset = 0
            return TIME_MASK | TZ
        shift = {TODAY: 0, TOMORROW: 1, YESTERDAY: -1}[word]
        day = datetime.now(self.session_zone).date() + timedelta(days=shift)
        result.year, result.month, result.day = day.year, day.month, day.day
        return DATE_MASK

    def validate_date(self) -> None:
        """ValidateDate: year adjustments, month and day ranges."""
        result, mask = self.result, self.mask
        if mask & DATE_MASK:
            if result.bc:
                if result.year <= 0:
                    raise DateTimeParseError(FIELD_OVERFLOW)
                result.year = -(result.year - 1)
            elif self.two_digit_year:
                if result.year < 0:
                    raise DateTimeParseError(FIELD_OVERFLOW)
                if result.year < 70:
                    result.year += 2000
                elif result.year < 100:
                    result.year += 1900
            elif result.year <= 0:
                raise DateTimeParseError(FIELD_OVERFLOW)
        if mask & MONTH and not 1 <= result.month <= 12:
            raise DateTimeParseError(MD_FIELD_OVERFLOW)
        if mask & DAY and not 1 <= result.day <= 31:
            raise DateTimeParseError(MD_FIELD_OVERFLOW)
        if mask & DATE_MASK == DATE_MASK and result.day > days_in_month(result.year, result.month):
            raise DateTimeParseError(FIELD_OVERFLOW)

    def apply_meridiem(self) -> None:
        time = self.time
        if self.meridiem is not None and time.hour > 12:
            raise DateTimeParseError(FIELD_OVERFLOW)
        if self.meridiem == AM and time.hour == 12:
            time.hour = 0
        elif self.meridiem == PM and time.hour != 12:
            time.hour += 12


def days_in_month(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1]


def decode_datetime(text: str, session_zone: tzinfo) -> DateTimeFields:
    """ParseDateTime + DecodeDateTime for date, timestamp and timestamptz input.

    The result has a full date unless `special` is set; raises DateTimeParseError otherwise.
    """
    result = _Decoder(session_zone, time_only=False).decode(split_fields(text))
    if result.special is None and not result.has_date:
        raise DateTimeParseError(BAD_FORMAT)
    return result


def decode_time_only(text: str, session_zone: tzinfo) -> TimeFields:
    """ParseDateTime + DecodeTimeOnly for time input: a date, if any, and a zone are ignored."""
    result = _Decoder(session_zone, time_only=True).decode(split_fields(text))
    if result.mask & TIME_MASK != TIME_MASK:
        raise DateTimeParseError(BAD_FORMAT)
    if result.zone is not None and not result.has_date and not _has_fixed_offset(result.zone):
        raise DateTimeParseError(BAD_FORMAT)  # the zone's offset depends on a date we lack
    assert result.time is not None
    if _time_overflows(result.time):
        raise DateTimeParseError(FIELD_OVERFLOW)
    return result.time


def local_date(fields: DateTimeFields) -> date:
    """The calendar date of decoded fields (the caller has checked the year range)."""
    return date(fields.year, fields.month, fields.day)
