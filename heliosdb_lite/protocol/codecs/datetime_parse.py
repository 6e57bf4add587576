"""PostgreSQL 15's date/time text input (DecodeDateTime, DecodeTimeOnly, DecodeDate, DecodeNumber,
DecodeNumberField, ValidateDate of src/backend/utils/adt/datetime.c).

Fields from datetime_lexer.split_fields are assigned left to right to year, month, day,
day-of-year, time and zone, each claiming bits of a mask so that a field given twice is an
error, with PostgreSQL's heuristics: YYYY-MM-DD, two-digit fields in the DateStyle's order
(MM/DD/YY for MDY, DD/MM/YY for DMY, YY/MM/DD for YMD), month names in any position,
run-together yyyymmdd / hhmmss, `T` before a time, AM/PM, AD/BC, two-digit years (70..99 ->
19xx, else 20xx), numeric zones, abbreviations and zone names, and the special words epoch,
infinity, -infinity, now, today, tomorrow, yesterday, allballs.

Not ported: Julian days (J2451187), labelled fields (y2024m01d02), the `DST` modifier and the
date-dependent zone abbreviations: such input is rejected as invalid syntax. `now` and its
relatives read the wall clock, not the transaction start time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from heliosdb_lite.errors import INVALID_PARAMETER_VALUE, DatabaseError
from heliosdb_lite.protocol.codecs.datetime_lexer import (
    AM,
    BAD_FORMAT,
    DATE,
    DATE_TOKENS,
    DIGIT,
    EARLY,
    EPOCH,
    ERA,
    FIELD_OVERFLOW,
    IGNORED,
    ISO_TIME,
    LATE,
    MD_FIELD_OVERFLOW,
    MERIDIEM,
    MONTH_NAME,
    NOW,
    NUMBER,
    PM,
    RESERVED,
    TIME,
    TODAY,
    TOKEN_MAX_LEN,
    TOMORROW,
    TZ_FIELD,
    USECS_PER_SEC,
    WEEKDAY,
    ZULU,
    DateTimeParseError,
    TimeFields,
    check_int32,
    decode_time,
    parse_fractional_second,
    split_fields,
    strtoint,
)
from heliosdb_lite.protocol.codecs.styles import DMY, MDY, YMD
from heliosdb_lite.protocol.codecs.time_zones import (
    DYNAMIC_ABBREVIATIONS,
    ZONE_ABBREVIATIONS,
    decode_timezone,
    find_zone,
    has_fixed_offset,
    posix_fixed_offset,
)

# Field bits of the "already given" mask (DTK_M of datetime.h).
YEAR, MONTH, DAY, DOY = 1 << 0, 1 << 1, 1 << 2, 1 << 3
HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
TZ, DTZ, AMPM, ADBC, DOW, RESERVED_WORD = 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14
DATE_MASK = YEAR | MONTH | DAY
TIME_MASK = HOUR | MINUTE | SECOND | MILLISECOND | MICROSECOND

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass
class DateTimeFields:
    """What DecodeDateTime found; `special` is EPOCH, LATE or EARLY for those words."""

    year: int = 0
    month: int = 0
    day: int = 0
    year_day: int = 0
    time: TimeFields = field(default_factory=TimeFields)
    offset: int | None = None  # seconds east: a numeric zone, an abbreviation, now, allballs
    zone: tzinfo | None = None  # a named zone, to be resolved against the date
    zone_abbreviation: str | None = None  # set when the zone came from a dynamic abbreviation (MSK)
    special: str | None = None
    mask: int = 0

    @property
    def has_date(self) -> bool:
        return self.mask & DATE_MASK == DATE_MASK


def days_in_month(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1]


def date2j(year: int, month: int, day: int) -> int:
    """PostgreSQL's date2j: Julian day number of a proleptic Gregorian date."""
    if month > 2:
        month, year = month + 1, year + 4800
    else:
        month, year = month + 13, year + 4799
    century = year // 100
    return year * 365 - 32167 + year // 4 - century + century // 4 + 7834 * month // 256 + day


def j2date(julian_day: int) -> tuple[int, int, int]:
    """PostgreSQL's j2date."""
    julian = julian_day + 32044
    quad = julian // 146097
    extra = (julian - quad * 146097) * 4 + 3
    julian += 60 + quad * 3 + extra // 146097
    quad = julian // 1461
    julian -= quad * 1461
    y = julian * 4 // 1461
    julian = ((julian + 305) % 365 if y != 0 else (julian + 306) % 366) + 123
    y += quad * 4
    quad = julian * 2141 // 65536
    return y - 4800, (quad + 10) % 12 + 1, julian - 7834 * quad // 256


def _atoi(digits: str) -> int:
    """C atoi on a digit string as glibc does it: saturate at LONG_MAX, then keep the low 32 bits."""
    value = min(int(digits), 2**63 - 1) & 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


class _Decoder:
    """The field-by-field state of DecodeDateTime (time_only False) or DecodeTimeOnly."""

    def __init__(self, session_zone: tzinfo, time_only: bool, date_order: str) -> None:
        self.result = DateTimeFields()
        self.session_zone = session_zone
        self.date_order = date_order
        self.time_only = time_only
        self.mask = 0
        self.two_digit_year = False
        self.text_month = False
        self.bc = False
        self.meridiem: str | None = None
        self.iso_time_next = False

    def decode(self, fields: list[tuple[str, str]]) -> DateTimeFields:
        for index, (text, field_type) in enumerate(fields):
            bits = self.decode_field(fields, index, text, field_type)
            if bits & self.mask:
                raise DateTimeParseError(BAD_FORMAT)
            self.mask |= bits
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
            self.result.time = decode_time(text)
            check_int32(self.result.time.hour)
            if not self.time_only and self.result.time.overflows_day():
                raise DateTimeParseError(FIELD_OVERFLOW)
            return TIME_MASK
        if field_type == TZ_FIELD:
            self.result.offset = decode_timezone(text)
            return TZ
        if field_type == NUMBER:
            if self.iso_time_next:
                return self.decode_iso_time_number(text)
            if self.time_only:
                return self.decode_number_of_time(index, fields, text)
            return self.decode_number_token(text)
        return self.decode_word(fields, index, text)

    # -- fields that may be dates, zones or run-together times ------------------------------

    def decode_date_field(self, text: str) -> int:
        """DecodeDateTime's DTK_DATE: a date, or once month and day are known a zone or hhmmss-zz."""
        if self.iso_time_next or self.mask & (MONTH | DAY) == MONTH | DAY:
            return self.decode_zone_or_zoned_time(text, self.mask, after_t=self.iso_time_next)
        return self.decode_date(text, self.mask)

    def decode_date_field_of_time(self, fields: list[tuple[str, str]], index: int, text: str) -> int:
        """DecodeTimeOnly's DTK_DATE: a leading date (ignored later), else a zone or hhmmss-zz."""
        if index == 0 and len(fields) >= 2 and (fields[-1][1] == DATE or fields[1][1] == TIME):
            return self.decode_date(text, self.mask)
        return self.decode_zone_or_zoned_time(text, self.mask | DATE_MASK, after_t=False)

    def decode_zone_or_zoned_time(self, text: str, number_mask: int, after_t: bool) -> int:
        if text[0] in DIGIT or after_t:
            self.iso_time_next = False
            if self.mask & TIME_MASK == TIME_MASK or "-" not in text:
                raise DateTimeParseError(BAD_FORMAT)
            cut = text.index("-")
            self.result.offset = decode_timezone(text[cut:])
            return self.decode_number_field(text[:cut], number_mask) | TZ
        if not self.use_zone_name(text):
            raise DatabaseError(INVALID_PARAMETER_VALUE, f'time zone "{text}" not recognized')
        return TZ

    def use_zone_name(self, name: str) -> bool:
        """pg_tzset: take a zone name (or a fixed POSIX zone) if it is one."""
        zone = find_zone(name)
        if zone is not None:
            self.result.zone = zone
            return True
        offset = posix_fixed_offset(name)
        if offset is not None:
            self.result.offset = offset
        return offset is not None

    # -- numbers: DecodeNumber, DecodeNumberField -------------------------------------------

    def decode_iso_time_number(self, text: str) -> int:
        """A number after `t`: hhmmss[.fff] or hhmm."""
        self.iso_time_next = False
        value, end = strtoint(text)
        check_int32(value)
        if text[end : end + 1] not in ("", "."):
            raise DateTimeParseError(BAD_FORMAT)
        bits = self.decode_number_field(text, self.mask | DATE_MASK)
        if bits != TIME_MASK:
            raise DateTimeParseError(BAD_FORMAT)
        return bits

    def decode_number_token(self, text: str) -> int:
        """DecodeDateTime's DTK_NUMBER."""
        dot = text.find(".")
        if dot >= 0 and not self.mask & DATE_MASK:
            return self.decode_date(text, self.mask)
        if dot > 2:
            return self.decode_number_field(text, self.mask)
        if len(text) >= 6 and (not self.mask & DATE_MASK or not self.mask & TIME_MASK):
            return self.decode_number_field(text, self.mask)
        return self.decode_number(text, self.text_month, self.mask)

    def decode_number_of_time(self, index: int, fields: list[tuple[str, str]], text: str) -> int:
        """DecodeTimeOnly's DTK_NUMBER: a date only as the first of several fields, else a time."""
        dot = text.find(".")
        if dot >= 0:
            if index == 0 and len(fields) >= 2 and fields[-1][1] == DATE:
                return self.decode_date(text, self.mask)
            if dot <= 2:
                raise DateTimeParseError(BAD_FORMAT)
            return self.decode_number_field(text, self.mask | DATE_MASK)
        if len(text) > 4:
            return self.decode_number_field(text, self.mask | DATE_MASK)
        return self.decode_number(text, False, self.mask | DATE_MASK)

    def decode_number_field(self, text: str, mask: int) -> int:
        """Run-together digits: [yy]yymmdd, hhmmss or hhmm, hhmmss possibly with a fraction."""
        result = self.result
        if "." in text:
            text, _, fraction = text.partition(".")
            result.time.usec = round(float("0." + fraction) * USECS_PER_SEC) if fraction else 0
        elif mask & DATE_MASK != DATE_MASK and len(text) >= 6:
            result.year, result.month, result.day = _atoi(text[:-4]), int(text[-4:-2]), int(text[-2:])
            self.two_digit_year = len(text) == 6
            return DATE_MASK
        if mask & TIME_MASK != TIME_MASK and len(text) in (4, 6):
            result.time.hour, result.time.minute = int(text[:2]), int(text[2:4])
            result.time.second = int(text[4:]) if len(text) == 6 else 0
            return TIME_MASK
        raise DateTimeParseError(BAD_FORMAT)

    def decode_number(self, text: str, text_month: bool, mask: int) -> int:
        """A plain number that is the next date part in context (DecodeNumber)."""
        value, position = strtoint(text)
        if position == 0:
            raise DateTimeParseError(BAD_FORMAT)
        check_int32(value)
        if text[position : position + 1] == ".":
            if position > 2:
                return self.decode_number_field(text, mask | DATE_MASK)
            self.result.time.usec = parse_fractional_second(text[position:])
        elif position != len(text):
            raise DateTimeParseError(BAD_FORMAT)
        length = len(text)
        result = self.result
        date_bits = mask & DATE_MASK
        if length == 3 and date_bits == YEAR and 1 <= value <= 366:
            result.year_day = value
            return DOY | MONTH | DAY
        year_first = length >= 3 or self.date_order == YMD
        if date_bits == 0:  # YYYY-..., else the DateStyle's order
            if year_first:
                bits, result.year = YEAR, value
            elif self.date_order == DMY:
                bits, result.day = DAY, value
            else:
                bits, result.month = MONTH, value
        elif date_bits == YEAR:
            bits, result.month = MONTH, value
        elif date_bits == MONTH:
            if text_month and year_first:
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
        """DecodeDate: a delimited date (2024-01-02, 01/02/2024, 02-jan-2024, 2024.100)."""
        subfields: list[str] = []
        position, end = 0, len(text)
        while position < end:
            while position < end and not text[position].isalnum():
                position += 1
            if position == end:
                raise DateTimeParseError(BAD_FORMAT)
            start = position
            same_kind = str.isdigit if text[position].isdigit() else str.isalpha
            while position < end and same_kind(text[position]):
                position += 1
            subfields.append(text[start:position])
            position += 1  # the separator, whatever it is
        given = 0
        text_month = False
        remaining = []
        for word in subfields:
            kind, value = DATE_TOKENS.get(word.lower()[:TOKEN_MAX_LEN], (None, None))
            if not word[0].isalpha() or kind == IGNORED:
                remaining.append(word)  # an ignored word stays and later fails as a number
                continue
            if kind != MONTH_NAME or (mask | given) & MONTH:
                raise DateTimeParseError(BAD_FORMAT)
            assert isinstance(value, int)
            self.result.month = value
            text_month = True
            given |= MONTH
        for number in remaining:
            bits = self.decode_number(number, text_month, mask | given)
            if (mask | given) & bits:
                raise DateTimeParseError(BAD_FORMAT)
            given |= bits
        if (mask | given) & ~(DOY | TZ) != DATE_MASK:
            raise DateTimeParseError(BAD_FORMAT)
        return given

    # -- words --------------------------------------------------------------------------------

    def decode_word(self, fields: list[tuple[str, str]], index: int, text: str) -> int:
        abbreviation = ZONE_ABBREVIATIONS.get(text)
        if abbreviation is not None:
            self.result.offset, daylight = abbreviation
            return DTZ | TZ if daylight else TZ
        if text in DYNAMIC_ABBREVIATIONS:
            self.result.zone = find_zone(DYNAMIC_ABBREVIATIONS[text])
            self.result.zone_abbreviation = text.upper()
            return TZ
        kind, value = DATE_TOKENS.get(text[:TOKEN_MAX_LEN], (None, None))
        if kind == IGNORED:
            return 0
        if kind == RESERVED:
            return self.decode_reserved(str(value))
        if kind == MERIDIEM:
            self.meridiem = str(value)
            return AMPM
        if kind == ERA:
            self.bc = bool(value)
            return ADBC
        if kind == ISO_TIME:
            following = fields[index + 1][1] if index + 1 < len(fields) else None
            date_missing = not self.time_only and self.mask & DATE_MASK != DATE_MASK
            if date_missing or following not in (NUMBER, TIME, DATE):
                raise DateTimeParseError(BAD_FORMAT)
            self.iso_time_next = True
            return 0
        if kind is None:
            if not self.use_zone_name(text):
                raise DateTimeParseError(BAD_FORMAT)
            return TZ
        if self.time_only:  # month and weekday names, labelled units: not in a time
            raise DateTimeParseError(BAD_FORMAT)
        if kind == MONTH_NAME:
            assert isinstance(value, int)
            return self.decode_month_name(value)
        if kind == WEEKDAY:
            return DOW
        raise DateTimeParseError(BAD_FORMAT)

    def decode_month_name(self, month: int) -> int:
        result = self.result
        bits = MONTH
        if self.mask & MONTH and not self.text_month and not self.mask & DAY and 1 <= result.month <= 31:
            result.day = result.month  # "2 Jan": the number read as a month was the day
            bits = DAY
        self.text_month = True
        result.month = month
        return bits

    def decode_reserved(self, word: str) -> int:
        """A special word. As in PostgreSQL 15 the last one wins: now, today, tomorrow, yesterday
        and allballs make the input an ordinary date again after epoch or infinity."""
        result = self.result
        if self.time_only and word not in (NOW, ZULU):
            raise DateTimeParseError(BAD_FORMAT)
        if word in (EPOCH, LATE, EARLY):
            result.special = word
            return RESERVED_WORD
        result.special = None
        if word == NOW:
            now = datetime.now(self.session_zone)
            result.time = TimeFields(now.hour, now.minute, now.second, now.microsecond)
            if self.time_only:
                return TIME_MASK
            result.year, result.month, result.day = now.year, now.month, now.day
            result.offset = int((now.utcoffset() or timedelta(0)).total_seconds())
            return DATE_MASK | TIME_MASK | TZ
        if word == ZULU:
            result.time = TimeFields()
            result.offset = 0
            return TIME_MASK | TZ
        shift = {TODAY: 0, TOMORROW: 1}.get(word, -1)
        day = datetime.now(self.session_zone).date() + timedelta(days=shift)
        result.year, result.month, result.day = day.year, day.month, day.day
        return DATE_MASK

    # -- final checks -----------------------------------------------------------------------

    def validate_date(self) -> None:
        """ValidateDate: BC and two-digit years, day of year, month and day ranges."""
        result, mask = self.result, self.mask
        if mask & YEAR:
            if self.bc:
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
        if mask & DOY:
            result.year, result.month, result.day = j2date(date2j(result.year, 1, 1) + result.year_day - 1)
        if mask & MONTH and not 1 <= result.month <= 12:
            raise DateTimeParseError(MD_FIELD_OVERFLOW)
        if mask & DAY and not 1 <= result.day <= 31:
            raise DateTimeParseError(MD_FIELD_OVERFLOW)
        if mask & DATE_MASK == DATE_MASK and result.day > days_in_month(result.year, result.month):
            raise DateTimeParseError(FIELD_OVERFLOW)

    def apply_meridiem(self) -> None:
        time = self.result.time
        if self.meridiem is not None and time.hour > 12:
            raise DateTimeParseError(FIELD_OVERFLOW)
        if self.meridiem == AM and time.hour == 12:
            time.hour = 0
        elif self.meridiem == PM and time.hour != 12:
            time.hour += 12


def decode_datetime(text: str, session_zone: tzinfo, date_order: str = MDY) -> DateTimeFields:
    """ParseDateTime + DecodeDateTime for date, timestamp and timestamptz input, ambiguous dates
    read in date_order (DateStyle's MDY, DMY or YMD).

    The result has a full date unless `special` is set; DateTimeParseError otherwise.
    """
    decoder = _Decoder(session_zone, time_only=False, date_order=date_order)
    result = decoder.decode(split_fields(text))
    if decoder.iso_time_next or (result.special is None and not result.has_date):
        raise DateTimeParseError(BAD_FORMAT)
    return result


def decode_time_only(text: str, session_zone: tzinfo, date_order: str = MDY) -> DateTimeFields:
    """ParseDateTime + DecodeTimeOnly for time and timetz input: the time, and the zone and date
    as given (time ignores them; timetz resolves its offset from them); the checks of both."""
    decoder = _Decoder(session_zone, time_only=True, date_order=date_order)
    result = decoder.decode(split_fields(text))
    if result.time.overflows_day():
        raise DateTimeParseError(FIELD_OVERFLOW)
    if decoder.iso_time_next or result.mask & TIME_MASK != TIME_MASK:
        raise DateTimeParseError(BAD_FORMAT)
    date_bits = result.mask & DATE_MASK
    if result.zone is not None and result.zone_abbreviation is None:
        if not has_fixed_offset(result.zone) and date_bits != DATE_MASK:
            raise DateTimeParseError(BAD_FORMAT)  # the zone's offset depends on a date we lack
    elif (result.zone is not None or not result.mask & TZ) and date_bits not in (0, DATE_MASK):
        raise DateTimeParseError(BAD_FORMAT)  # a partial date cannot place the time
    return result
