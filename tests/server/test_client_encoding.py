"""client_encoding other than UTF8, on the wire, as PostgreSQL 15 with a UTF8 database answers it:
the names and aliases SET and the startup packet accept (and the canonical name ParameterStatus and
SHOW give), the conversion of what the client sends (SQL text, names, text and binary parameters,
COPY data) and of what it is sent back (values in text and binary, column names, errors, COPY data,
notifications), the errors for a character the other side lacks (22P05) and for bytes that are no
character (22021), SQL_ASCII's lack of conversion, and a change taking effect between two statements
of one query. Raw protocol bytes, so the test sees exactly what goes out. Every test passes against
PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres).
"""

from __future__ import annotations

import struct
from typing import Any

import psycopg
import pytest

from heliosdb_lite.protocol import frontend
from tests.server.conftest import Target
from tests.server.wire import BackendMessage, RawConnection, error_fields, exchange

EURO_IN_UTF8 = 'character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding '


def _typed(type_code: bytes, body: bytes) -> bytes:
    return type_code + struct.pack("!i", len(body) + 4) + body


def query(sql: bytes) -> bytes:
    """A Query of these exact bytes (frontend.query writes UTF-8)."""
    return _typed(b"Q", sql + b"\x00")



def kinds(replies: list[BackendMessage]) -> str:
    return "".join(reply.type for reply in replies)


def values(replies: list[BackendMessage]) -> list[list[bytes | None]]:
    return [frontend.decode_data_row(reply.body) for reply in replies if reply.type == "D"]


def reported(replies: list[BackendMessage]) -> dict[str, str]:
    return dict(frontend.decode_parameter_status(reply.body) for reply in replies if reply.type == "S")


def error(replies: list[BackendMessage]) -> tuple[str, str]:
    """SQLSTATE and message of the one ErrorResponse; the message's bytes as LATIN1 (so a test sees
    what encoding they were sent in)."""
    (body,) = [reply.body for reply in replies if reply.type == "E"]
    fields = {field[:1]: field[1:] for field in body.split(b"\x00") if field}
    return fields[b"C"].decode(), fields[b"M"].decode("latin-1")


def column_names(replies: list[BackendMessage]) -> list[bytes]:
    (body,) = [reply.body for reply in replies if reply.type == "T"]
    names, position = [], 2
    for _ in range(struct.unpack_from("!H", body)[0]):
        end = body.index(b"\x00", position)
        names.append(body[position:end])
        position = end + 1 + 18
    return names


def set_encoding(connection: RawConnection, name: str) -> None:
    assert kinds(exchange(connection, query(f"set client_encoding to '{name}'".encode()))) in ("CSZ", "CZ")


@pytest.mark.parametrize(("name", "shown"), [
    ("latin1", "LATIN1"), ("ISO-8859-15", "LATIN9"), ("iso_8859_9", "LATIN5"), ("LATIN 1", "LATIN1"),
    ("windows-1252", "WIN1252"), ("win", "WIN1251"), ("koi8", "KOI8R"), ("KOI8U", "KOI8U"),
    ("sql-ascii", "SQL_ASCII"), ("mskanji", "SJIS"), ("win936", "GBK"), ("Big5", "BIG5"),
    ("euc_jp", "EUC_JP"), ("euc_tw", "EUC_TW"), ("tcvn", "WIN1258"), ("alt", "WIN866"),
    ("iso_8859_7", "ISO_8859_7"),
])
def test_names_and_aliases_are_shown_by_their_canonical_name(raw: RawConnection, name: str,
                                                             shown: str) -> None:
    replies = exchange(raw, query(f"set client_encoding to '{name}'".encode()))
    assert reported(replies) == {"client_encoding": shown}
    assert values(exchange(raw, query(b"show client_encoding"))) == [[shown.encode()]]
    assert reported(exchange(raw, query(b"set client_encoding to unicode"))) == {"client_encoding": "UTF8"}


@pytest.mark.parametrize(("name", "sqlstate"), [("latin11", "22023"), ("cp1252", "22023"), ("u8", "22023"),
                                                ("mule_internal", "0A000")])
def test_names_postgresql_refuses(raw: RawConnection, name: str, sqlstate: str) -> None:
    replies = exchange(raw, query(f"set client_encoding to '{name}'".encode()))
    assert error(replies) == (sqlstate, f'invalid value for parameter "client_encoding": "{name}"')


def test_latin1_text_names_and_values_are_converted_both_ways(raw: RawConnection) -> None:
    set_encoding(raw, "latin1")
    replies = exchange(raw, query(b"select '\xe9t\xe9' as \"caf\xe9\", length('\xe9t\xe9'), '\xe0' || 'x'"))
    assert column_names(replies) == [b"caf\xe9", b"length", b"?column?"]
    assert values(replies) == [[b"\xe9t\xe9", b"3", b"\xe0x"]]


def test_a_value_the_client_encoding_lacks_is_22p05_and_fails_the_transaction(raw: RawConnection) -> None:
    set_encoding(raw, "latin1")
    replies = exchange(raw, query(b"begin; select chr(8364)"))
    assert kinds(replies) == "CTEZ"  # the row description went out, then the error instead of the row
    assert error(replies) == ("22P05", EURO_IN_UTF8 + '"LATIN1"')
    assert error(exchange(raw, query(b"select 1")))[0] == "25P02"
    assert kinds(exchange(raw, query(b"rollback"))) == "CZ"


def test_an_error_message_the_client_encoding_cannot_hold_becomes_22p05(raw: RawConnection) -> None:
    set_encoding(raw, "latin1")
    assert error(exchange(raw, query(b"select chr(8364)::int"))) == ("22P05", EURO_IN_UTF8 + '"LATIN1"')
    assert error(exchange(raw, query(b"select '\xe9'::int"))) == (
        "22P02", 'invalid input syntax for type integer: "\xe9"')  # sent in LATIN1


def test_a_byte_without_a_character_in_a_single_byte_encoding_is_22p05(raw: RawConnection) -> None:
    set_encoding(raw, "win1252")
    assert error(exchange(raw, query(b"select '\x81'"))) == (
        "22P05", 'character with byte sequence 0x81 in encoding "WIN1252" has no equivalent in encoding '
                 '"UTF8"')
    assert values(exchange(raw, query(b"select '\x80'"))) == [[b"\x80"]]  # the euro sign


def test_invalid_bytes_are_22021_and_the_session_goes_on(raw: RawConnection) -> None:
    assert error(exchange(raw, query(b"select '\xe9'"))) == (
        "22021", 'invalid byte sequence for encoding "UTF8": 0xe9 0x27')
    set_encoding(raw, "sjis")
    assert error(exchange(raw, query(b"select '\x82'"))) == (
        "22021", 'invalid byte sequence for encoding "SJIS": 0x82 0x27')
    assert values(exchange(raw, query(b"select '\x82\xa0', length('\x82\xa0')"))) == [[b"\x82\xa0", b"1"]]
    assert error(exchange(raw, query(b"select chr(233)"))) == (
        "22P05", 'character with byte sequence 0xc3 0xa9 in encoding "UTF8" has no equivalent in encoding '
                 '"SJIS"')


def test_invalid_bytes_in_an_extended_message_fail_until_sync(raw: RawConnection) -> None:
    set_encoding(raw, "sjis")
    replies = exchange(raw, _typed(b"P", b"\x00select '\x82'\x00\x00\x00"), frontend.bind("", "", []),
                       frontend.execute(""), frontend.sync())
    assert kinds(replies) == "EZ"
    assert error(replies) == ("22021", 'invalid byte sequence for encoding "SJIS": 0x82 0x27')


def test_sql_ascii_passes_bytes_through_but_checks_them_as_utf8(raw: RawConnection) -> None:
    set_encoding(raw, "sql_ascii")
    assert values(exchange(raw, query(b"select '\xc3\xa9', chr(8364)"))) == [[b"\xc3\xa9", b"\xe2\x82\xac"]]
    assert error(exchange(raw, query(b"select '\xff'"))) == (
        "22021", 'invalid byte sequence for encoding "UTF8": 0xff')


def test_a_change_applies_from_the_next_statement_of_the_same_query(raw: RawConnection) -> None:
    replies = exchange(raw, query("set client_encoding to latin1; select 'é'".encode()))
    assert values(replies) == [[b"\xe9"]]  # the text was UTF8 when it came, the result LATIN1
    assert reported(replies) == {"client_encoding": "LATIN1"}


def test_rollback_restores_the_encoding(raw: RawConnection) -> None:
    exchange(raw, query(b"begin"))
    set_encoding(raw, "latin2")
    replies = exchange(raw, query(b"rollback"))
    assert reported(replies) == {"client_encoding": "UTF8"}
    assert values(exchange(raw, query("select 'é'".encode()))) == [["é".encode()]]


def test_parameters_and_results_in_text_and_binary(raw: RawConnection) -> None:
    set_encoding(raw, "latin1")
    columns = "select $1::text, length($1), $1::varchar, $1::json, $1::jsonb, array[$1, 'x']"
    replies = exchange(raw, frontend.parse("", columns + ", $1::int", [25]),
                       frontend.bind("", "", [b'"\xe9"'], [1], [1]), frontend.execute(""), frontend.sync())
    assert error(replies) == ("22P02", 'invalid input syntax for type integer: ""\xe9""')
    replies = exchange(raw, frontend.parse("", columns, [25]),
                       frontend.bind("", "", [b'"\xe9"'], [1], [1, 1, 0, 0, 1, 1]), frontend.execute(""),
                       frontend.sync())
    (row,) = values(replies)
    assert row[:5] == [b'"\xe9"', b"\x00\x00\x00\x03", b'"\xe9"', b'"\xe9"', b'\x01"\xe9"']
    assert row[5] is not None and row[5].endswith(b'\x00\x00\x00\x03"\xe9"\x00\x00\x00\x01x')
    replies = exchange(raw, frontend.parse("", "select $1::text[]", [1009]),
                       frontend.bind("", "", [b'{"\xe9\xe9"}'], [0], [0]), frontend.execute(""),
                       frontend.sync())
    assert values(replies) == [[b"{\xe9\xe9}"]]


def test_composite_fields_in_binary(raw: RawConnection) -> None:
    exchange(raw, query(b"drop type if exists encoded_pair"))
    exchange(raw, query(b"create type encoded_pair as (a text, n int)"))
    try:
        set_encoding(raw, "latin1")
        sql = ("select $1::text = chr(233), row(chr(233), 1)::encoded_pair, "
               "array[row(chr(224), 2)::encoded_pair]")
        replies = exchange(raw, frontend.parse("", sql, [25]),
                           frontend.bind("", "", [b"\xe9"], [1], [1]), frontend.execute(""), frontend.sync())
        (row,) = values(replies)
        field = b"\x00\x00\x00\x01\xe9\x00\x00\x00\x17\x00\x00\x00\x04\x00\x00\x00\x01"
        assert row[0] == b"\x01" and row[1] is not None and row[1].endswith(field)
        assert row[2] is not None and row[2].endswith(b"\x00\x00\x00\x01\xe0\x00\x00\x00\x17\x00\x00\x00\x04"
                                                    b"\x00\x00\x00\x02")
    finally:
        exchange(raw, query(b"drop type encoded_pair"))


def test_copy_in_and_out(raw: RawConnection) -> None:
    set_encoding(raw, "latin1")
    exchange(raw, query(b"create temp table encoded (a text, b text)"))
    replies = exchange(raw, query(b"copy encoded from stdin (format csv)"),
                       frontend.copy_data(b'"\xe9,",\xe0\n'), frontend.copy_done())
    assert kinds(replies) == "GCZ"
    replies = exchange(raw, query(b"copy encoded to stdout (format csv, header)"))
    assert [r.body for r in replies if r.type == "d"] == [b"a,b\n", b'"\xe9,",\xe0\n']
    assert values(exchange(raw, query(b"select length(a), b = chr(224) from encoded"))) == [[b"2", b"t"]]
    replies = exchange(raw, query(b"copy (select chr(8364)) to stdout"))
    assert error(replies) == ("22P05", EURO_IN_UTF8 + '"LATIN1"')


def test_copy_encoding_option_overrides_the_client_encoding(raw: RawConnection) -> None:
    exchange(raw, query(b"create temp table named (a text)"))
    replies = exchange(raw, query(b"copy named from stdin (encoding 'latin1')"),
                       frontend.copy_data(b"\xe9\n"), frontend.copy_done())
    assert kinds(replies) == "GCZ"
    assert values(exchange(raw, query(b"select a = chr(233) from named"))) == [[b"t"]]
    assert [r.body for r in exchange(raw, query(b"copy named to stdout with encoding 'iso-8859-1'"))
            if r.type == "d"] == [b"\xe9\n"]
    set_encoding(raw, "latin1")
    assert [r.body for r in exchange(raw, query(b"copy named to stdout (encoding utf8)"))
            if r.type == "d"] == [b"\xc3\xa9\n"]
    replies = exchange(raw, query(b"copy named to stdout (format binary, encoding 'utf8')"))
    assert next(r.body for r in replies if r.type == "d").endswith(b"\x00\x00\x00\x01\xe9")  # the client's
    assert error(exchange(raw, query(b"copy named to stdout (encoding 'koi8')"))) == (
        "22P05", 'character with byte sequence 0xc3 0xa9 in encoding "UTF8" has no equivalent in encoding '
                 '"KOI8R"')
    assert error(exchange(raw, query(b"copy named to stdout (encoding 'bogus')"))) == (
        "22023", 'argument to option "encoding" must be a valid encoding name')


def test_copy_data_may_split_a_multibyte_character(raw: RawConnection) -> None:
    set_encoding(raw, "sjis")
    exchange(raw, query(b"create temp table split (a text)"))
    replies = exchange(raw, query(b"copy split from stdin"), frontend.copy_data(b"\x82"),
                       frontend.copy_data(b"\xa0\n"), frontend.copy_done())
    assert kinds(replies) == "GCZ"
    assert values(exchange(raw, query(b"select a = chr(12354) from split"))) == [[b"t"]]


def test_startup_parameter(target: Target) -> None:
    with RawConnection(target.host, target.port) as connection:
        connection.send_startup({"user": "postgres", "database": "postgres", "client_encoding": "latin1",
                                 "options": "-c client_encoding=koi8r"})  # the packet's parameter wins
        assert reported(connection.read_until_ready())["client_encoding"] == "LATIN1"
        assert values(exchange(connection, query(b"select '\xe9'::text || chr(233)"))) == [[b"\xe9\xe9"]]
    with RawConnection(target.host, target.port) as connection:
        connection.send_startup({"user": "postgres", "database": "postgres", "client_encoding": "bogus"})
        assert connection.read_message() == BackendMessage("R", struct.pack("!i", 0))  # trust: then the FATAL
        fields = error_fields(connection.read_message())
        assert (fields["S"], fields["C"]) == ("FATAL", "22023")
        assert connection.closed_by_peer()


def test_notification_in_the_listeners_encoding(target: Target, raw: RawConnection) -> None:
    set_encoding(raw, "latin1")
    exchange(raw, query(b"listen \"caf\xe9\""))
    with psycopg.connect(target.dsn, autocommit=True) as notifier:
        notifier.execute("notify \"café\", 'thé'")
    message = raw.read_message()
    assert message.type == "A"
    assert message.body[4:] == b"caf\xe9\x00th\xe9\x00"


@pytest.mark.parametrize("encoding", ["latin1", "win1252", "koi8r", "sjis", "big5", "gbk", "euc_kr"])
def test_psycopg_round_trip(target: Target, encoding: str) -> None:
    texts = {"latin1": "çà va", "win1252": "€ œ", "koi8r": "привет", "sjis": "こんにちは", "big5": "中文",
             "gbk": "中文", "euc_kr": "한국어"}
    connection: psycopg.Connection[Any]
    with psycopg.connect(target.dsn, autocommit=True, client_encoding=encoding) as connection:
        text = texts[encoding]
        for binary in (False, True):
            row = connection.cursor(binary=binary).execute("select %s::text, length(%s), %s::text[]",
                                                           (text, text, [text])).fetchone()
            assert row == (text, len(text), [text])
