"""SQL answers that real drivers' own test suites found wrong, through psycopg 3 and SQLAlchemy
against the server (and, with HELIOSDB_CLIENT_TESTS_TARGET=postgres, against PostgreSQL 15 to check
the expectations): jsonb paths bound as text[] parameters, numerics beyond 28 digits, date
arithmetic with int2 parameters, statements PostgreSQL refuses, temporary tables with serial and
identity columns, a NaN parameter kept, an expression given as a statement."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import psycopg.errors
import pytest
import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import postgresql

from tests.server.conftest import Target

CONNECT_TIMEOUT = 10
DOCUMENT = {"a": [10, 20, {"b": "deep"}], "k": "v"}


@pytest.fixture
def autocommit(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as connection:
        yield connection


@pytest.fixture
def engine(target: Target) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"postgresql+psycopg://postgres@{target.host}:{target.port}/postgres",
                              connect_args={"connect_timeout": CONNECT_TIMEOUT})
    try:
        yield engine
    finally:
        engine.dispose()


# jsonb #> and #>> with the path as a parameter or an ARRAY[...] ---------------------------------------


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_jsonb_path_bound_as_a_text_array(autocommit: psycopg.Connection[Any], binary: bool) -> None:
    cur = autocommit.cursor(binary=binary)
    cur.execute("select %s::jsonb #> %s, %s::jsonb #>> %s",
                (Jsonb(DOCUMENT), ["a", "2"], Jsonb(DOCUMENT), ["a", "2", "b"]))
    assert cur.fetchone() == ({"b": "deep"}, "deep")
    cur.execute("select %s::json #>> %s", (Jsonb(DOCUMENT), ["a", "-1", "b"]))
    assert cur.fetchone() == ("deep",)


def test_jsonb_path_written_as_an_array_constructor(autocommit: psycopg.Connection[Any]) -> None:
    row = autocommit.execute("select %s::jsonb #> array['a','1'], %s::jsonb #>> array['k']",
                             (Jsonb(DOCUMENT), Jsonb(DOCUMENT))).fetchone()
    assert row == (20, "v")
    with pytest.raises(psycopg.errors.UndefinedFunction, match=r"jsonb #> integer\[\]"):
        autocommit.execute("select %s::jsonb #> array[1, 2]", (Jsonb(DOCUMENT),))


def test_sqlalchemy_jsonb_path_operators(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    docs = sa.Table("faults_json_docs", metadata, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("doc", postgresql.JSONB))
    metadata.drop_all(engine)
    metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            connection.execute(docs.insert(), [{"id": 1, "doc": DOCUMENT}])
            query = sa.select(docs.c.doc[("a", 2)], docs.c.doc[("a", 2, "b")].astext,
                              docs.c.doc[("k",)].astext)
            assert connection.execute(query).one() == ({"b": "deep"}, "deep", "v")
            found = connection.execute(sa.select(docs.c.id).where(docs.c.doc[("a", 1)].astext == "20"))
            assert found.scalars().all() == [1]
    finally:
        metadata.drop_all(engine)


# numerics beyond 28 digits, integers at their types' edges, float sums ------------------------------------

BIG = "1267650600228229401496703205376"  # 2^100 (Python's own Decimal operators would round it to 28 digits)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_numeric_keeps_every_digit(autocommit: psycopg.Connection[Any], binary: bool) -> None:
    cur = autocommit.cursor(binary=binary)
    cur.execute(f"select -{BIG}, -%s::numeric, abs(%s::numeric), round(%s::numeric, 2), %s::numeric(40,5), "
                "%s::numeric / 3, %s::numeric * 1.5",
                (Decimal(BIG), Decimal(f"-{BIG}.25"), Decimal(f"{BIG}.555"), Decimal(BIG), Decimal(BIG),
                 Decimal(BIG)))
    assert cur.fetchone() == (Decimal(f"-{BIG}"), Decimal(f"-{BIG}"), Decimal(f"{BIG}.25"),
                              Decimal(f"{BIG}.56"), Decimal(f"{BIG}.00000"),
                              Decimal("422550200076076467165567735125"),
                              Decimal("1901475900342344102245054808064.0"))
    cur.execute("select sum(x), avg(x), min(x) from (values (%s::numeric), (-1)) v(x)", (Decimal(BIG),))
    assert cur.fetchone() == (Decimal("1267650600228229401496703205375"),
                              Decimal("633825300114114700748351602688"), -1)


def test_integer_overflow_inside_an_expression_is_an_error(autocommit: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.NumericValueOutOfRange, match="integer out of range"):
        autocommit.execute("select (%s::int4 + 1) - 10", (2147483647,))
    with pytest.raises(psycopg.errors.NumericValueOutOfRange, match="bigint out of range"):
        autocommit.execute("select (%s::int8 - 1) + 5", (-(2**63),))


def test_float_sum_adds_as_postgresql_does(autocommit: psycopg.Connection[Any]) -> None:
    row = autocommit.execute("select sum(x), avg(x) from unnest(%s::float8[]) x",
                             ([0.1, 0.2, 0.3],)).fetchone()
    assert row == (0.6000000000000001, 0.20000000000000004)
    with pytest.raises(psycopg.errors.NumericValueOutOfRange, match="overflow"):
        autocommit.execute("select %s::float8 * 10", (1e308,))


# integers bound as int2 and int8 next to a date ---------------------------------------------------------


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_date_plus_a_small_integer_parameter(autocommit: psycopg.Connection[Any], binary: bool) -> None:
    """psycopg binds an int below 2**15 as int2: PostgreSQL widens it to int4 for date + int4."""
    day = dt.date(2024, 1, 31)
    cur = autocommit.cursor(binary=binary)
    cur.execute("select %s + %s, %s - %s, %s + %s, %b + %b", (day, 1, day, 31, 40000, day, day, 2))
    assert cur.fetchone() == (dt.date(2024, 2, 1), dt.date(2023, 12, 31), dt.date(2133, 8, 7),
                              dt.date(2024, 2, 2))
    with pytest.raises(psycopg.errors.UndefinedFunction, match=r"operator does not exist: date \+ bigint"):
        cur.execute("select %s + %s", (day, 2**40))


def test_bitwise_operators_on_integer_parameters(autocommit: psycopg.Connection[Any]) -> None:
    cur = autocommit.cursor(binary=True)
    cur.execute("select %s & %s, %s | %s, %s # %s, %s << %s, %s >> %s, ~%s",
                (12, 10, 12, 10, 12, 10, 1, 40, -8, 1, 5))
    assert cur.fetchone() == (8, 14, 6, 256, -4, -6)
    assert [d.type_code for d in cur.description or ()] == [21] * 6  # int2, as the parameters


# temporary tables with serial and identity columns ------------------------------------------------------


def test_temporary_table_with_serial_and_identity_columns(target: Target) -> None:
    """Their sequences are the session's: drawn from at once, gone with it, apart from another's."""
    ddl = ("create temp table faults_temp (id serial, big bigserial primary key, "
           "ident int generated always as identity, v text)")
    insert = "insert into faults_temp (v) values ('a'), ('b') returning id, big, ident"
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as first, \
            psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as second:
        first.execute(ddl)
        assert first.execute(insert).fetchall() == [(1, 1, 1), (2, 2, 2)]
        assert first.execute("select currval('faults_temp_id_seq')").fetchone() == (2,)
        with pytest.raises(psycopg.errors.UndefinedTable):
            second.execute("insert into faults_temp (v) values ('x')")
        second.execute(ddl)
        assert second.execute(insert).fetchall() == [(1, 1, 1), (2, 2, 2)]
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as later:
        later.execute(ddl)
        assert later.execute(insert).fetchall() == [(1, 1, 1), (2, 2, 2)]


def test_first_serial_value_of_many_sessions_in_insert_returning(target: Target) -> None:
    """A session's first value from a temporary table's serial column, drawn inside INSERT ...
    RETURNING, once created the session's sequence table under the running statement: SQLite
    crashed the server with SIGSEGV in one session of a few dozen (CI, 2026-12-07)."""
    ddl = "create temp table faults_first (id serial, big bigserial primary key, v text)"
    for _ in range(100):
        with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as session:
            session.execute(ddl)
            inserted = session.execute("insert into faults_first (v) values ('a'), ('b') returning id, big")
            assert inserted.fetchall() == [(1, 1), (2, 2)]


# statements PostgreSQL refuses ----------------------------------------------------------------------------


@pytest.mark.parametrize(("sql", "error"), [
    ("select 1 where 1 in ()", psycopg.errors.SyntaxError),
    ("update faults_refused set x = 3, x = 4", psycopg.errors.SyntaxError),
    ("insert into faults_refused (id, x, x) values (9, 1, 2)", psycopg.errors.DuplicateColumn),
    ("select x, count(*) from faults_refused", psycopg.errors.GroupingError),
    ("select id, x from faults_refused group by x", psycopg.errors.GroupingError),
    ("select x from faults_refused where sum(x) > 1", psycopg.errors.GroupingError),
    ("select sum(count(*)) from faults_refused", psycopg.errors.GroupingError),
    ("select x from faults_refused where row_number() over () = 1", psycopg.errors.WindowingError),
    ("select x from faults_refused order by 2", psycopg.errors.InvalidColumnReference),
    ("select x from faults_refused where x", psycopg.errors.DatatypeMismatch),
    ("select x from faults_refused limit -1", psycopg.errors.InvalidRowCountInLimitClause),
    ("values (1), (1, 2)", psycopg.errors.SyntaxError),
    ("select * from faults_refused a, faults_refused a", psycopg.errors.DuplicateAlias),
    ("create table faults_twice (a int, a text)", psycopg.errors.DuplicateColumn),
])
def test_refused_as_postgresql_refuses(autocommit: psycopg.Connection[Any], sql: str,
                                       error: type[psycopg.Error]) -> None:
    """SQLite would answer these (x IN () is false, the last of two assignments wins, a group's
    column is some row's, ...) or fail with its own words."""
    autocommit.execute("create table if not exists faults_refused (id int primary key, x int)")
    autocommit.execute("insert into faults_refused values (1, 1), (2, 2) on conflict do nothing")
    with pytest.raises(error):
        autocommit.execute(sql)
    assert autocommit.execute("select id, x from faults_refused order by id").fetchall() == [(1, 1), (2, 2)]


def test_grouped_by_primary_key_allows_the_other_columns(autocommit: psycopg.Connection[Any]) -> None:
    autocommit.execute("create table if not exists faults_grouped (id int primary key, x int, y text)")
    autocommit.execute("insert into faults_grouped values (1, 1, 'a'), (2, 1, 'b') on conflict do nothing")
    grouped = autocommit.execute("select id, x, y, count(*) from faults_grouped group by id order by id")
    assert grouped.fetchall() == [(1, 1, "a", 1), (2, 1, "b", 1)]
    by_alias = autocommit.execute("select x + 1 as k, count(*) from faults_grouped group by k")
    assert by_alias.fetchall() == [(2, 2)]


@pytest.mark.parametrize("binary", [False, True])
def test_a_nan_float_parameter_is_kept_not_stored_as_null(autocommit: psycopg.Connection[Any],
                                                          binary: bool) -> None:
    """SQLite keeps a float NaN as NULL: a bound NaN answered NULL (psycopg's test_load_float). A NaN
    parameter comes back as NaN, in an expression and through a table, and equals itself."""
    for sql in ("select %s::float8", "select %s::float4 + 1"):
        value = autocommit.execute(sql, (float("nan"),), binary=binary).fetchone()
        assert value is not None and math.isnan(value[0])
    autocommit.execute("create temporary table faults_nan (f float8)")
    try:
        autocommit.execute("insert into faults_nan values (%s), (%s), (1)", (float("nan"), float("inf")),
                           binary=binary)
        rows = autocommit.execute("select f, f = %s from faults_nan order by f", (float("nan"),),
                                  binary=binary).fetchall()
        assert [(repr(value), equal) for value, equal in rows] == \
            [("1.0", False), ("inf", False), ("nan", True)]
    finally:
        autocommit.execute("drop table faults_nan")


def test_an_expression_where_a_statement_begins_is_a_syntax_error(
        autocommit: psycopg.Connection[Any]) -> None:
    """`wat` was refused as 0A000 "statement COLUMN is not supported" (psycopg's tests/pq)."""
    for sql, near in (("wat", "wat"), ("x + 1", "x"), ("wat()", "wat")):
        with pytest.raises(psycopg.errors.SyntaxError, match=f'syntax error at or near "{near}"'):
            autocommit.execute(sql)
