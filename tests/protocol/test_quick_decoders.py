"""The extended protocol's quick decoders (protocol/messages.py) answer exactly what decoding field
by field answers: the same message for a well-formed body, and for any other body the same message
or the same error (they leave it to the field-by-field decoding)."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import messages

NAMES = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=12)
FORMATS = st.lists(st.sampled_from([0, 1]), max_size=4)
PARAMS = st.lists(st.one_of(st.none(), st.binary(max_size=12)), max_size=4)


def cstr(text: str) -> bytes:
    return text.encode() + b"\0"


def formats(codes: list[int]) -> bytes:
    return struct.pack(f"!H{len(codes)}h", len(codes), *codes)


def bind_body(portal: str, statement: str, param_formats: list[int], params: list[bytes | None],
              result_formats: list[int]) -> bytes:
    values = b"".join(struct.pack("!i", -1) if value is None else struct.pack("!i", len(value)) + value
                      for value in params)
    return (cstr(portal) + cstr(statement) + formats(param_formats) + struct.pack("!H", len(params)) + values
            + formats(result_formats))


def outcome(decoder, type_code: int, body: bytes) -> object:  # type: ignore[no-untyped-def]
    try:
        return decoder(type_code, body)
    except DatabaseError as error:
        return (error.sqlstate, error.message)


def same_as_field_by_field(type_code: int, body: bytes) -> None:
    quick = outcome(messages.decode_frontend, type_code, body)
    assert quick == outcome(messages.read_frontend, type_code, body)


@given(NAMES, NAMES, st.lists(st.integers(0, 2**32 - 1), max_size=4))
def test_parse(name: str, sql: str, oids: list[int]) -> None:
    body = cstr(name) + cstr(sql) + struct.pack(f"!H{len(oids)}I", len(oids), *oids)
    assert messages.decode_frontend(0x50, body) == messages.Parse(name, sql, tuple(oids))
    same_as_field_by_field(0x50, body)


@given(NAMES, NAMES, FORMATS, PARAMS, FORMATS)
def test_bind(portal: str, statement: str, param_formats: list[int], params: list[bytes | None],
              result_formats: list[int]) -> None:
    body = bind_body(portal, statement, param_formats, params, result_formats)
    assert messages.decode_frontend(0x42, body) == messages.Bind(portal, statement, tuple(param_formats),
                                                                 tuple(params), tuple(result_formats))
    same_as_field_by_field(0x42, body)


@given(st.sampled_from([0x44, 0x43]), st.sampled_from("SP"), NAMES)
def test_describe_and_close(type_code: int, kind: str, name: str) -> None:
    body = kind.encode() + cstr(name)
    expected = (messages.Describe if type_code == 0x44 else messages.Close)(kind, name)
    assert messages.decode_frontend(type_code, body) == expected
    same_as_field_by_field(type_code, body)


@given(NAMES, st.integers(-(2**31), 2**31 - 1))
def test_execute_and_query(portal: str, max_rows: int) -> None:
    assert messages.decode_frontend(0x45, cstr(portal) + struct.pack("!i", max_rows)) == messages.Execute(
        portal, max_rows)
    assert messages.decode_frontend(0x51, cstr(portal)) == messages.Query(portal)


@settings(max_examples=600)
@given(st.sampled_from([0x51, 0x50, 0x42, 0x44, 0x45, 0x43]), st.binary(max_size=40),
       st.integers(0, 39), st.binary(max_size=3))
def test_any_body_as_field_by_field(type_code: int, body: bytes, at: int, inserted: bytes) -> None:
    """Arbitrary bodies, and well-formed ones with bytes cut or inserted (bad lengths, counts,
    format codes, missing or extra terminators, invalid UTF-8)."""
    same_as_field_by_field(type_code, body)
    well_formed = {0x51: cstr("SELECT 1"), 0x50: cstr("") + cstr("SELECT $1") + struct.pack("!HI", 1, 23),
                   0x42: bind_body("", "s", [1], [b"\x00\x01", None], [0, 1]), 0x44: b"S" + cstr("s"),
                   0x45: cstr("") + struct.pack("!i", 0), 0x43: b"P" + cstr("p")}[type_code]
    cut = at % (len(well_formed) + 1)
    same_as_field_by_field(type_code, well_formed[:cut] + inserted + well_formed[cut:])
    same_as_field_by_field(type_code, well_formed[:cut] + well_formed[cut + 1:])
