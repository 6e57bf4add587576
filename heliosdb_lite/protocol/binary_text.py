"""The binary forms that carry text, which PostgreSQL's send and receive functions convert between the
client encoding and the server's as the text forms are: text, varchar, bpchar, name, json, jsonb (its
version byte is ASCII), xml, unknown, enums, composite types (their fields) and arrays of any of them.
`binary_codec` gives such a type's binary conversions in a client encoding; every other binary form
is the same in any encoding.
"""

from __future__ import annotations

from functools import lru_cache

from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.client_encodings import Transcoder
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.arrays import array_codec
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.composites import composite_codec
from heliosdb_lite.protocol.codecs.user_types import COMPOSITES, ENUMS

_TEXT_TYPES = frozenset({oids.TEXT, oids.VARCHAR, oids.BPCHAR, oids.NAME, oids.JSON, oids.JSONB, oids.XML,
                         oids.UNKNOWN})


def _is_text(oid: int) -> bool:
    return oid in _TEXT_TYPES or oid in ENUMS


def carries_text(oid: int) -> bool:
    """Whether the binary form of this type (of its fields, of its arrays' elements) is converted."""
    if _is_text(oid) or oid in COMPOSITES:
        return True
    info = codecs.TYPES.get(oid)
    return info is not None and info.is_array and carries_text(info.elem_oid)


def binary_codec(oid: int, transcoder: Transcoder) -> Codec:
    """The codec of a type that `carries_text`, its send and receive functions in the transcoder's
    encoding (cached by codec: an enum given a label since has another)."""
    if _is_text(oid):
        return _converted(codecs.codec_for(oid), transcoder)
    if oid in COMPOSITES:
        return _converted_composite(oid, transcoder)
    element_oid = codecs.type_by_oid(oid).elem_oid
    return _converted_array(element_oid, codecs.type_by_oid(element_oid).name,
                            binary_codec(element_oid, transcoder))


@lru_cache(maxsize=256)
def _converted(codec: Codec, transcoder: Transcoder) -> Codec:
    binary_out, binary_in = codec.binary_out, codec.binary_in
    to_client, to_server = transcoder.to_client, transcoder.to_server
    return codec._replace(binary_out=lambda value: to_client(binary_out(value)),
                          binary_in=lambda data: binary_in(to_server(data)))


@lru_cache(maxsize=256)
def _converted_composite(oid: int, transcoder: Transcoder) -> Codec:
    """A composite type's codec whose fields that carry text are converted (its definition is read
    at each call, as the codec's own does)."""
    def field_codec(field_oid: int) -> Codec:
        return binary_codec(field_oid, transcoder) if carries_text(field_oid) else codecs.codec_for(field_oid)

    return composite_codec(lambda: COMPOSITES[oid].field_oids, field_codec)


@lru_cache(maxsize=256)
def _converted_array(element_oid: int, element_name: str, element: Codec) -> Codec:
    return array_codec(element_oid, element_name, element)
