"""PostgreSQL's interval text input, ported from DecodeInterval and DecodeISO8601Interval (datetime.c).

Postgres form: fields read right to left so a unit names the number before it
(`1 year 2 mons -3 days +04:05:06.5`, `@ 1 hour ago`, `1-2` for years-months, `3 4:05:06`
for days and time, a bare trailing number as seconds); fractional units spill downward
(1.5 years = 1 year 6 mons, 1.5 months = 1 mon 15 days, 1.5 days = 1 day 12:00:00); `ago`
negates everything; a unit given twice is an error. Under IntervalStyle sql_standard a leading
minus with no other sign in the text makes every field negative (`-1 2:03:04` is minus one day,
two hours...), as in PostgreSQL 15. ISO 8601 designator form
`P1Y2M3W4DT5H6M7.5S` and alternative form `P0001-02-03T04:05:06` are tried when the postgres
form fails. Arithmetic mirrors PostgreSQL's (C doubles for fractions, rint rounding, int32
months/days and int64 microseconds with overflow checks).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from heliosdb_lite.protocol.codecs.datetime_lexer import (
    BAD_FORMAT,
    DATE,
    FIELD_OVERFLOW,
    NUMBER,
    SPECIAL,
    STRING,
    TIME,
    TOKEN_MAX_LEN,
    TZ_FIELD,
    DateTimeParseError,
    decode_time,
    parse_fraction,
    split_fields,
    strtoint,
)

MONTHS_PER_YEAR = 12
DAYS_PER_MONTH = 30
USECS_PER_SEC = 1_000_000
USECS_PER_MINUTE = 60 * USECS_PER_SEC
USECS_PER_HOUR = 60 * USECS_PER_MINUTE
USECS_PER_DAY = 24 * USECS_PER_HOUR
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

MICROSECOND = "microsecond"
MILLISECOND = "millisecond"
SECOND = "second"
MINUTE = "minute"
HOUR = "hour"
DAY = "day"
WEEK = "week"
MONTH = "month"
YEAR = "year"
DECADE = "decade"
CENTURY = "century"
MILLENNIUM = "millennium"
AGO = "ago"
_UNIT_WORDS = {
    MICROSECOND: ("microsecon", "us", "usec", "usecs", "useconds", "usecond"),
    MILLISECOND: ("millisecon", "ms", "msec", "msecs", "mseconds", "msecond"),
    SECOND: ("s", "sec", "secs", "second", "seconds"),
    MINUTE: ("m", "min", "mins", "minute", "minutes"),
    HOUR: ("h", "hr", "hrs", "hour", "hours"),
    DAY: ("d", "day", "days"),
    WEEK: ("w", "week", "weeks"),
    MONTH: ("mon", "mons", "month", "months"),
    YEAR: ("y", "yr", "yrs", "year", "years"),
    DECADE: ("dec", "decade", "decades", "decs"),
    CENTURY: ("c", "cent", "century", "centuries"),
    MILLENNIUM: ("mil", "millennia", "millennium", "mils"),
}
UNIT_TOKENS = {word: unit for unit, words in _UNIT_WORDS.items() for word in words} | {AGO: AGO}
_UNIT_BITS = {unit: 1 << index for index, unit in enumerate(_UNIT_WORDS)}
_ALL_SECONDS_BITS = _UNIT_BITS[SECOND] | _UNIT_BITS[MILLISECOND] | _UNIT_BITS[MICROSECOND]
_TIME_BITS = _UNIT_BITS[HOUR] | _UNIT_BITS[MINUTE] | _ALL_SECONDS_BITS
_ISO_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass
class IntervalFields:
    """pg_itm_in: the running sums while decoding."""

    years: int = 0
    months: int = 0
    days: int = 0
    usec: int = 0

    def add_usec(self, value: int, fraction: float, scale: int) -> None:
        """AdjustMicroseconds: value * scale plus the rounded fraction * scale."""
        self.usec = _checked(self.usec + value * scale, INT64_MIN, INT64_MAX)
        self.add_fractional_usec(fraction, scale)

    def add_fractional_usec(self, fraction: float, scale: int) -> None:
        """AdjustFractMicroseconds."""
        if fraction == 0:
            return
        fraction *= scale
        whole = int(fraction)
        self.usec = _checked(self.usec + whole + _rint(fraction - whole), INT64_MIN, INT64_MAX)

    def add_days(self, value: int, scale: int) -> None:
        self.days = _checked(self.days + value * scale, INT32_MIN, INT32_MAX)

    def add_fractional_days(self, fraction: float, scale: int) -> None:
        """AdjustFractDays: whole days to days, the rest to microseconds."""
        if fraction == 0:
            return
        fraction *= scale
        whole = int(fraction)
        self.add_days(whole, 1)
        self.add_fractional_usec(fraction - whole, USECS_PER_DAY)

    def add_months(self, value: int) -> None:
        self.months = _checked(self.months + value, INT32_MIN, INT32_MAX)

    def add_years(self, value: int, scale: int) -> None:
        self.years = _checked(self.years + value * scale, INT32_MIN, INT32_MAX)

    def add_fractional_years(self, fraction: float, scale: int) -> None:
        """AdjustFractYears: rounded to whole months."""
        self.add_months(_rint(fraction * scale * MONTHS_PER_YEAR))

    def add_unit(self, unit: str, value: int, fraction: float) -> None:
        if unit == MICROSECOND:
            self.add_usec(value, fraction, 1)
        elif unit == MILLISECOND:
            self.add_usec(value, fraction, 1000)
        elif unit == SECOND:
            self.add_usec(value, fraction, USECS_PER_SEC)
        elif unit == MINUTE:
            self.add_usec(value, fraction, USECS_PER_MINUTE)
        elif unit == HOUR:
            self.add_usec(value, fraction, USECS_PER_HOUR)
        elif unit == DAY:
            self.add_days(value, 1)
            self.add_fractional_usec(fraction, USECS_PER_DAY)
        elif unit == WEEK:
            self.add_days(value, 7)
            self.add_fractional_days(fraction, 7)
        elif unit == MONTH:
            self.add_months(value)
            self.add_fractional_days(fraction, DAYS_PER_MONTH)
        else:
            scale = {YEAR: 1, DECADE: 10, CENTURY: 100, MILLENNIUM: 1000}[unit]
            self.add_years(value, scale)
            self.add_fractional_years(fraction, scale)

    def negate(self) -> None:
        self.years, self.months, self.days, self.usec = -self.years, -self.months, -self.days, -self.usec

    def total(self) -> tuple[int, int, int]:
        """itmin2interval: (months, days, microseconds); None-free, raises OverflowError."""
        months = self.years * MONTHS_PER_YEAR + self.months
        if not INT32_MIN <= months <= INT32_MAX:
            raise OverflowError("interval out of range")
        return months, self.days, self.usec


def _rint(value: float) -> int:
    return round(value)


def _checked(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise DateTimeParseError(FIELD_OVERFLOW)
    return value


def decode_postgres_interval(text: str, sql_standard: bool = False) -> IntervalFields:
    """DecodeInterval; sql_standard: IntervalStyle sql_standard's reading of a leading minus."""
    fields = split_fields(text)
    result = IntervalFields()
    unit: str | None = None
    seen = 0
    before = False
    force_negative = (sql_standard and bool(fields) and fields[0][0].startswith("-")
                      and not any(field_text[0] in "+-" for field_text, _ in fields[1:]))
    for field_text, field_type in reversed(fields):
        if bits := _time_field(field_text, field_type, result):
            if force_negative and result.usec > 0:
                result.usec = -result.usec
            unit = DAY
        elif field_type in (TZ_FIELD, DATE, NUMBER):
            bits, unit = _decode_number_field(field_text, unit or SECOND, result, force_negative)
        elif field_type in (STRING, SPECIAL):
            # PostgreSQL 15 lets a unit name that no number precedes go unused.
            word = UNIT_TOKENS.get(field_text[:TOKEN_MAX_LEN])
            if word is None:
                raise DateTimeParseError(BAD_FORMAT)
            before = before or word == AGO
            unit = word
            continue
        else:
            raise DateTimeParseError(BAD_FORMAT)
        if bits & seen:
            raise DateTimeParseError(BAD_FORMAT)
        seen |= bits
    if seen == 0:
        raise DateTimeParseError(BAD_FORMAT)
    if before:
        result.negate()
    return result


def _time_field(text: str, field_type: str, result: IntervalFields) -> int:
    """A time field, plain or signed (`+02:03`): its bits, or 0 if the field is none."""
    if field_type == TIME:
        return _decode_time_field(text, result)
    if field_type == TZ_FIELD and ":" in text[1:]:
        return _signed_time_field(text, result)
    return 0


def _decode_time_field(text: str, result: IntervalFields, negative: bool = False) -> int:
    """DecodeTimeForInterval: hh:mm[:ss[.fff]] (or mm:ss.fff). Like PostgreSQL it *replaces* the
    microseconds gathered so far (fractions of days, weeks, months to its right) and a leading
    minus negates the result."""
    time = decode_time(text)
    if time.hour > INT64_MAX // USECS_PER_HOUR:
        raise DateTimeParseError(FIELD_OVERFLOW)
    usec = _checked(time.total_usec(), INT64_MIN, INT64_MAX)
    result.usec = -usec if negative else usec
    return _TIME_BITS


def _signed_time_field(text: str, result: IntervalFields) -> int:
    """A `+hh:mm`-like field as a signed time; 0 (read it as a number instead) if it is none."""
    try:
        return _decode_time_field(text[1:], result, negative=text[0] == "-")
    except DateTimeParseError:
        return 0


def _decode_number_field(text: str, unit: str, result: IntervalFields,
                         force_negative: bool = False) -> tuple[int, str]:
    """A signed number (maybe `y-m`, maybe with a fraction) in `unit`, made negative if
    force_negative; returns (bits, next unit)."""
    value, position = strtoint(text)  # no digits (".5") reads as 0, like C strtol
    value = _checked(value, INT32_MIN, INT32_MAX)
    rest = text[position:]
    fraction = 0.0
    if rest.startswith("-"):
        months, end = strtoint(text, position + 1)
        if not 0 <= months < 12:
            raise DateTimeParseError(FIELD_OVERFLOW)
        if end != len(text):
            raise DateTimeParseError(BAD_FORMAT)
        unit = MONTH
        months = -months if text[0] == "-" else months
        value = _checked(value * MONTHS_PER_YEAR + months, INT32_MIN, INT32_MAX)
    elif rest.startswith("."):
        fraction = parse_fraction(rest)
        if text[0] == "-":
            fraction = -fraction
    elif rest:
        raise DateTimeParseError(BAD_FORMAT)
    if force_negative:
        value, fraction = -abs(value), -abs(fraction)
    if unit == AGO:  # a number right before "ago" names no unit
        raise DateTimeParseError(BAD_FORMAT)
    result.add_unit(unit, value, fraction)
    if unit == SECOND:
        bits = _UNIT_BITS[SECOND] if fraction == 0 else _ALL_SECONDS_BITS
    else:
        bits = _UNIT_BITS[unit]
    return bits, (DAY if unit == HOUR else unit)


def _iso_number(text: str, position: int) -> tuple[int, float, int]:
    """ParseISO8601Number: (integer part truncated toward zero, fraction, end)."""
    match = _ISO_NUMBER.match(text, position)
    if match is None:
        raise DateTimeParseError(BAD_FORMAT)
    number = float(match.group())
    if not INT32_MIN <= number <= INT32_MAX:
        raise DateTimeParseError(FIELD_OVERFLOW)
    whole = math.trunc(number)
    return whole, number - whole, match.end()


def _integer_width(text: str, position: int) -> int:
    """ISO8601IntegerWidth: digits of the field, ignoring a leading '-'."""
    if text[position : position + 1] == "-":
        position += 1
    return len(text[position:]) - len(text[position:].lstrip("0123456789"))


class _IsoCursor:
    """DecodeISO8601Interval's walk over the text after the `P`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 1
        self.result = IntervalFields()

    def number(self) -> tuple[int, float]:
        value, fraction, self.position = _iso_number(self.text, self.position)
        return value, fraction

    def next_char(self) -> str:
        char = self.text[self.position : self.position + 1]
        self.position += 1
        return char

    def peek(self) -> str:
        return self.text[self.position : self.position + 1]


def decode_iso8601_interval(text: str) -> IntervalFields:
    """DecodeISO8601Interval: `P[nY][nM][nW][nD][T[nH][nM][nS]]`, or the alternative formats
    `PYYYYMMDDTHHMMSS` and `PYYYY-MM-DDTHH:MM:SS`."""
    if len(text) < 2 or text[0] != "P":
        raise DateTimeParseError(BAD_FORMAT)
    cursor = _IsoCursor(text)
    result = cursor.result
    date_part, have_field = True, False
    while cursor.position < len(text):
        if cursor.peek() == "T":
            date_part, have_field = False, False
            cursor.position += 1
            continue
        field_start = cursor.position
        value, fraction = cursor.number()
        unit = cursor.next_char()
        if date_part:
            if unit == "Y":
                result.add_years(value, 1)
                result.add_fractional_years(fraction, 1)
            elif unit == "M":
                result.add_months(value)
                result.add_fractional_days(fraction, DAYS_PER_MONTH)
            elif unit == "W":
                result.add_days(value, 7)
                result.add_fractional_days(fraction, 7)
            elif unit == "D":
                result.add_days(value, 1)
                result.add_fractional_usec(fraction, USECS_PER_DAY)
            elif unit in ("T", "") and _integer_width(text, field_start) == 8 and not have_field:
                result.add_years(_c_div(value, 10000), 1)
                result.add_months(_c_rem(_c_div(value, 100), 100))
                result.add_days(_c_rem(value, 100), 1)
                result.add_fractional_usec(fraction, USECS_PER_DAY)
                if unit == "":
                    return result
                date_part, have_field = False, False
                continue
            elif unit in ("T", "", "-"):
                if have_field:
                    raise DateTimeParseError(BAD_FORMAT)
                result.add_years(value, 1)
                result.add_fractional_years(fraction, 1)
                if unit == "":
                    return result
                if unit == "T":
                    date_part, have_field = False, False
                    continue
                value, fraction = cursor.number()
                result.add_months(value)
                result.add_fractional_days(fraction, DAYS_PER_MONTH)
                if cursor.peek() == "":
                    return result
                if cursor.peek() == "T":
                    date_part, have_field = False, False
                    continue
                if cursor.next_char() != "-":
                    raise DateTimeParseError(BAD_FORMAT)
                value, fraction = cursor.number()
                result.add_days(value, 1)
                result.add_fractional_usec(fraction, USECS_PER_DAY)
                if cursor.peek() == "":
                    return result
                if cursor.peek() == "T":
                    date_part, have_field = False, False
                    continue
                raise DateTimeParseError(BAD_FORMAT)
            else:
                raise DateTimeParseError(BAD_FORMAT)
        elif unit == "H":
            result.add_usec(value, fraction, USECS_PER_HOUR)
        elif unit == "M":
            result.add_usec(value, fraction, USECS_PER_MINUTE)
        elif unit == "S":
            result.add_usec(value, fraction, USECS_PER_SEC)
        elif unit == "" and _integer_width(text, field_start) == 6 and not have_field:
            result.add_usec(_c_div(value, 10000), 0.0, USECS_PER_HOUR)
            result.add_usec(_c_rem(_c_div(value, 100), 100), 0.0, USECS_PER_MINUTE)
            result.add_usec(_c_rem(value, 100), fraction, USECS_PER_SEC)
            return result
        elif unit in ("", ":"):
            if have_field:
                raise DateTimeParseError(BAD_FORMAT)
            result.add_usec(value, fraction, USECS_PER_HOUR)
            if unit == "":
                return result
            value, fraction = cursor.number()
            result.add_usec(value, fraction, USECS_PER_MINUTE)
            if cursor.peek() == "":
                return result
            if cursor.next_char() != ":":
                raise DateTimeParseError(BAD_FORMAT)
            value, fraction = cursor.number()
            result.add_usec(value, fraction, USECS_PER_SEC)
            if cursor.peek() == "":
                return result
            raise DateTimeParseError(BAD_FORMAT)
        else:
            raise DateTimeParseError(BAD_FORMAT)
        have_field = True
    return result


def _c_div(value: int, divisor: int) -> int:
    """C integer division (truncates toward zero)."""
    quotient = abs(value) // divisor
    return quotient if value >= 0 else -quotient


def _c_rem(value: int, divisor: int) -> int:
    """C remainder (takes the sign of the dividend)."""
    return value - _c_div(value, divisor) * divisor


def decode_interval(text: str, sql_standard: bool = False) -> tuple[int, int, int]:
    """interval_in (sql_standard: under IntervalStyle sql_standard): (months, days, microseconds);
    DateTimeParseError or OverflowError on failure."""
    try:
        fields = decode_postgres_interval(text, sql_standard)
    except DateTimeParseError as error:
        if error.kind != BAD_FORMAT:
            raise
        fields = decode_iso8601_interval(text)
    return fields.total()
