"""The pieces of PostgreSQL's date/time input shared by date, time, timestamp and interval
(src/backend/utils/adt/datetime.c): ParseDateTime's field splitter, DecodeTime, C-style integer
scanning, and the DTERR failure kinds with the errors DateTimeParseError reports for them.

`split_fields` cuts the text into typed fields: DATE (digits with `-`/`/`/`.` separators or
embedded words, or a zone name such as america/new_york), TIME (digits with `:`), NUMBER
(digits, maybe one `.`), TZ_FIELD (a sign then digits, `:`, `.`, `-`), STRING (a word) and
SPECIAL (a sign then a word); words are lower-cased, other punctuation separates fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from heliosdb_lite.errors import INTERVAL_FIELD_OVERFLOW, INVALID_TIME_ZONE_DISPLACEMENT_VALUE, DatabaseError
from heliosdb_lite.protocol.codecs.faults import datetime_field_overflow, datetime_syntax

BAD_FORMAT = "bad format"
FIELD_OVERFLOW = "field overflow"
MD_FIELD_OVERFLOW = "month/day field overflow"
INTERVAL_OVERFLOW = "interval overflow"
TZDISP_OVERFLOW = "time zone displacement overflow"

DATE, TIME, TZ_FIELD, NUMBER, STRING, SPECIAL = "date", "time", "tz", "number", "string", "special"

MAX_DATE_LEN = 128
MAX_DATE_FIELDS = 25
TOKEN_MAX_LEN = 10
USECS_PER_SEC = 1_000_000

# datetktbl: the keywords of date/time input, as (kind, value).
RESERVED, MONTH_NAME, WEEKDAY, MERIDIEM, ERA, IGNORED, ISO_TIME, UNITS = (
    "reserved", "month", "weekday", "meridiem", "era", "ignored", "isotime", "units"
)  # fmt: skip
EARLY, LATE, EPOCH, NOW, TODAY, TOMORROW, YESTERDAY, ZULU = (
    "-infinity", "infinity", "epoch", "now", "today", "tomorrow", "yesterday", "zulu"
)  # fmt: skip
AM, PM = "am", "pm"
_MONTH_WORDS = [
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
]
DATE_TOKENS: dict[str, tuple[str, object]] = {
    **{word: (RESERVED, word) for word in (EARLY, LATE, EPOCH, NOW, TODAY, TOMORROW, YESTERDAY)},
    "allballs": (RESERVED, ZULU),
    "am": (MERIDIEM, AM),
    "pm": (MERIDIEM, PM),
    "ad": (ERA, False),
    "bc": (ERA, True),
    "at": (IGNORED, None),
    "on": (IGNORED, None),
    "t": (ISO_TIME, None),
    **{
        word: (UNITS, None)
        for word in ["d", "h", "m", "mm", "s", "y", "j", "jd", "julian", "dow", "doy", "isodow", "isoyear"]
    },
    **{word: (MONTH_NAME, index // 2 + 1) for index, word in enumerate(_MONTH_WORDS)},
    "sept": (MONTH_NAME, 9),
    **{
        word: (WEEKDAY, None)
        for word in [
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
        ]
    },
    "dst": (UNITS, None),
}

_LEADING_INT = re.compile(r"[ \t\n\r\f\v]*[+-]?[0-9]+")
SPACE = frozenset(" \t\n\r\f\v")
DIGIT = frozenset("0123456789")
ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
ALNUM = DIGIT | ALPHA
_PUNCTUATION = frozenset(chr(code) for code in range(33, 127)) - ALNUM
_TIME_CHARS = DIGIT | frozenset(":.")
_TZ_CHARS = DIGIT | frozenset(":.-")
_ZONE_NAME_CHARS = ALNUM | frozenset("+-/_.:")


class DateTimeParseError(Exception):
    """A DTERR outcome of the decoders; `kind` is one of the module's kind constants."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def raise_parse_error(error: DateTimeParseError, text: str, type_name: str) -> DatabaseError:
    """The DatabaseError DateTimeParseError() reports for input `text` of `type_name`."""
    if error.kind == FIELD_OVERFLOW:
        return datetime_field_overflow(text)
    if error.kind == MD_FIELD_OVERFLOW:
        return datetime_field_overflow(text, hint='Perhaps you need a different "datestyle" setting.')
    if error.kind == INTERVAL_OVERFLOW:
        return DatabaseError(INTERVAL_FIELD_OVERFLOW, f'interval field value out of range: "{text}"')
    if error.kind == TZDISP_OVERFLOW:
        return DatabaseError(INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                             f'time zone displacement out of range: "{text}"')
    return datetime_syntax(type_name, text)


def strtoint(text: str, start: int = 0) -> tuple[int, int]:
    """C strtol on text[start:]: (value, end); end == start when there are no digits."""
    match = _LEADING_INT.match(text, start)
    if match is None:
        return 0, start
    return int(match.group()), match.end()


def check_int32(value: int) -> int:
    """strtoint's ERANGE: FIELD_OVERFLOW outside int32."""
    if not -(2**31) <= value < 2**31:
        raise DateTimeParseError(FIELD_OVERFLOW)
    return value


def _skip(text: str, position: int, accepted: frozenset[str]) -> int:
    end = len(text)
    while position < end and text[position] in accepted:
        position += 1
    return position


def _numeric_date_field(text: str, position: int, delimiter: str) -> tuple[str, int]:
    """Digits then `-`, `/` or `.`: a date (2024-01-02, 02-jan-2024) or a decimal number."""
    position += 1
    if text[position : position + 1] in DIGIT:
        field_type = NUMBER if delimiter == "." else DATE
        position = _skip(text, position, DIGIT)
        if text[position : position + 1] == delimiter:
            field_type = DATE
            position = _skip(text, position + 1, DIGIT | {delimiter})
        return field_type, position
    return DATE, _skip(text, position, ALNUM | {delimiter})


def split_fields(text: str) -> list[tuple[str, str]]:
    """ParseDateTime: [(field text, field type)]; BAD_FORMAT if malformed.

    A word directly followed by a digit or `+` starts a zone name (utc+3) unless it is a
    datetktbl keyword (such as the ISO `t` of 20240102t030405).
    """
    if len(text) >= MAX_DATE_LEN:
        raise DateTimeParseError(BAD_FORMAT)
    fields: list[tuple[str, str]] = []
    position, end = 0, len(text)
    while position < end:
        char = text[position]
        start = position
        if char in SPACE:
            position += 1
            continue
        if char in DIGIT:
            position = _skip(text, position, DIGIT)
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
            position = _skip(text, position + 1, DIGIT)
            fields.append((text[start:position], NUMBER))
        elif char in ALPHA:
            position = _skip(text, position, ALPHA)
            word = text[start:position].lower()
            following = text[position : position + 1]
            is_zone_or_date = following in ("-", "/", ".")
            if following == "+" or following in DIGIT:
                is_zone_or_date = word[:TOKEN_MAX_LEN] not in DATE_TOKENS
            if is_zone_or_date:
                position = _skip(text, position + 1, _ZONE_NAME_CHARS)
                fields.append((text[start:position].lower(), DATE))
            else:
                fields.append((word, STRING))
        elif char in "+-":
            position = _skip(text, position + 1, SPACE)
            following = text[position : position + 1]
            if following in DIGIT:
                digits_start = position
                position = _skip(text, position + 1, _TZ_CHARS)
                fields.append((char + text[digits_start:position], TZ_FIELD))
            elif following in ALPHA:
                word_start = position
                position = _skip(text, position, ALPHA)
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


@dataclass
class TimeFields:
    """hour:minute:second plus microseconds as DecodeTime leaves them (hour may exceed 24)."""

    hour: int = 0
    minute: int = 0
    second: int = 0
    usec: int = 0

    def total_usec(self) -> int:
        return ((self.hour * 60 + self.minute) * 60 + self.second) * USECS_PER_SEC + self.usec

    def overflows_day(self) -> bool:
        """time_overflows: fields out of range or past 24:00:00 (second 60 is allowed)."""
        if not 0 <= self.hour <= 24 or not 0 <= self.minute < 60 or not 0 <= self.second <= 60:
            return True
        return not 0 <= self.usec <= USECS_PER_SEC or self.total_usec() > 24 * 3600 * USECS_PER_SEC


def parse_fraction(text: str) -> float:
    """ParseFraction: `.ddd` (a lone `.` is 0); BAD_FORMAT on anything after the number."""
    if not text.startswith("."):
        raise DateTimeParseError(BAD_FORMAT)
    if text == ".":
        return 0.0
    try:
        return float(text)
    except ValueError:
        raise DateTimeParseError(BAD_FORMAT) from None


def parse_fractional_second(text: str) -> int:
    """ParseFractionalSecond: `.ddd` as rounded microseconds."""
    return round(parse_fraction(text) * USECS_PER_SEC)


def decode_time(text: str) -> TimeFields:
    """DecodeTimeCommon: hh:mm, hh:mm:ss[.fff] or mm:ss.fff; every field but the hour range-checked."""
    fields = TimeFields()
    fields.hour, position = strtoint(text)
    if text[position : position + 1] != ":":
        raise DateTimeParseError(BAD_FORMAT)
    fields.minute, position = strtoint(text, position + 1)
    check_int32(fields.minute)
    rest = text[position:]
    if rest.startswith("."):
        fields.usec = parse_fractional_second(rest)
        fields.hour, fields.minute, fields.second = 0, check_int32(fields.hour), fields.minute
    elif rest.startswith(":"):
        fields.second, position = strtoint(text, position + 1)
        check_int32(fields.second)
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
