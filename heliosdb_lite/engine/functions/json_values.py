"""One value as PostgreSQL's to_json writes it (json.c, datum_to_json), for json_build_object:
booleans as true/false, numbers as numbers (NaN and the infinities as strings), json and jsonb as
they are, arrays as JSON arrays of their elements, dates and time stamps in ISO 8601 with a `T`
(whatever DateStyle is), anything else as a JSON string of its output text. A composite value
(PostgreSQL: a JSON object) is refused with 0A000.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from heliosdb_lite.engine.types import casts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import user_types
from heliosdb_lite.protocol.codecs.styles import DEFAULT_STYLE, TextStyle

_NOT_NUMBERS = frozenset({"NaN", "Infinity", "-Infinity"})
# an ISO time stamp: date, time, the zone's offset (hours, [minutes, [seconds]]), BC
_ISO_TIMESTAMP = re.compile(r"(\S+) (\S+?)([+-]\d\d(?::\d\d){0,2})?( BC)?")


def json_text(value: Any, oid: int, tz: dt.tzinfo, style: TextStyle) -> str:
    """`value` (decoded, of type `oid`) as JSON text; `tz` and `style` are the session's."""
    if value is None:
        return "null"
    if oid == t.BOOL:
        return "true" if value else "false"
    if oid in (t.JSON, t.JSONB):
        return str(casts.convert(value, oid, t.TEXT, tz=tz, style=style))
    if oid in user_types.COMPOSITES:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "a composite value in json_build_object is not supported")
    element = codecs.type_by_oid(oid).elem_oid
    if element and isinstance(value, list):  # a list in it is a dimension's, of the same array type
        return "[" + ",".join(json_text(item, oid if isinstance(item, list) else element, tz, style)
                              for item in value) + "]"
    if oid in t.NUMBER_TYPES:
        text = str(casts.convert(value, oid, t.TEXT))
        return json.dumps(text) if text in _NOT_NUMBERS else text
    if oid in (t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ):
        return json.dumps(_iso_8601(str(casts.convert(value, oid, t.TEXT, tz=tz, style=DEFAULT_STYLE)), oid))
    return json.dumps(str(casts.convert(value, oid, t.TEXT, tz=tz, style=style)), ensure_ascii=False)


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
