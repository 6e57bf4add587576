"""COPY through the drivers: the extended protocol (pg8000 sends COPY as Parse/Bind/Execute),
CSV's FORCE_QUOTE, FORCE_NOT_NULL and FORCE_NULL in both syntaxes, COPY FROM's WHERE, and the
errors PostgreSQL gives for them. Every test passes against PostgreSQL 15 as well
(HELIOSDB_CLIENT_TESTS_TARGET=postgres), which is what makes them differential."""

from __future__ import annotations

import io

import asyncpg
import pg8000.native
import pytest


def error_fields(native: pg8000.native.Connection, sql: str, stream: object = None) -> dict[str, str]:
    with pytest.raises(pg8000.native.DatabaseError) as caught:
        native.run(sql, stream=stream)
    fields: dict[str, str] = caught.value.args[0]
    return fields


def error_code(native: pg8000.native.Connection, sql: str, stream: object = None) -> tuple[str, str]:
    fields = error_fields(native, sql, stream)
    return fields["C"], fields["M"]


def test_copy_in_and_out_through_the_extended_protocol(native: pg8000.native.Connection) -> None:
    native.run("create temporary table x_copy (f1 int primary key, f2 int not null, f3 varchar(50))")
    native.run("copy x_copy from stdin", stream=io.BytesIO(b"1\t1\t1\n2\t2\t\\N\n"))
    assert native.row_count == 2
    out = io.BytesIO()
    native.run("copy x_copy to stdout", stream=out)
    assert (out.getvalue(), native.row_count) == (b"1\t1\t1\n2\t2\t\\N\n", 2)
    native.run("start transaction")
    native.run("copy x_copy from stdin", stream=["3\t3\t3\n"])
    native.run("rollback")
    assert native.run("select f1 from x_copy order by f1") == [[1], [2]]


def test_bad_data_is_22p02_and_the_session_goes_on(native: pg8000.native.Connection) -> None:
    native.run("create temporary table x_copy_bad (f1 int, f2 int)")
    stream = io.BytesIO(b"f1Xf2\n\n1XY1Y\n")
    fields = error_fields(native, "COPY x_copy_bad (f1, f2) FROM STDIN WITH DELIMITER 'X' CSV HEADER "
                                  "QUOTE AS 'Y' FORCE NOT NULL f1", stream)
    assert (fields["C"], fields["M"], fields["W"]) == \
        ("22P02", 'invalid input syntax for type integer: ""', 'COPY x_copy_bad, line 2, column f1: ""')
    fields = error_fields(native, "copy x_copy_bad from stdin", io.BytesIO(b"1\t" + b"x" * 120 + b"\n"))
    assert fields["W"] == 'COPY x_copy_bad, line 1, column f2: "' + "x" * 100 + '..."'
    assert error_code(native, "copy x_copy_bad from stdin", io.BytesIO(b"1\n")) == \
        ("22P04", 'missing data for column "f2"')
    assert native.run("select count(*) from x_copy_bad") == [[0]]


def test_legacy_force_quote_and_force_not_null(native: pg8000.native.Connection) -> None:
    out = io.BytesIO()
    native.run("COPY (SELECT 1 as One, 2 as Two, null as three) TO STDOUT WITH DELIMITER 'X' CSV HEADER "
               "QUOTE AS 'Y' FORCE QUOTE Two, three", stream=out)
    assert out.getvalue() == b"oneXtwoXthree\n1XY2YX\n"
    native.run("create temporary table x_forced (f1 text, f2 int, f3 text)")
    native.run("COPY x_forced (f1, f2) FROM STDIN WITH DELIMITER 'X' CSV HEADER QUOTE AS 'Y' "
               "FORCE NOT NULL f1", stream=io.BytesIO(b"f1Xf2\nX1\n"))
    assert native.run("select f1, f2, f3 from x_forced") == [["", 1, None]]


def test_force_options_in_the_option_list(native: pg8000.native.Connection) -> None:
    native.run("create temporary table x_lists (a text, b text, c text)")
    native.run("copy x_lists from stdin (format csv, null 'N', force_not_null (a), force_null (b, c))",
               stream=io.BytesIO(b'N,"N",N\n"x",N,""\n'))
    assert native.run("select a, b, c from x_lists order by a") == [["N", None, None], ["x", None, ""]]
    out = io.BytesIO()
    native.run("copy x_lists to stdout (format csv, force_quote *)", stream=out)
    assert out.getvalue() == b'"N",,\n"x",,""\n'


@pytest.mark.parametrize(("sql", "expected"), [
    ("copy x_refused to stdout (force_quote (a))", ("0A000", "COPY force quote available only in CSV mode")),
    ("copy x_refused from stdin (format csv, force_quote (a))",
     ("0A000", "COPY force quote only available using COPY TO")),
    ("copy x_refused to stdout (format csv, force_not_null (a))",
     ("0A000", "COPY force not null only available using COPY FROM")),
    ("copy x_refused from stdin (force_null (a))", ("0A000", "COPY force null available only in CSV mode")),
    ("copy x_refused (a) to stdout (format csv, force_quote (b))",
     ("42P10", 'FORCE_QUOTE column "b" not referenced by COPY')),
    ("copy x_refused from stdin (format csv, force_null (z))",
     ("42703", 'column "z" of relation "x_refused" does not exist')),
    ("copy x_refused to stdout where a = 'x'", ("42601", "WHERE clause not allowed with COPY TO")),
])
def test_refused_options(native: pg8000.native.Connection, sql: str, expected: tuple[str, str]) -> None:
    native.run("create temporary table x_refused (a text, b text)")
    assert error_code(native, sql) == expected


async def test_asyncpg_copy_options_and_where(aconn: asyncpg.Connection) -> None:
    await aconn.execute('create table x_apg_copy (a text, "b~" text, i int)')
    try:
        await aconn.execute('insert into x_apg_copy (a, "b~", i) (select \'a\' || i::text, null, i '
                            "from generate_series(1, 2) as i)")
        source = io.BytesIO(b"a|b~\n*a1*|b1\n*!**|*n-u-l-l*\nn-u-l-l|bb\n")
        status = await aconn.copy_to_table(
            "x_apg_copy", source=source, columns=("a", "b~"), schema_name="public", format="csv",
            delimiter="|", null="n-u-l-l", header=True, quote="*", escape="!", force_not_null=("a",),
            force_null=("b~",))
        assert status == "COPY 3"
        output = io.BytesIO()
        await aconn.copy_from_table("x_apg_copy", output=output, columns=("a", "b~"), format="csv",
                                    delimiter="|", null="n-u-l-l", quote="*", escape="!", force_quote=("a",))
        assert sorted(output.getvalue().decode().splitlines()) == \
            ["*!**|n-u-l-l", "*a1*|b1", "*a1*|n-u-l-l", "*a2*|n-u-l-l", "*n-u-l-l*|bb"]
        status = await aconn.copy_records_to_table("x_apg_copy", records=[("w1", None, 1), ("w2", None, 2)],
                                                   where="i > 1")
        assert status == "COPY 1"
        assert await aconn.fetchval("select count(*) from x_apg_copy where a like 'w%'") == 1
    finally:
        await aconn.execute("drop table x_apg_copy")
