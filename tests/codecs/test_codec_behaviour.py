"""Behaviour PostgreSQL output cannot show: malformed binary input, encoder range errors, the
value-model choices (sentinels, Interval, zones of timestamptz values) and jsonb normalisation."""

from __future__ import annotations

import pickle
import struct
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.codecs import (
    INFINITY,
    NEG_INFINITY,
    Interval,
    decode_binary,
    decode_text,
    encode_binary,
    encode_text,
    normalize_jsonb,
)
from tests.codecs.strategies import json_texts

MALFORMED_BINARY = [
    (16, b""),
    (16, b"\x02"),
    (16, b"\x00\x00"),
    (21, b"\x00"),
    (23, b"\x00\x00\x00"),
    (20, b"\x00" * 9),
    (26, b"\x00" * 5),
    (700, b"\x00" * 8),
    (701, b"\x00" * 4),
    (1082, b"\x00" * 8),
    (1083, b"\x00" * 4),
    (1114, b"\x00" * 7),
    (1184, b""),
    (1186, b"\x00" * 12),
    (2950, b"\x00" * 15),
    (18, b"ab"),
    (1700, b"\x00\x01"),  # header cut short
    (1700, struct.pack(">hhHH", 1, 0, 0, 0)),  # one digit announced, none sent
    (1700, struct.pack(">hhHHh", 1, 0, 0x1234, 0, 1)),  # bad sign
    (1700, struct.pack(">hhHHh", 1, 0, 0, 0, 10000)),  # digit out of base-10000 range
    (1700, struct.pack(">hhHHh", 1, 0, 0, 0x4000, 1)),  # dscale beyond 16383
    (3802, b"\x02{}"),
    (3802, b""),
    (1007, b"\x00\x00"),  # array header cut short
    (1007, struct.pack(">iiI", 1, 0, 23)),  # dimensions missing
    (1007, struct.pack(">iiIii", 1, 2, 23, 1, 1) + struct.pack(">ii", 4, 1)),  # bad flags
    (1007, struct.pack(">iiIii", 1, 0, 23, 2, 1) + struct.pack(">ii", 4, 1)),  # second element missing
    (1007, struct.pack(">iiIii", 1, 0, 23, 1, 1) + struct.pack(">ii", 4, 1) + b"x"),  # trailing byte
    (1007, struct.pack(">iiIii", 1, 0, 23, 1, 1) + struct.pack(">i", -2)),  # bad element length
    (1007, struct.pack(">iiI", -1, 0, 23)),  # negative ndim
    (1007, struct.pack(">iiIii", 1, 0, 23, 1, 1) + struct.pack(">ih", 2, 1)),  # int4 element of 2 bytes
]


@pytest.mark.parametrize(("oid", "data"), MALFORMED_BINARY)
def test_malformed_binary_is_22P03(oid: int, data: bytes) -> None:
    with pytest.raises(DatabaseError) as caught:
        decode_binary(oid, data)
    assert (caught.value.sqlstate, caught.value.message) == ("22P03", "incorrect binary data format")


def test_array_binary_errors_postgres_words_differently() -> None:
    wrong_element = struct.pack(">iiIii", 1, 0, 20, 1, 1) + struct.pack(">iq", 8, 1)
    with pytest.raises(DatabaseError) as mismatch:
        decode_binary(1007, wrong_element)
    assert mismatch.value.sqlstate == "42804"
    assert (
        mismatch.value.message == "binary data has array element type 20 (int8) instead of expected 23 (int4)"
    )
    seven_dims = struct.pack(">iiI", 7, 0, 23) + struct.pack(">14i", *([1, 1] * 7)) + struct.pack(">ii", 4, 1)
    with pytest.raises(DatabaseError) as too_deep:
        decode_binary(1007, seven_dims)
    assert too_deep.value.sqlstate == "54000"
    lower_bound_zero = struct.pack(">iiIii", 1, 0, 23, 1, 0) + struct.pack(">ii", 4, 1)
    with pytest.raises(DatabaseError) as lower_bound:
        decode_binary(1007, lower_bound_zero)
    assert lower_bound.value.sqlstate == "0A000"


@pytest.mark.parametrize(
    ("oid", "value", "message"),
    [
        (21, 2**15, "smallint out of range"),
        (23, -(2**31) - 1, "integer out of range"),
        (20, 2**63, "bigint out of range"),
        (26, -1, "OID out of range"),
        (700, 1e300, "value out of range: overflow"),
    ],
)
def test_binary_encoders_refuse_values_outside_the_type(oid: int, value: object, message: str) -> None:
    with pytest.raises(DatabaseError) as caught:
        encode_binary(oid, value)
    assert (caught.value.sqlstate, caught.value.message) == ("22003", message)


def test_interval_out_of_range_and_ragged_arrays_are_refused() -> None:
    with pytest.raises(DatabaseError) as interval:
        encode_binary(1186, Interval(2**31, 0, 0))
    assert (interval.value.sqlstate, interval.value.message) == ("22008", "interval out of range")
    for encode in (encode_binary, encode_text):
        with pytest.raises(DatabaseError) as ragged:
            encode(1007, [[1, 2], [3]])
        assert ragged.value.sqlstate == "2202E"
        with pytest.raises(DatabaseError):
            encode(1007, [1, [2]])


def test_arrays_of_empty_rows_are_the_empty_array() -> None:
    assert encode_text(1007, [[], []]) == b"{}"
    assert encode_binary(1007, [[]]) == struct.pack(">iiI", 0, 0, 23)
    assert decode_binary(1007, struct.pack(">iiI", 0, 0, 23)) == []


def test_timestamptz_values_are_instants_whatever_their_zone() -> None:
    instant = datetime(2024, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
    kolkata = ZoneInfo("Asia/Kolkata")
    for same in (instant, instant.astimezone(kolkata), instant.replace(tzinfo=None)):
        assert encode_text(1184, same, tz=kolkata) == b"2024-01-02 08:34:05.6+05:30"
        assert encode_binary(1184, same) == encode_binary(1184, instant)
    decoded = decode_text(1184, b"2024-01-02 08:34:05.6+05:30")
    assert decoded == instant
    assert decoded.tzinfo is UTC
    assert decode_binary(1184, encode_binary(1184, instant)).tzinfo is UTC
    fixed = timezone(timedelta(hours=-3, minutes=-30))
    assert encode_text(1184, instant, tz=fixed) == b"2024-01-01 23:34:05.6-03:30"


def test_timestamp_values_are_wall_clock_times() -> None:
    aware = datetime(2024, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert encode_text(1114, aware) == b"2024-01-02 03:04:05"
    assert encode_binary(1114, aware) == encode_binary(1114, aware.replace(tzinfo=None))
    assert encode_text(1083, aware.timetz()) == b"03:04:05"


def test_infinity_sentinels_order_around_every_date_and_survive_pickling() -> None:
    assert NEG_INFINITY < date.min < date.max < INFINITY
    assert NEG_INFINITY < datetime.min < datetime.max < INFINITY
    assert datetime(2024, 1, 1, tzinfo=UTC) < INFINITY
    mixed: list[Any] = [INFINITY, date(2024, 1, 1), NEG_INFINITY]  # dates compare with the sentinels only
    assert sorted(mixed) == [NEG_INFINITY, date(2024, 1, 1), INFINITY]
    assert date.max != INFINITY
    assert INFINITY == INFINITY
    assert pickle.loads(pickle.dumps(INFINITY)) is INFINITY
    assert pickle.loads(pickle.dumps(NEG_INFINITY)) is NEG_INFINITY
    assert {INFINITY: 1}[INFINITY] == 1
    for oid in (1082, 1114, 1184):
        assert decode_binary(oid, encode_binary(oid, INFINITY)) is INFINITY
        assert decode_text(oid, encode_text(oid, NEG_INFINITY)) is NEG_INFINITY


def test_interval_keeps_its_three_parts() -> None:
    assert Interval(0, 1, 0) != Interval(0, 0, 86_400_000_000)
    assert str(Interval(14, -3, -3_723_500_000)) == "1 year 2 mons -3 days -01:02:03.5"
    assert decode_text(1186, b"1 day") == Interval(days=1)
    with pytest.raises(AttributeError):
        Interval().months = 1  # type: ignore[misc]  # the refusal is what the test checks


def test_numeric_value_model() -> None:
    assert decode_text(1700, b"1e5").as_tuple().exponent == 0
    assert encode_text(1700, Decimal("-0.00")) == b"0.00"
    assert encode_text(1700, Decimal("1E+3")) == b"1000"
    assert decode_text(1700, b"-0").is_signed() is False
    assert decode_binary(1700, struct.pack(">hhHHhh", 2, 0, 0, 1, 1, 2345)) == Decimal(
        "1.2"
    )  # truncated to dscale


def test_jsonb_output_normalises_any_json_text() -> None:
    assert encode_text(3802, '{"b":[1,2e2],"a":{"y":1,"x":2},"a":-0.0}') == b'{"a": 0.0, "b": [1, 200]}'
    assert encode_text(114, '{"b":1,  "a":2}') == b'{"b":1,  "a":2}'
    assert encode_binary(3802, "[1,2]") == b"\x01[1, 2]"


@settings(max_examples=100, deadline=None)
@given(json_texts)
def test_jsonb_normalisation_is_idempotent(text: str) -> None:
    once = normalize_jsonb(text)
    assert normalize_jsonb(once) == once


def test_char_and_uuid_details() -> None:
    assert encode_text(18, "\xe9") == b"\\351"
    assert encode_binary(18, "") == b"\x00"
    assert encode_text(18, "€") == b"\\342"  # a code point above 255 keeps its first UTF-8 byte
    assert decode_text(2950, b"{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}") == UUID(
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    )
