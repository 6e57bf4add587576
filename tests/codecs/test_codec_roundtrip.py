"""Property tests: for every type, value -> encode -> decode gives the value back, in both formats."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.protocol.codecs import CODECS, TYPES, codec_for, decode_text, encode_binary, encode_text
from tests.codecs.strategies import canonical, values_of, zones

# void carries no value; record and _record have no input (as PostgreSQL's record_in and record_recv
# of an anonymous record): test_composite_codec.py tests rows through a composite type's codec
ALL_OIDS = sorted(oid for oid in CODECS if TYPES[oid].name not in ("void", "record", "_record"))
EXAMPLES = settings(max_examples=60, deadline=None)


@pytest.mark.parametrize("oid", ALL_OIDS, ids=lambda oid: TYPES[oid].name)
@EXAMPLES
@given(data=st.data(), tz=zones)
def test_text_round_trip(oid: int, data: st.DataObject, tz: tzinfo) -> None:
    value: Any = data.draw(values_of(oid))
    codec = codec_for(oid)
    encoded = codec.text_out(value, tz)
    assert canonical(oid, codec.text_in(encoded, tz)) == canonical(oid, value)


@pytest.mark.parametrize("oid", ALL_OIDS, ids=lambda oid: TYPES[oid].name)
@EXAMPLES
@given(data=st.data())
def test_binary_round_trip(oid: int, data: st.DataObject) -> None:
    value: Any = data.draw(values_of(oid))
    codec = codec_for(oid)
    assert canonical(oid, codec.binary_in(codec.binary_out(value))) == canonical(oid, value)


def test_void_is_empty_in_both_formats() -> None:
    void = 2278
    assert TYPES[void].name == "void"
    assert encode_text(void, "") == b""
    assert encode_binary(void, None) == b""
    assert decode_text(void, b"") == ""
