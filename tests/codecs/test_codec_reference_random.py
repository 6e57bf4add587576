"""Property tests against a real PostgreSQL 15: for random values of every type, PostgreSQL
reads our binary form and prints exactly our text form, sends back exactly our binary form,
and reads our text form as the same value."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.protocol.codecs import CODECS, TYPES, codec_for
from tests.codecs.reference_client import ReferenceClient
from tests.codecs.strategies import values_of, zones

# void carries no value; record and _record have no input (as PostgreSQL's record_in and record_recv
# of an anonymous record): test_composite_codec.py tests rows through a composite type's codec
ALL_OIDS = sorted(oid for oid in CODECS if TYPES[oid].name not in ("void", "record", "_record"))


@pytest.mark.parametrize("oid", ALL_OIDS, ids=lambda oid: TYPES[oid].name)
@settings(max_examples=40, deadline=None)
@given(data=st.data(), tz=zones)
def test_postgres_agrees_with_both_formats(
    reference: ReferenceClient, oid: int, data: st.DataObject, tz: tzinfo
) -> None:
    value: Any = data.draw(values_of(oid))
    reference.set_timezone(getattr(tz, "key", "UTC"))
    codec = codec_for(oid)
    ours_text = codec.text_out(value, tz)
    ours_binary = codec.binary_out(value)
    assert reference.receive(oid, ours_binary) == ours_text
    assert reference.receive(oid, ours_binary, binary_result=True) == ours_binary
    assert reference.parse(oid, ours_text) == ours_binary
