"""The codec registry: type OID -> Codec for every built-in type and its array type (a range's and a
multirange's built from the subtype's codec, an array's from the element's).

Look a codec up once per column (`codec_for`) and call its functions per value; the
`encode_*`/`decode_*` helpers do the lookup on every call and suit one-off conversions. A
`TextStyle` other than the default (DateStyle ISO, MDY; IntervalStyle postgres) selects the
text functions of date/time and interval types, and of their ranges and arrays, written in that
style.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import cache
from typing import Any

from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError
from heliosdb_lite.protocol.codecs import (
    bytea,
    datetimes,
    floats,
    geometry,
    interval,
    jsons,
    macaddr,
    money,
    network,
    numeric,
    reg_types,
    scalars,
    strings,
    system_types,
    text_search,
    times,
    uuids,
    xml_documents,
)
from heliosdb_lite.protocol.codecs.arrays import array_codec
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.catalog import TYPES
from heliosdb_lite.protocol.codecs.composites import record_codec
from heliosdb_lite.protocol.codecs.oids import RECORD
from heliosdb_lite.protocol.codecs.range_values import RANGE_TYPES
from heliosdb_lite.protocol.codecs.ranges import multirange_codec, range_codec
from heliosdb_lite.protocol.codecs.styles import DEFAULT_STYLE, TextStyle


def _with_derived(base: dict[int, Codec]) -> dict[int, Codec]:
    """The codecs given, those of the range and multirange types over them, and the array codecs
    of all of these."""
    codecs = dict(base)
    for kind in RANGE_TYPES.values():
        if kind.subtype in base:
            codecs[kind.oid] = range_codec(kind, codecs[kind.subtype])
            codecs[kind.multirange] = multirange_codec(kind, codecs[kind.oid])
    for oid, element in list(codecs.items()):
        info = TYPES[oid]
        if info.array_oid:
            codecs[info.array_oid] = array_codec(oid, info.name, element, geometry.DELIMITERS.get(oid, ","))
    return codecs


def _build_registry() -> dict[int, Codec]:
    codecs: dict[int, Codec] = {}
    for family in (scalars, floats, numeric, strings, bytea, uuids, jsons, datetimes, interval, reg_types,
                   network, system_types, money, macaddr, geometry, text_search, xml_documents):
        codecs.update(family.CODECS)
    codecs.update(times.CODECS)  # time and timetz
    codecs[RECORD] = record_codec(lambda oid: codec_for(oid))  # fields' codecs looked up when used
    codecs = _with_derived(codecs)
    assert set(codecs) == set(TYPES), set(codecs) ^ set(TYPES)
    return codecs


CODECS: dict[int, Codec] = _build_registry()


@cache
def _styled_registry(style: TextStyle) -> dict[int, Codec]:
    """CODECS with the date/time and interval types (their ranges and arrays too) written in `style`."""
    styled = datetimes.styled_codecs(style) | times.styled_codecs(style) | interval.styled_codecs(style)
    return CODECS | _with_derived(styled | {RECORD: record_codec(lambda oid: codec_for(oid, style))})


def codec_for(oid: int, style: TextStyle = DEFAULT_STYLE) -> Codec:
    """The codec of a type OID in a DateStyle/IntervalStyle; 0A000 if HeliosDB-Lite has none."""
    registry = CODECS if style is DEFAULT_STYLE else _styled_registry(style)
    codec = registry.get(oid) or CODECS.get(oid)  # a type defined after the style's registry is in CODECS
    if codec is None:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"data type with OID {oid} is not supported")
    return codec


def encode_text(oid: int, value: Any, *, tz: tzinfo = UTC, style: TextStyle = DEFAULT_STYLE) -> bytes:
    """PostgreSQL's text output of a non-NULL value, in session time zone `tz` and `style`."""
    return codec_for(oid, style).text_out(value, tz)


def decode_text(oid: int, data: bytes, *, tz: tzinfo = UTC, style: TextStyle = DEFAULT_STYLE) -> Any:
    """PostgreSQL's text input: bytes to the Python value (DatabaseError when PostgreSQL would fail)."""
    return codec_for(oid, style).text_in(data, tz)


def encode_binary(oid: int, value: Any) -> bytes:
    """PostgreSQL's binary send format of a non-NULL value."""
    return codec_for(oid).binary_out(value)


def decode_binary(oid: int, data: bytes) -> Any:
    """PostgreSQL's binary receive: bytes to the Python value (22P03 when malformed)."""
    return codec_for(oid).binary_in(data)
