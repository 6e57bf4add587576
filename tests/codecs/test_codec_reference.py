"""Differential tests: every codec against a real PostgreSQL 15, byte for byte.

For each literal, PostgreSQL's own text and binary output of `'literal'::type` is the golden
value; our decode_text followed by encode_text / encode_binary must reproduce it exactly, and our
decode_binary of PostgreSQL's bytes must give the same value. Rejected literals must fail with
PostgreSQL's SQLSTATE and message.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError
from heliosdb_lite.protocol.codecs import decode_binary, decode_text, encode_binary, encode_text, type_by_name
from tests.codecs.literals import EITHER_WAY, INVALID, TIME_ZONES, TIMESTAMPTZ, TIMETZ, UNSUPPORTED, VALID
from tests.codecs.reference_client import ReferenceClient, ReferenceError

VALID_CASES = [(type_name, literal) for type_name, literals in VALID.items() for literal in literals]
INVALID_CASES = [(type_name, literal) for type_name, literals in INVALID.items() for literal in literals]
UNSUPPORTED_CASES = [
    (type_name, literal) for type_name, literals in UNSUPPORTED.items() for literal in literals
]
EITHER_WAY_CASES = [
    (type_name, literal) for type_name, literals in EITHER_WAY.items() for literal in literals
]
ZONED_CASES = [(zone, literal) for zone in TIME_ZONES for literal in TIMESTAMPTZ]
ZONED_TIMETZ_CASES = [(zone, literal) for zone in TIME_ZONES for literal in TIMETZ]


def _assert_matches_reference(reference: ReferenceClient, type_name: str, literal: str, zone: str) -> None:
    reference.set_timezone(zone)
    tz = ZoneInfo(zone)
    oid = type_by_name(type_name).oid
    expected_text = reference.cast(literal, type_name)
    expected_binary = reference.cast(literal, type_name, binary=True)
    assert isinstance(expected_text, bytes), f"PostgreSQL rejects {literal!r}::{type_name}: {expected_text}"
    assert isinstance(expected_binary, bytes)

    value = decode_text(oid, literal.encode(), tz=tz)
    assert encode_text(oid, value, tz=tz) == expected_text
    assert encode_binary(oid, value) == expected_binary
    received = decode_binary(oid, expected_binary)
    assert encode_text(oid, received, tz=tz) == expected_text
    assert encode_binary(oid, received) == expected_binary


@pytest.mark.parametrize(("type_name", "literal"), VALID_CASES)
def test_output_matches_postgres(reference: ReferenceClient, type_name: str, literal: str) -> None:
    _assert_matches_reference(reference, type_name, literal, "UTC")


@pytest.mark.parametrize(("zone", "literal"), ZONED_CASES)
def test_timestamptz_matches_postgres_in_session_zone(
    reference: ReferenceClient, zone: str, literal: str
) -> None:
    _assert_matches_reference(reference, "timestamp with time zone", literal, zone)


@pytest.mark.parametrize(("zone", "literal"), ZONED_TIMETZ_CASES)
def test_timetz_matches_postgres_in_session_zone(reference: ReferenceClient, zone: str, literal: str) -> None:
    """A timetz without an offset takes the session zone's on its date (today without one)."""
    _assert_matches_reference(reference, "time with time zone", literal, zone)


@pytest.mark.parametrize(("type_name", "literal"), INVALID_CASES)
def test_rejected_input_fails_like_postgres(reference: ReferenceClient, type_name: str, literal: str) -> None:
    reference.set_timezone("UTC")
    expected = reference.cast(literal, type_name)
    assert isinstance(expected, ReferenceError), f"PostgreSQL accepts {literal!r}::{type_name}: {expected!r}"
    with pytest.raises(DatabaseError) as caught:
        decode_text(type_by_name(type_name).oid, literal.encode())
    assert (caught.value.sqlstate, caught.value.message) == (expected.sqlstate, expected.message)


@pytest.mark.parametrize(("type_name", "literal"), UNSUPPORTED_CASES)
def test_values_beyond_the_python_model_are_refused_clearly(
    reference: ReferenceClient, type_name: str, literal: str
) -> None:
    reference.set_timezone("UTC")
    accepted = reference.cast(literal, type_name)
    assert isinstance(accepted, bytes), f"PostgreSQL rejects {literal!r}::{type_name}: {accepted}"
    with pytest.raises(DatabaseError) as caught:
        decode_text(type_by_name(type_name).oid, literal.encode())
    assert caught.value.sqlstate == FEATURE_NOT_SUPPORTED
    assert literal in caught.value.message or "not supported" in caught.value.message


@pytest.mark.parametrize(("type_name", "literal"), EITHER_WAY_CASES)
def test_corner_cases_go_postgres_way(reference: ReferenceClient, type_name: str, literal: str) -> None:
    reference.set_timezone("America/New_York")
    expected = reference.cast(literal, type_name)
    oid = type_by_name(type_name).oid
    tz = ZoneInfo("America/New_York")
    if isinstance(expected, ReferenceError):
        with pytest.raises(DatabaseError) as caught:
            decode_text(oid, literal.encode(), tz=tz)
        assert (caught.value.sqlstate, caught.value.message) == (expected.sqlstate, expected.message)
    else:
        assert encode_text(oid, decode_text(oid, literal.encode(), tz=tz), tz=tz) == expected


BAD_ENCODINGS = [b"a\x00b", b"\xc3\x28", b"\xe2\x82", b"a\xff", b"\xf0\x9f\x98", b"\xed\xa0\x80", b"\x80"]


@pytest.mark.parametrize("data", BAD_ENCODINGS)
@pytest.mark.parametrize("oid", [25, 1043, 19, 114])
def test_invalid_utf8_fails_like_postgres(reference: ReferenceClient, oid: int, data: bytes) -> None:
    expected = reference.receive(oid, data)
    assert isinstance(expected, ReferenceError)
    for decode in (decode_binary, decode_text):
        with pytest.raises(DatabaseError) as caught:
            decode(oid, data)
        assert (caught.value.sqlstate, caught.value.message) == (expected.sqlstate, expected.message)
