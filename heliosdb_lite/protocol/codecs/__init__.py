"""PostgreSQL 15 data type codecs: one codec per type OID, text and binary side by side.

Python value model (what the engine hands to encoders and gets from decoders; NULL is None and
never reaches a codec):

- bool 16: bool
- int2 21, int4 23, int8 20, oid 26: int
- float4 700, float8 701: float (a float4 holds the single-precision value)
- numeric 1700: decimal.Decimal, its exponent being the display scale (Decimal('1.50') is 1.50);
  Decimal('NaN'), Decimal('Infinity'), Decimal('-Infinity')
- text 25, varchar 1043, bpchar 1042, name 19, unknown 705: str
- "char" 18: str of length 0 or 1 (its code point is the byte)
- bytea 17: bytes
- date 1082: datetime.date, or INFINITY / NEG_INFINITY; outside years 1..9999 (BC included, up to
  PostgreSQL's limits) a far_dates.FarDate (days since 2000-01-01)
- time 1083: datetime.time (naive), or times.END_OF_DAY for 24:00:00
- timetz 1266: datetime.time with a fixed datetime.timezone (its offset), or times.EndOfDay
  with one for 24:00:00 (`times`)
- timestamp 1114: naive datetime.datetime, or INFINITY / NEG_INFINITY; outside years 1..9999 a
  far_dates.FarTimestamp (µs since 2000-01-01, aware False)
- timestamptz 1184: aware datetime.datetime (UTC from decoders; encoders take any zone and
  read a naive value as UTC), or INFINITY / NEG_INFINITY; an instant outside years 1..9999 (UTC)
  a far_dates.FarTimestamp (aware True)
- interval 1186: Interval(months, days, microseconds)
- uuid 2950: uuid.UUID
- regtype 2206: int, the type's OID (it reads and prints as the type's name)
- json 114: str, the JSON text as given; jsonb 3802: str, the JSON text normalised like PostgreSQL
- int4range 3904, int8range 3926, numrange 3906, daterange 3912, tsrange 3908, tstzrange 3910:
  range_values.Range (bounds of the subtype's model, None unbounded), always canonical; their
  multiranges (int4multirange 4451, ...): range_values.Multirange, a tuple of ranges
- inet 869: ipaddress.IPv4Interface / IPv6Interface; cidr 650: ipaddress.IPv4Network / IPv6Network
  (`network`)
- xid 28: int (0..2**32-1); int2vector 22: a tuple of int; cstring 2275: str (`system_types`)
- money 790: int, the cents (`money`)
- macaddr 829: str, as its output writes it (`macaddr`)
- point 600: a tuple of two floats (`geometry`)
- tsvector 3614: a tuple of (lexeme, positions) pairs (`text_search`)
- xml 142: str, the text as given (`xml_documents`)
- arrays (_bool 1000, _int4 1007, _text 1009, ... every type above but unknown): a list of
  element values or None; nested equally long lists for more dimensions; lower bounds are 1

Values PostgreSQL accepts but this model cannot hold (arrays with lower bounds other than 1) are
rejected with 0A000 naming the value.
Text formats follow extra_float_digits >= 1, bytea_output=hex, and the DateStyle and IntervalStyle of
the `TextStyle` a codec is looked up with (`codec_for(oid, style)`; by default ISO, MDY and postgres,
the form values are stored in); `tz` is the session TimeZone (a tzinfo, e.g. zoneinfo.ZoneInfo).
"""

from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.catalog import TYPES, TypeInfo, format_type, type_by_name, type_by_oid
from heliosdb_lite.protocol.codecs.datetimes import INFINITY, NEG_INFINITY, DateTimeInfinity
from heliosdb_lite.protocol.codecs.interval import Interval
from heliosdb_lite.protocol.codecs.jsons import normalize_jsonb
from heliosdb_lite.protocol.codecs.registry import (
    CODECS,
    codec_for,
    decode_binary,
    decode_text,
    encode_binary,
    encode_text,
)

__all__ = [
    "CODECS",
    "INFINITY",
    "NEG_INFINITY",
    "TYPES",
    "Codec",
    "DateTimeInfinity",
    "Interval",
    "TypeInfo",
    "codec_for",
    "decode_binary",
    "decode_text",
    "encode_binary",
    "encode_text",
    "format_type",
    "normalize_jsonb",
    "type_by_name",
    "type_by_oid",
]
