"""The exact replies to extended- and simple-protocol messages that drivers send but do not show:
what a failing Parse/Describe sends before its ErrorResponse, EmptyQueryResponse for empty
queries, the 25P01 warning of COMMIT/ROLLBACK outside a transaction block, and the table OID and
column number in RowDescription. Sent as raw frames (`tests/server/wire.py`); every test passes
against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres).
"""

from __future__ import annotations

import pytest

from heliosdb_lite.protocol import frontend
from tests.server.conftest import Target
from tests.server.wire import BackendMessage, RawConnection, error_fields, exchange


def kinds(replies: list[BackendMessage]) -> list[str]:
    return [reply.type for reply in replies]


def test_parameter_type_without_codec_fails_at_parse_before_any_description(raw: RawConnection) -> None:
    """A client that reads the description before its Bind (pg8000) must get the error at Parse:
    never a ParameterDescription followed by an ErrorResponse."""
    line = 628
    replies = exchange(raw, frontend.parse("", "select $1 as p", [line]), frontend.describe("S", ""),
                       frontend.sync())
    if replies[0].type == "1":  # PostgreSQL has the type
        assert kinds(replies) == ["1", "t", "T", "Z"]
    else:
        assert kinds(replies) == ["E", "Z"]
        assert error_fields(replies[0])["C"] == "0A000"
    assert kinds(exchange(raw, frontend.query("select 1"))) == ["T", "D", "C", "Z"]


@pytest.mark.parametrize("query", ["", ";", " -- only a comment\n", "/* and */ ; ;"])
def test_empty_query_over_the_extended_protocol(raw: RawConnection, query: str) -> None:
    replies = exchange(raw, frontend.parse("", query), frontend.describe("S", ""), frontend.bind("", "", []),
                       frontend.describe("P", ""), frontend.execute(""), frontend.sync())
    assert kinds(replies) == ["1", "t", "n", "2", "n", "I", "Z"]
    assert frontend.decode_parameter_description(replies[1].body) == ()


def test_empty_named_statement_keeps_its_parameter_types_and_runs_again(raw: RawConnection) -> None:
    replies = exchange(raw, frontend.parse("nothing", "", [23]), frontend.describe("S", "nothing"),
                       frontend.bind("p", "nothing", [b"1"]), frontend.execute("p", 1), frontend.execute("p"),
                       frontend.sync())
    assert kinds(replies) == ["1", "t", "n", "2", "I", "I", "Z"]
    assert frontend.decode_parameter_description(replies[1].body) == (23,)


def test_empty_query_in_a_failed_transaction(raw: RawConnection) -> None:
    """Simple protocol: EmptyQueryResponse. Extended: Parse succeeds, Bind fails with 25P02."""
    assert kinds(exchange(raw, frontend.query("begin; select 1/0"))) == ["C", "E", "Z"]
    assert kinds(exchange(raw, frontend.query(""))) == ["I", "Z"]
    replies = exchange(raw, frontend.parse("", ""), frontend.bind("", "", []), frontend.execute(""),
                       frontend.sync())
    assert kinds(replies) == ["1", "E", "Z"]
    assert error_fields(replies[1])["C"] == "25P02"
    assert kinds(exchange(raw, frontend.query("rollback"))) == ["C", "Z"]


@pytest.mark.parametrize(("database", "sqlstate"), [("no_such_database", "3D000"), ("template0", "55000")])
def test_startup_naming_a_database_that_is_not_served(target: Target, database: str, sqlstate: str) -> None:
    """AuthenticationOk, then FATAL, then the server closes the connection."""
    with RawConnection(target.host, target.port) as connection:
        connection.send_startup({"user": "postgres", "database": database})
        assert connection.read_message().type == "R"
        refusal = connection.read_message()
        assert refusal.type == "E"
        assert {key: error_fields(refusal)[key] for key in "SC"} == {"S": "FATAL", "C": sqlstate}
        assert connection.closed_by_peer()


def test_startup_without_a_database_names_the_user_s(target: Target) -> None:
    with RawConnection(target.host, target.port) as connection:
        connection.send_startup({"user": "postgres"})
        assert kinds(connection.read_until_ready())[0] == "R"
        assert exchange(connection, frontend.query("select current_database()"))[1].body.endswith(b"postgres")


def described(replies: list[BackendMessage]) -> list[tuple[str, int, int]]:
    """(name, type OID, format) of each field of the one RowDescription among the replies."""
    (description,) = [reply for reply in replies if reply.type == "T"]
    fields, formats = frontend.decode_row_description(description.body)
    return [(field.name, field.type_oid, fmt) for field, fmt in zip(fields, formats, strict=True)]


def test_row_description_follows_schema_changes_and_formats(raw: RawConnection) -> None:
    """The same statement text described after its table changed, and in another result format:
    never an earlier execution's description."""
    exchange(raw, frontend.query("drop table if exists shape; create table shape (a int)"))
    try:
        assert described(exchange(raw, frontend.query("select * from shape"))) == [("a", 23, 0)]
        exchange(raw, frontend.query("alter table shape add column b text"))
        assert described(exchange(raw, frontend.query("select * from shape"))) == [("a", 23, 0), ("b", 25, 0)]
        exchange(raw, frontend.query("alter table shape drop column a"))
        assert described(exchange(raw, frontend.query("select * from shape"))) == [("b", 25, 0)]
        for result_format in (1, 0, 1):
            replies = exchange(raw, frontend.parse("", "select b, 1 as n from shape"),
                               frontend.bind("", "", [], result_formats=[result_format]),
                               frontend.describe("P", ""), frontend.execute(""), frontend.sync())
            assert described(replies) == [("b", 25, result_format), ("n", 23, result_format)]
    finally:
        exchange(raw, frontend.query("drop table shape"))


def test_more_parameters_than_sqlite_binds(raw: RawConnection) -> None:
    """PostgreSQL takes up to 65535 parameters, SQLite binds 32766: the values of those past it reach
    the statement too (pg8000's test_max_parameters sends 60000)."""
    int8 = 20
    count = 40000
    values = [str(number).encode() for number in range(1, count + 1)]
    values[39998] = b"32766"  # $39999
    sql = "select $40000 - $1, $32767, $32766 = $39999, $32766 = $32767, $32766 in ($2,$39999), " \
        "$3 in ($2, $4)"
    replies = exchange(raw, frontend.parse("", sql, [int8] * count), frontend.bind("", "", values),
                       frontend.execute(""), frontend.sync())
    assert kinds(replies) == ["1", "2", "D", "C", "Z"]
    assert frontend.decode_data_row(replies[2].body) == [b"39999", b"32767", b"t", b"f", b"t", b"f"]
