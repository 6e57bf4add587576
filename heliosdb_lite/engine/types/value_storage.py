"""The storage model: how a PostgreSQL value of each type is kept in SQLite, both ways.

int2/int4/int8/oid/regtype and money (its cents) are SQLite INTEGER, float4/float8 REAL (a float4
rounded to single precision, as PostgreSQL's dtof rounds it: 22003 when it overflows or underflows),
but a float NaN is the TEXT 'NaN' (SQLite would turn a REAL NaN into NULL): SQLite orders any TEXT after every
number and 'NaN' equals itself, which is PostgreSQL's order of NaN (float8_cmp_internal); code
that computes on stored floats reads them with float(), which takes 'NaN', and hands a result
back through `stored_float`;
text/varchar/bpchar/name TEXT, bytea BLOB, bool the INTEGER 0/1. Every other type (numeric,
date, time, timestamp, timestamptz, interval, uuid, json, jsonb, arrays, composite types) is TEXT
holding its PostgreSQL text form as `codecs.encode_text` writes it with tz=UTC, so values
round-trip exactly (numeric never passes through a float) and date/time/timestamp/timestamptz/uuid
texts sort like the values; but regtype[] is kept as the text of an oid[] (`{23,1234567890}`): a
type the database defines has no name the codecs read back (which type a name denotes depends on
the database and the search_path). A `record` (a row of no declared type, never a column's) says its
fields' types: the JSON `[[oid, text or null], ...]`, a nested record's text being its own JSON.
A date or time stamp outside years 1..9999 is `far_dates.storage_text`, a text that sorts with the
others (`:` after year 9999, `/` before year 1).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import NUMERIC_VALUE_OUT_OF_RANGE, DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import far_dates
from heliosdb_lite.protocol.codecs.composites import Record
from heliosdb_lite.protocol.codecs.oids import OID_ARRAY, RECORD, RECORD_ARRAY, REGTYPE_ARRAY
from heliosdb_lite.protocol.codecs.user_types import DOMAIN_BASES

Converter = Callable[[Any], Any]
_STORED_AS = {REGTYPE_ARRAY: OID_ARRAY}  # types kept in another type's text form (the module docstring)

INTEGER_RANGES: dict[int, tuple[int, int, str]] = {
    t.INT2: (-(2**15), 2**15 - 1, "smallint"),
    t.INT4: (-(2**31), 2**31 - 1, "integer"),
    t.INT8: (-(2**63), 2**63 - 1, "bigint"),
    t.OID: (0, 2**32 - 1, "OID"),
    t.REGTYPE: (0, 2**32 - 1, "OID"),
    t.MONEY: (-(2**63), 2**63 - 1, "money"),  # its cents
}


def check_integer(oid: int, value: int) -> int:
    """value, or 22003 when it does not fit the integer type."""
    low, high, name = INTEGER_RANGES[oid]
    if not low <= value <= high:
        raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, f"{name} out of range")
    return value


_FLOAT4 = struct.Struct("<f")


def float_overflow() -> DatabaseError:
    return DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow")


def float_underflow() -> DatabaseError:
    return DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow")


def single_precision(value: float) -> float:
    """value as float4 (PostgreSQL's dtof): rounded to single precision, 22003 when a finite value
    becomes infinite or a nonzero one zero."""
    try:
        single = float(_FLOAT4.unpack(_FLOAT4.pack(value))[0])
    except OverflowError:
        raise float_overflow() from None
    if single == 0 and value != 0:
        raise float_underflow()
    return single


def _decode(oid: int, text: str) -> Any:
    return codecs.decode_text(oid, text.encode())


def _encode(oid: int, value: Any) -> str:
    return codecs.encode_text(oid, value).decode()


NAN_TEXT = "NaN"


def stored_float(value: float) -> float | str:
    """A float as SQLite keeps it: itself, or the TEXT 'NaN' for a NaN (a REAL NaN would be NULL)."""
    return NAN_TEXT if math.isnan(value) else value


# whether a date (None), timestamp or timestamptz is aware: how its stored form outside years 1..9999 reads
_DATETIME_AWARENESS = {t.DATE: None, t.TIMESTAMP: False, t.TIMESTAMPTZ: True}


@cache
def to_storage(oid: int) -> Converter:
    """Converter from a codec-model Python value of type oid to what SQLite stores (a domain's: its
    base type's)."""
    oid = DOMAIN_BASES.get(oid, oid)
    if oid == t.BOOL:
        return _bool_to_storage
    if oid in INTEGER_RANGES:
        return lambda value: None if value is None else check_integer(oid, int(value))
    if oid == t.FLOAT4:
        return lambda value: None if value is None else stored_float(single_precision(float(value)))
    if oid == t.FLOAT8:
        return lambda value: None if value is None else stored_float(float(value))
    if oid in t.STRING_TYPES:
        return lambda value: None if value is None else str(value)
    if oid == t.BYTEA:
        return lambda value: None if value is None else bytes(value)
    if oid in (RECORD, RECORD_ARRAY):
        return lambda value: None if value is None else json.dumps(_record_fields(value, oid),
                                                                   separators=(",", ":"))
    if oid in _DATETIME_AWARENESS:
        return lambda value: None if value is None else far_dates.storage_text(value) \
            if isinstance(value, far_dates.FAR_TYPES) else _encode(oid, value)
    stored = _STORED_AS.get(oid, oid)
    return lambda value: None if value is None else _encode(stored, value)


def _record_fields(value: Any, oid: int) -> Any:
    """A record (or an array of records, nested lists) as JSON values: `[[oid, text or null], ...]`."""
    if oid == RECORD_ARRAY:
        return [None if item is None else _record_fields(item, RECORD if isinstance(item, Record) else oid)
                for item in value]
    return [[field_oid, None if field is None else _record_fields(field, field_oid)
             if field_oid in (RECORD, RECORD_ARRAY) else _encode(field_oid, field)]
            for field, field_oid in zip(value.values, value.oids, strict=True)]


def _record_or_array(item: list[Any]) -> int:
    """Whether an item of a stored array of records is a record (fields `[oid, text]`) or a
    sub-array."""
    return RECORD_ARRAY if item and not isinstance(item[0][0], int) else RECORD


def _record(fields: list[Any], oid: int) -> Any:
    """The record (or array of records) `_record_fields` gave."""
    if oid == RECORD_ARRAY:
        return [None if item is None else _record(item, _record_or_array(item)) for item in fields]
    values = tuple(None if text is None else _record(text, field_oid) if field_oid in (RECORD, RECORD_ARRAY)
                   else _decode(field_oid, text) for field_oid, text in fields)
    return Record(values, tuple(field_oid for field_oid, _ in fields))


def _bool_to_storage(value: Any) -> int | None:
    return None if value is None else int(bool(value))


@cache
def from_storage(oid: int) -> Converter:
    """Converter from a SQLite value (of a column or expression of type oid) to the codec model."""
    if oid == t.BOOL:
        return _bool_from_storage
    if oid in INTEGER_RANGES:
        return lambda value: _integer_from_storage(oid, value)
    if oid in t.FLOAT_TYPES:
        return lambda value: value if value is None or isinstance(value, float) else _float(oid, value)
    if oid in t.STRING_TYPES:
        return _text_from_storage
    if oid == t.BYTEA:
        return lambda value: value if value is None or isinstance(value, bytes) else _decode(oid, str(value))
    if oid == t.NUMERIC:
        return _numeric_from_storage
    if oid == t.VOID:
        return lambda value: ""  # PostgreSQL's void value is not NULL; its text form is empty
    if oid in (RECORD, RECORD_ARRAY):
        return lambda value: None if value is None else _record(json.loads(value), oid)
    if oid in _DATETIME_AWARENESS:
        aware = _DATETIME_AWARENESS[oid]
        return lambda value: None if value is None else far_dates.from_storage_text(value, aware) \
            if value[:1] in far_dates.FAR_PREFIXES else _decode(oid, str(value))
    stored = _STORED_AS.get(oid, oid)
    return lambda value: None if value is None else _decode(stored, str(value))


def _bool_from_storage(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return _decode(t.BOOL, str(value))


def _integer_from_storage(oid: int, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return check_integer(oid, value)
    if isinstance(value, float):
        if not value.is_integer():
            raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, f"{INTEGER_RANGES[oid][2]} out of range")
        return check_integer(oid, int(value))
    return _decode(oid, str(value))


def _float(oid: int, value: Any) -> float:
    return float(value) if isinstance(value, int) else _decode(oid, str(value))


def _text_from_storage(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return _encode(t.FLOAT8, value)
    if isinstance(value, bytes):
        return _encode(t.BYTEA, value)
    return str(value)


def _numeric_from_storage(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _decode(t.NUMERIC, value)
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(value))
