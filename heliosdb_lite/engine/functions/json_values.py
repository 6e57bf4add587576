"""One value as PostgreSQL's to_json writes it (json.c, datum_to_json), for to_json, array_to_json,
row_to_json and the json builders and aggregates: booleans as true/false, numbers as numbers (NaN
and the infinities as strings), json and jsonb as they are, arrays as JSON arrays of their elements,
a value of a composite type as an object of its attributes, dates and time stamps in ISO 8601 with a
`T` (whatever DateStyle is), anything else as a JSON string of its output text. A record of no
declared type (whose field names are not in its value) is refused with 0A000: the translator writes
the rows it can name (`translate.json_building`). Pretty output (array_to_json's and row_to_json's
second argument) puts a line break before each top-level element or field after the first.

A value as an object key (`key_text`): a scalar's JSON text unquoted; a NULL key is refused by the
caller, an array, composite or json key here (22023), as PostgreSQL refuses them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from json.encoder import encode_basestring  # the C encoder where there is one
from typing import Any

from heliosdb_lite.engine.types import casts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, INVALID_PARAMETER_VALUE, DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import user_types
from heliosdb_lite.protocol.codecs.oids import RECORD
from heliosdb_lite.protocol.codecs.styles import DEFAULT_STYLE, TextStyle

_NOT_NUMBERS = frozenset({"NaN", "Infinity", "-Infinity"})
_NUMBERS = t.NUMBER_TYPES - {t.OID}  # to_json's numbers (an oid is a string)
_STORED_AS_TEXT = frozenset({t.TEXT, t.VARCHAR, t.NAME, t.BPCHAR})
# an ISO time stamp: date, time, the zone's offset (hours, [minutes, [seconds]]), BC
_ISO_TIMESTAMP = re.compile(r"(\S+) (\S+?)([+-]\d\d(?::\d\d){0,2})?( BC)?")
COMPACT = ","  # between the elements of an array or the fields of a row
PRETTY = ",\n "  # the same, pretty (top level only)


def is_structured(oid: int) -> bool:
    """Whether to_json writes values of the type as an array or an object of fields."""
    return oid == RECORD or oid in user_types.COMPOSITES or codecs.type_by_oid(oid).is_array


def quoted(text: str) -> str:
    """A JSON string, as PostgreSQL's escape_json writes it (non-ASCII characters as they are)."""
    return encode_basestring(text)


def stored_json_text(stored: Any, oid: int) -> str | None:
    """The JSON text of a stored value of the common types whose stored form is their value (a NULL,
    an integer, a bool, a text), without decoding it; None for the others (`json_text`)."""
    if stored is None:
        return "null"
    if oid in _STORED_AS_TEXT and isinstance(stored, str):
        return encode_basestring(stored)
    if oid in t.INTEGER_TYPES and isinstance(stored, int):
        return str(stored)
    if oid == t.BOOL and isinstance(stored, int):
        return "true" if stored else "false"
    return None


def json_object_of_fields(fields: list[tuple[str, str]], separator: str = COMPACT) -> str:
    """A row as to_json writes it, from its (name, JSON text) fields."""
    return "{" + separator.join(f"{quoted(name)}:{value}" for name, value in fields) + "}"


def json_text(value: Any, oid: int, tz: dt.tzinfo, style: TextStyle, *, pretty: bool = False) -> str:
    """`value` (decoded, of type `oid`) as JSON text; `tz` and `style` are the session's."""
    if value is None:
        return "null"
    separator = PRETTY if pretty else COMPACT
    if oid == t.BOOL:
        return "true" if value else "false"
    if oid in (t.JSON, t.JSONB):
        return str(casts.convert(value, oid, t.TEXT, tz=tz, style=style))
    composite = user_types.COMPOSITES.get(oid)
    if composite is not None:
        fields = [(name, json_text(item, field_oid, tz, style))
                  for (name, field_oid, _), item in zip(composite.fields, value.values, strict=True)]
        return json_object_of_fields(fields, separator)
    if oid == RECORD:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "JSON of a record whose field names are not known "
                                                   "(only of a row constructor, a table's row or a composite "
                                                   "type) is not supported")
    element = codecs.type_by_oid(oid).elem_oid
    if element and isinstance(value, list):  # a list in it is a dimension's, of the same array type
        return "[" + separator.join(json_text(item, oid if isinstance(item, list) else element, tz, style)
                                    for item in value) + "]"
    if oid in _NUMBERS:
        text = str(casts.convert(value, oid, t.TEXT))
        return json.dumps(text) if text in _NOT_NUMBERS else text
    if oid in t.STRING_TYPES:  # as it is: char(n) keeps its padding (its cast to text drops it)
        return quoted(str(value))
    if oid in (t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ):
        return json.dumps(_iso_8601(str(casts.convert(value, oid, t.TEXT, tz=tz, style=DEFAULT_STYLE)), oid))
    return quoted(str(casts.convert(value, oid, t.TEXT, tz=tz, style=style)))


def not_scalar_key() -> DatabaseError:
    """22023 for an object key that is an array, a row or json."""
    return DatabaseError(INVALID_PARAMETER_VALUE, "key value must be scalar, not array, composite, or json")


def key_text(value: Any, oid: int, tz: dt.tzinfo, style: TextStyle) -> str | None:
    """`value` as an object's key (None for NULL): 22023 for an array, composite or json value."""
    if value is None:
        return None
    if oid in (t.JSON, t.JSONB) or is_structured(oid):
        raise not_scalar_key()
    text = json_text(value, oid, tz, style)
    return str(json.loads(text)) if text.startswith('"') else text


def _iso_8601(iso: str, oid: int) -> str:
    """PostgreSQL's ISO output of a date or time stamp in XSD form: `T` between date and time, the
    zone's offset with its minutes."""
    found = _ISO_TIMESTAMP.fullmatch(iso) if oid != t.DATE else None
    if found is None:  # a date, infinity
        return iso
    day, time, offset, era = found.groups()
    if offset is not None and len(offset) == 3:  # +05 -> +05:00
        offset += ":00"
    return f"{day}T{time}{offset or ''}{era or ''}"
