"""PostgreSQL casts between codec-model values: `x::type`, assignment to typed columns.

`convert(value, source_oid, target_oid, typmod, tz=..., style=..., explicit=...)` follows PostgreSQL:
text input/output functions, in the session's DateStyle and IntervalStyle, for casts from/to
strings (`'t'::bool`, `true::text` = 'true', `'01/02/03'::date`), rounding
for numeric/float → integer (half away from zero for numeric, half even for floats), float →
numeric through 15 significant digits, numeric → float through its text (rounded once, 22003 out
of the float's range), timestamp ↔ timestamptz in the session time zone, a range to its multirange,
a row to a composite type field by field (dates and time stamps outside years 1..9999, and casts
whose result leaves them, by `datetime_instants`), and the type modifier: numeric(p,s) rounds and checks
(22003), varchar(n)/char(n) truncate on an explicit cast and raise 22001 on assignment, char(n) pads.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from heliosdb_lite.engine.types import datetime_instants
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.exact_numeric import round_to_scale
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.engine.types.value_storage import check_integer, from_storage
from heliosdb_lite.errors import (
    CANNOT_COERCE,
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER_VALUE,
    NUMERIC_VALUE_OUT_OF_RANGE,
    STRING_DATA_RIGHT_TRUNCATION,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import far_dates, jsons, network, range_values, times, user_types
from heliosdb_lite.protocol.codecs.composites import Record
from heliosdb_lite.protocol.codecs.oids import RECORD
from heliosdb_lite.protocol.codecs.styles import DEFAULT_STYLE, TextStyle
from heliosdb_lite.protocol.codecs.time_zones import wall_clock_instant

UTC = dt.UTC

_TEXT_LIKE = frozenset({t.TEXT, t.VARCHAR, t.BPCHAR, t.NAME, t.CHAR, t.UNKNOWN})
_FLOAT_DIGITS = {t.FLOAT4: 6, t.FLOAT8: 15}
_INFINITE_TYPES = frozenset({t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ})  # the types ±infinity converts between


def convert(value: Any, source: int, target: int, typmod: int = -1, *, tz: dt.tzinfo = UTC,
            style: TextStyle = DEFAULT_STYLE, explicit: bool = True) -> Any:
    """value (of type source) as a value of type target with modifier typmod."""
    if value is None:
        return None
    composite = user_types.COMPOSITES.get(target)
    if source != target and composite is not None and isinstance(value, Record):
        return _row_as(value, source, composite, tz, style, explicit)
    if source != target:
        value = _convert_type(value, source, target, tz, style)
    if typmod >= 0:
        value = apply_typmod(value, target, typmod, explicit=explicit)
    return value


def stored_text(oid: int, value: Any, tz: dt.tzinfo = dt.UTC, style: TextStyle = DEFAULT_STYLE) -> str:
    """A value as SQLite stores it for type `oid`, as PostgreSQL's output function writes it (in
    time zone `tz` and `style`): a key in an error's DETAIL."""
    return codecs.encode_text(oid, from_storage(oid)(value), tz=tz, style=style).decode()


def text_output(value: Any, oid: int, tz: dt.tzinfo, style: TextStyle = DEFAULT_STYLE) -> str:
    """What `value::text` gives (the output function, except booleans say true/false and char(n)
    loses its padding)."""
    if oid == t.BOOL:
        return "true" if value else "false"
    if oid == t.BPCHAR:
        return str(value).rstrip(" ")
    if oid in _TEXT_LIKE:
        return str(value)
    if oid in t.NETWORK_TYPES:  # text(inet): the address with its mask length, always
        return network.show(value)
    return codecs.encode_text(oid, value, tz=tz, style=style).decode()


def _text_like(oid: int) -> bool:
    """A string type: a built-in one, or an extension's of the string category (citext)."""
    if oid in _TEXT_LIKE:
        return True
    base = user_types.BASE_TYPES.get(oid)
    return base is not None and base.category == "S"


def _jsonb_scalar(value: str, target: int) -> Any:
    """A jsonb number as numeric, a jsonb boolean as bool: what jsonb's casts to the number types
    and boolean read (22023 for another kind of value, as PostgreSQL)."""
    parsed = jsons.parse_jsonb(value)
    kind = "object" if isinstance(parsed, dict) else "array" if isinstance(parsed, list) else \
        "string" if isinstance(parsed, str) else "null" if parsed is None else \
        "boolean" if isinstance(parsed, bool) else "numeric"
    if kind != ("boolean" if target == t.BOOL else "numeric"):
        raise DatabaseError(INVALID_PARAMETER_VALUE,
                            f"cannot cast jsonb {kind} to type {format_type(target, -1)}")
    return parsed if kind == "boolean" else Decimal(parsed)


def _convert_type(value: Any, source: int, target: int, tz: dt.tzinfo, style: TextStyle) -> Any:
    if source == t.JSONB and (target in t.NUMBER_TYPES or target == t.BOOL):
        value, source = _jsonb_scalar(value, target), t.BOOL if target == t.BOOL else t.NUMERIC
        if source == target:
            return value
    if _text_like(target):
        return text_output(value, source, tz, style)
    if _text_like(source):
        return codecs.decode_text(target, str(value).encode(), tz=tz, style=style)
    if t.MONEY in (source, target):
        return _money_cast(value, source, target)
    if target in t.INTEGER_TYPES | t.OID_TYPES:
        return check_integer(target, _to_integer(value, source))
    if target == t.NUMERIC and source in t.NUMBER_TYPES:
        if source in t.FLOAT_TYPES:
            return _float_to_numeric(float(value), source)
        return Decimal(value)
    if target in t.FLOAT_TYPES and source == t.NUMERIC:  # through its text, as PostgreSQL: rounded once
        return codecs.decode_text(target, codecs.encode_text(source, value))
    if target in t.FLOAT_TYPES and (source in t.NUMBER_TYPES or source == t.BOOL):
        return float(value)
    if target == t.BOOL and source == t.INT4:
        return value != 0
    converted = _convert_datetime(value, source, target, tz)
    if converted is not None:
        return converted
    if {source, target} <= {t.JSON, t.JSONB}:
        return codecs.decode_text(target, codecs.encode_text(source, value))
    if target == RECORD and isinstance(value, Record):  # a composite value is a record
        return value
    if {source, target} == t.NETWORK_TYPES:  # cidr(inet) clears the host bits
        return network.make(*network.parts(value), cidr=target == t.CIDR)
    kind = range_values.RANGE_TYPES.get(source)
    if kind is not None and target == kind.multirange:  # the multirange constructor of one range
        return range_values.make_multirange(kind, [value])
    raise cannot_cast(source, target)


def _money_cast(value: Any, source: int, target: int) -> Any:
    """money to numeric (cash_numeric: scale 2), an integer or a numeric to money (int8_cash,
    numeric_cash: rounded half away from zero to cents); 42846 for other types."""
    if source == t.MONEY and target == t.NUMERIC:
        return Decimal(value).scaleb(-2)
    if target == t.MONEY and source in (t.INT4, t.INT8, t.NUMERIC):
        cents = Decimal(value).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if not cents.is_finite():
            raise cannot_cast(source, target)
        return check_integer(t.MONEY, int(cents))
    raise cannot_cast(source, target)


def _row_as(value: Record, source: int, composite: user_types.CompositeType, tz: dt.tzinfo, style: TextStyle,
            explicit: bool) -> Record:
    """A row (a record, or a value of another composite type) as a value of `composite`, field by
    field; 42846 when the numbers of fields differ."""
    if len(value.values) != len(composite.fields):
        error = cannot_cast(source, composite.oid)
        error.detail = f"Input has too {'many' if len(value.values) > len(composite.fields) else 'few'} " \
            "columns."
        raise error
    fields = zip(value.values, value.oids, composite.fields, strict=True)
    bases = user_types.DOMAIN_BASES  # an attribute of a domain holds a value of its base type
    values = tuple(convert(field, oid, bases.get(target, target), typmod, tz=tz, style=style,
                           explicit=explicit) for field, oid, (_, target, typmod) in fields)
    return Record(values, composite.field_oids)


def cannot_cast(source: int, target: int) -> DatabaseError:
    """42846: PostgreSQL has no cast between the two types."""
    names = f"{format_type(source, -1)} to {format_type(target, -1)}"
    return DatabaseError(CANNOT_COERCE, f"cannot cast type {names}")


def _to_integer(value: Any, source: int) -> int:
    if source in t.INTEGER_TYPES | t.OID_TYPES or source == t.BOOL:
        return int(value)
    if source == t.NUMERIC:
        if not value.is_finite():
            raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "cannot convert NaN to integer")
        return int(value.to_integral_value(rounding=ROUND_HALF_UP))
    if source in t.FLOAT_TYPES:
        if not math.isfinite(value):
            raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range")
        return round(value)  # rint(): half to even, as PostgreSQL
    raise DatabaseError(CANNOT_COERCE, f"cannot cast type {t.type_name(source)} to integer")


def _float_to_numeric(value: float, source: int) -> Decimal:
    if math.isnan(value):
        return Decimal("NaN")
    if math.isinf(value):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "cannot convert infinity to numeric")
    return Decimal(f"{value:.{_FLOAT_DIGITS[source]}g}")


def _convert_datetime(value: Any, source: int, target: int, tz: dt.tzinfo) -> Any:
    if isinstance(value, codecs.DateTimeInfinity) and {source, target} <= _INFINITE_TYPES:
        return value
    if isinstance(value, far_dates.FAR_TYPES):
        return datetime_instants.convert(value, source, target, tz)
    try:
        return _convert_near_datetime(value, source, target, tz)
    except OverflowError:  # the result is outside years 1..9999
        return datetime_instants.convert(value, source, target, tz)


def _convert_near_datetime(value: Any, source: int, target: int, tz: dt.tzinfo) -> Any:
    """_convert_datetime of a value in years 1..9999, with datetime; OverflowError when the result
    leaves them."""
    if source == t.DATE and target == t.TIMESTAMP:
        return dt.datetime.combine(value, dt.time())
    if source == t.DATE and target == t.TIMESTAMPTZ:
        return wall_clock_instant(dt.datetime.combine(value, dt.time()), tz)
    if source == t.TIMESTAMP and target == t.TIMESTAMPTZ:
        return wall_clock_instant(value, tz)
    if source == t.TIMESTAMPTZ and target == t.TIMESTAMP:
        return value.astimezone(tz).replace(tzinfo=None)
    if source == t.TIMESTAMP and target == t.DATE:
        return value.date()
    if source == t.TIMESTAMPTZ and target == t.DATE:
        return value.astimezone(tz).date()
    if source == t.TIMESTAMP and target == t.TIME:
        return value.time()
    if source == t.TIMESTAMPTZ and target == t.TIME:
        return value.astimezone(tz).time().replace(tzinfo=None)
    if source == t.TIME and target == t.INTERVAL:
        return codecs.Interval(0, 0, times.usec_of(value))
    if source == t.TIMETZ and target == t.TIME:
        return value.replace(tzinfo=None)
    if source == t.TIME and target == t.TIMETZ:  # time_timetz: the session zone's offset today
        return times.with_zone(value, times.local_offset(times.usec_of(value), tz))
    if source == t.TIMESTAMPTZ and target == t.TIMETZ:  # the clock and offset of the session zone
        local = value.astimezone(tz)
        return times.with_zone(local.time(), times.offset_east(local))
    return None


def localize(naive: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A wall-clock time in tz as an instant (an aware UTC datetime), as PostgreSQL resolves it: in
    a spring-forward gap the offset before the change, in a fall-back overlap the one after;
    `outside_years` beyond the years a datetime holds."""
    try:
        return wall_clock_instant(naive, tz)
    except OverflowError:
        raise outside_years() from None


def outside_years() -> DatabaseError:
    """The refusal of a date/time result beyond the years 1 to 9999 by an operation that computes
    with datetime only (PostgreSQL's range is wider, so this is 0A000, not its 22008)."""
    return DatabaseError(FEATURE_NOT_SUPPORTED, "timestamp values outside years 1 to 9999 are not supported")


def apply_typmod(value: Any, oid: int, typmod: int, *, explicit: bool) -> Any:
    """Enforce a type modifier: numeric precision/scale, character lengths, time precision; on
    every element of an array (`numeric(5,1)[]`)."""
    info = codecs.type_by_oid(oid)
    if info.is_array:
        return _each_element(value, lambda item: apply_typmod(item, info.elem_oid, typmod, explicit=explicit))
    if oid == t.NUMERIC:
        return _numeric_typmod(value, typmod)
    if oid in (t.VARCHAR, t.BPCHAR):
        return _character_typmod(value, oid, typmod - t.VARHDRSZ, explicit=explicit)
    if oid in (t.TIME, t.TIMETZ) and typmod < 6:
        return _round_time(value, typmod)
    if oid in (t.TIMESTAMP, t.TIMESTAMPTZ) and typmod < 6:
        return _round_fraction(value, typmod)
    return value


def _each_element(value: Any, change: Callable[[Any], Any]) -> Any:
    """An array (nested lists, NULL elements None) with change applied to each element."""
    if isinstance(value, list):
        return [_each_element(item, change) for item in value]
    return None if value is None else change(value)


def _numeric_typmod(value: Decimal, typmod: int) -> Decimal:
    modifiers = t.numeric_modifiers(typmod)
    if modifiers is None or not value.is_finite():
        return value
    precision, scale = modifiers
    rounded = round_to_scale(value, scale)
    if rounded != 0 and rounded.adjusted() >= precision - scale:
        raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow",
                            detail=f"A field with precision {precision}, scale {scale} must round to an "
                                   f"absolute value less than {'1' if precision == scale else '10^'}"
                                   f"{'' if precision == scale else precision - scale}.")
    return rounded


def _character_typmod(value: str, oid: int, length: int, *, explicit: bool) -> str:
    if len(value) > length:
        if not explicit and value[length:].strip(" "):
            name = "character varying" if oid == t.VARCHAR else "character"
            raise DatabaseError(STRING_DATA_RIGHT_TRUNCATION, f"value too long for type {name}({length})")
        value = value[:length]
    if oid == t.BPCHAR:
        value = value.ljust(length)
    return value


def _round_time(value: Any, precision: int) -> Any:
    """A time or timetz to `precision` fractional digits (AdjustTimeForTypmod): 23:59:59.9 to 0
    digits is 24:00:00."""
    unit = 10 ** (6 - precision)
    rounded = (times.usec_of(value) + unit // 2) // unit * unit
    return times.time_of_usec(rounded, value.tzinfo)


def _round_fraction(value: Any, precision: int) -> Any:
    """AdjustTimestampForTypmod: a time stamp rounded on its µs since 2000 (half away from zero, so
    before 2000 a half rounds toward the earlier second), in or outside years 1..9999."""
    if isinstance(value, codecs.DateTimeInfinity):
        return value
    unit = 10 ** (6 - precision)
    usec = far_dates.usec_of(value)
    rounded = (abs(usec) + unit // 2) // unit * unit
    aware = value.aware if isinstance(value, far_dates.FarTimestamp) else value.tzinfo is not None
    return far_dates.timestamp_of_usec(rounded if usec >= 0 else -rounded, aware)

