"""Row values' codecs: random rows of random field types round-trip through a composite type's
codec in text and binary, a `record` prints as the composite does, and the text input's rules
and errors (record_in's quoting, backslashes, white space, NULLs, malformed literals) and the
binary input's checks (field count, field types)."""

from __future__ import annotations

import struct
from datetime import UTC
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.codecs import codec_for
from heliosdb_lite.protocol.codecs.composites import Record, composite_codec
from heliosdb_lite.protocol.codecs.oids import INT4, NUMERIC, RECORD, TEXT
from tests.codecs.strategies import canonical, values_of

FIELD_TYPES = [16, 17, 20, 21, 23, 25, 700, 701, 1043, 1082, 1114, 1184, 1186, 1700, 2950, 3802, 1007, 1009,
               3904]


@st.composite
def rows(draw: st.DrawFn) -> Record:
    oids = tuple(draw(st.lists(st.sampled_from(FIELD_TYPES), max_size=5)))
    values = tuple(draw(values_of(oid) | st.none()) for oid in oids)
    return Record(values, oids)


@settings(max_examples=150, deadline=None)
@given(row=rows())
def test_rows_round_trip_through_a_composite_codec(row: Record) -> None:
    codec = composite_codec(lambda: row.oids, codec_for)
    text = codec.text_out(row, UTC)
    assert codec_for(RECORD).text_out(row, UTC) == text
    for decoded in (codec.text_in(text, UTC), codec.binary_in(codec.binary_out(row))):
        assert decoded.oids == row.oids
        assert _canonical(decoded) == _canonical(row)


def _canonical(row: Record) -> list[Any]:
    return [None if value is None else canonical(oid, value)
            for value, oid in zip(row.values, row.oids, strict=True)]


PAIR = composite_codec(lambda: (INT4, TEXT), codec_for)


@pytest.mark.parametrize(("text", "values"), [
    ("(1,a)", (1, "a")),
    ("(,)", (None, None)),
    ('(1,"")', (1, "")),
    ('(1," a b ")', (1, " a b ")),
    ("(1, a b )", (1, " a b ")),
    ('(1,"x""y")', (1, 'x"y')),
    ('(1,"a\\\\b")', (1, "a\\b")),
    ("(1,a\\,b)", (1, "a,b")),
    ('(1,a"b,c"d)', (1, "ab,cd")),
    ("  (2,x)  ", (2, "x")),
])
def test_text_input(text: str, values: tuple[Any, ...]) -> None:
    assert PAIR.text_in(text.encode(), UTC).values == values


@pytest.mark.parametrize(("text", "detail"), [
    ("1,a", "Missing left parenthesis."),
    ("(1)", "Too few columns."),
    ("(1,a,b)", "Too many columns."),
    ('(1,"a', "Unexpected end of input."),
    ("(1,a) x", "Junk after right parenthesis."),
])
def test_malformed_text(text: str, detail: str) -> None:
    with pytest.raises(DatabaseError) as refused:
        PAIR.text_in(text.encode(), UTC)
    assert (refused.value.sqlstate, refused.value.message, refused.value.detail) == \
        ("22P02", f'malformed record literal: "{text}"', detail)


def test_binary_input_checks_count_and_types() -> None:
    good = PAIR.binary_out(Record((7, "x"), (INT4, TEXT)))
    assert good == struct.pack(">iIii", 2, INT4, 4, 7) + struct.pack(">Ii", TEXT, 1) + b"x"
    numeric_first = composite_codec(lambda: (NUMERIC, TEXT), codec_for)
    one_field = composite_codec(lambda: (INT4,), codec_for)
    wrong_type = f"binary data has type {INT4} instead of expected {NUMERIC} in record column 1"
    for codec, message in ((one_field, "wrong number of columns: 2, expected 1"),
                           (numeric_first, wrong_type)):
        with pytest.raises(DatabaseError) as refused:
            codec.binary_in(good)
        assert (refused.value.sqlstate, refused.value.message) == ("42804", message)


def test_anonymous_record_has_no_input() -> None:
    with pytest.raises(DatabaseError) as refused:
        codec_for(RECORD).text_in(b"(1,2)", UTC)
    assert refused.value.sqlstate == "0A000"
