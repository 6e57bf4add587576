"""Codec for regtype (OID 2206): a type OID that reads and prints as the type's name.

Text output: the name `format_type` gives the type without a modifier (`integer`, `character
varying`, `timestamp with time zone`, `text[]`), `-` for OID 0, the decimal OID when no type here
has it. Text input: `-` (OID 0), a decimal OID (read as oid input reads it), else a type name as
`type_by_name` reads it (42704 when there is no such type, 42601 for an empty name). Binary: the
OID as a big-endian uint32, as oid sends it.
"""

from __future__ import annotations

from datetime import tzinfo

from heliosdb_lite.errors import SYNTAX_ERROR, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.catalog import TYPES, format_type, type_by_name
from heliosdb_lite.protocol.codecs.faults import decode_utf8
from heliosdb_lite.protocol.codecs.scalars import CODECS as SCALAR_CODECS

_OID = SCALAR_CODECS[oids.OID]
_NO_TYPE = "-"


def _regtype_text_out(value: int, tz: tzinfo) -> bytes:
    if value == 0:
        return _NO_TYPE.encode()
    if value not in TYPES:
        return str(value).encode()
    return format_type(value).encode()


def _regtype_text_in(data: bytes, tz: tzinfo) -> int:
    text = decode_utf8(data)
    if text == _NO_TYPE:
        return 0
    if text.isascii() and text.isdigit():
        return int(_OID.text_in(data, tz))
    if not text.strip():
        raise DatabaseError(SYNTAX_ERROR, f'invalid type name "{text}"')
    return type_by_name(text).oid


CODECS = {
    oids.REGTYPE: Codec(_regtype_text_out, _regtype_text_in, _OID.binary_out, _OID.binary_in),
}
