"""The client encodings' names and conversions without a server: PostgreSQL's aliases, which
encodings need no conversion, and PostgreSQL's errors for what a conversion cannot do."""

from __future__ import annotations

import pytest

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.client_encodings import ENCODINGS, client_encoding_setting, lookup, transcoder


def test_every_encoding_is_found_by_its_own_name_and_numbers_are_postgresqls() -> None:
    for encoding in ENCODINGS:
        assert lookup(encoding.name) is encoding
    assert [encoding.number for encoding in ENCODINGS] == list(range(42))


@pytest.mark.parametrize(("value", "name"), [("ISO-8859-1", "LATIN1"), ("iso_8859_16", "LATIN10"),
                                             ("Windows-1250", "WIN1250"), ("'koi8'", "KOI8R"),
                                             ("Shift_JIS", "SJIS"), ("unicode", "UTF8"), ("u t f 8", "UTF8")])
def test_aliases_are_cleaned_as_postgresql_cleans_them(value: str, name: str) -> None:
    assert client_encoding_setting("client_encoding", value) == name


@pytest.mark.parametrize(("value", "sqlstate"), [("utf16", "22023"), ("latin0", "22023"),
                                                 ("MULE_INTERNAL", "0A000")])
def test_refused_names(value: str, sqlstate: str) -> None:
    with pytest.raises(DatabaseError) as caught:
        client_encoding_setting("client_encoding", value)
    assert caught.value.sqlstate == sqlstate


def test_utf8_and_sql_ascii_need_no_conversion() -> None:
    assert transcoder("UTF8") is None
    assert transcoder("SQL_ASCII") is None
    assert transcoder("LATIN1") is transcoder("LATIN1")


def test_conversions_and_their_errors() -> None:
    latin1 = transcoder("LATIN1")
    assert latin1 is not None
    assert latin1.to_server(b"caf\xe9") == "café".encode()
    assert latin1.to_client("café".encode()) == b"caf\xe9"
    assert latin1.to_client(b"plain") == b"plain"
    with pytest.raises(DatabaseError) as caught:
        latin1.encode("a€")
    assert (caught.value.sqlstate, caught.value.message) == (
        "22P05", 'character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in '
                 'encoding "LATIN1"')
    with pytest.raises(DatabaseError) as caught:
        latin1.decode(b"a\x00")
    assert (caught.value.sqlstate, caught.value.message) == (
        "22021", 'invalid byte sequence for encoding "LATIN1": 0x00')
    assert latin1.lossy.encode("a€") == b"a?"


def test_multibyte_errors_show_the_characters_bytes() -> None:
    sjis = transcoder("SJIS")
    assert sjis is not None
    with pytest.raises(DatabaseError) as caught:
        sjis.decode(b"x\x82'")
    assert (caught.value.sqlstate, caught.value.message) == (
        "22021", 'invalid byte sequence for encoding "SJIS": 0x82 0x27')
    decoder = sjis.incremental_decoder()
    assert decoder.decode(b"\x82") + decoder.decode(b"\xa0", True) == "あ"


def test_a_single_byte_without_a_character_is_untranslatable() -> None:
    win1252 = transcoder("WIN1252")
    assert win1252 is not None
    with pytest.raises(DatabaseError) as caught:
        win1252.decode(b"\x81")
    assert (caught.value.sqlstate, caught.value.message) == (
        "22P05", 'character with byte sequence 0x81 in encoding "WIN1252" has no equivalent in encoding '
                 '"UTF8"')
