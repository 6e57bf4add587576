"""Parameters bind by number; parameter and result column types are known before execution."""

from __future__ import annotations

import pytest

from heliosdb_lite.engine.session import SQLiteSession

from .helpers import columns, error, rows, run, value

BOOL, BYTEA, NAME, INT8, INT2, INT4, TEXT = 16, 17, 19, 20, 21, 23, 25
FLOAT4, FLOAT8, VARCHAR, DATE, TIMESTAMP, TIMESTAMPTZ, INTERVAL, NUMERIC, UUID, JSONB = (
    700, 701, 1043, 1082, 1114, 1184, 1186, 1700, 2950, 3802)


@pytest.fixture
def table(session: SQLiteSession) -> SQLiteSession:
    run(session, "create table items (id serial primary key, name varchar(20) not null, price numeric(10,2), "
                 "qty int2, big bigint, ratio float8, made timestamptz, day date, active boolean, tag uuid)")
    return session


def test_parameters_bind_by_number_not_order(session: SQLiteSession) -> None:
    assert rows(session, "select $2::text, $1::int, $2::text || 'x'", [7, "b"]) == [("b", 7, "bx")]


def test_parameter_used_twice_and_gaps(session: SQLiteSession) -> None:
    statement = session.prepare("select $3::int + $3", ())
    assert statement.param_oids == (TEXT, TEXT, INT4)
    assert session.execute(statement, [None, None, 20]).fetch(0) == [(40,)]


def test_client_parameter_types_are_kept(session: SQLiteSession) -> None:
    statement = session.prepare("select $1 + 1, $2", (INT2, 0))
    assert statement.param_oids == (INT2, TEXT)
    assert [c.type_oid for c in statement.columns or ()] == [INT4, TEXT]  # int2 + int4 is int4


@pytest.mark.parametrize(("sql", "expected"), [
    ("select $1::int", (INT4,)),
    ("select $1::bigint, $2::numeric(5,1), $3::timestamptz", (INT8, NUMERIC, TIMESTAMPTZ)),
    ("select * from items where id = $1", (INT4,)),
    ("select * from items where $1 = name", (TEXT,)),  # varchar = unknown resolves to text = text
    ("select * from items where price < $1 and made >= $2", (NUMERIC, TIMESTAMPTZ)),
    ("select * from items where id in ($1, $2) and active = $3", (INT4, INT4, BOOL)),
    ("select * from items where qty between $1 and $2", (INT2, INT2)),
    ("insert into items (name, price, day) values ($1, $2, $3)", (VARCHAR, NUMERIC, DATE)),
    ("insert into items values ($1, $2)", (INT4, VARCHAR)),
    ("update items set price = $1, tag = $2 where id = $3", (NUMERIC, UUID, INT4)),
    ("select * from items limit $1 offset $2", (INT8, INT8)),
    ("select id + $1, big * $2 from items", (INT4, INT8)),
    ("select $1", (TEXT,)),
    ("select length($1)", (TEXT,)),
    ("select made + $1 from items", (INTERVAL,)),
    ("select pg_sleep($1)", (FLOAT8,)),
])
def test_parameter_types_are_inferred(table: SQLiteSession, sql: str, expected: tuple[int, ...]) -> None:
    assert table.prepare(sql, ()).param_oids == expected


def test_table_column_types_and_typmods(table: SQLiteSession) -> None:
    assert columns(table, "select * from items") == [
        ("id", INT4, -1), ("name", VARCHAR, 24), ("price", NUMERIC, (10 << 16 | 2) + 4), ("qty", INT2, -1),
        ("big", INT8, -1), ("ratio", FLOAT8, -1), ("made", TIMESTAMPTZ, -1), ("day", DATE, -1),
        ("active", BOOL, -1), ("tag", UUID, -1)]


@pytest.mark.parametrize(("sql", "expected"), [
    ("select 1", [("?column?", INT4, -1)]),
    ("select 2147483648, 9223372036854775808, 1.5, 'x', null", [
        ("?column?", INT8, -1), ("?column?", NUMERIC, -1), ("?column?", NUMERIC, -1), ("?column?", TEXT, -1),
        ("?column?", TEXT, -1)]),
    ("select true, 1 = 1, 1 < 2 as lt", [("?column?", BOOL, -1), ("?column?", BOOL, -1), ("lt", BOOL, -1)]),
    ("select now(), current_timestamp, version(), current_schema(), current_user", [
        ("now", TIMESTAMPTZ, -1), ("current_timestamp", TIMESTAMPTZ, -1), ("version", TEXT, -1),
        ("current_schema", NAME, -1), ("current_user", NAME, -1)]),
    ("select $1::int + 1 as x, 'a'::text t, 1.5::numeric n, '{\"a\":1}'::jsonb j", [
        ("x", INT4, -1), ("t", TEXT, -1), ("n", NUMERIC, -1), ("j", JSONB, -1)]),
    ("select 'a'::varchar(5), 1::numeric(6,3), 'x'::char(3)", [
        ("varchar", VARCHAR, 9), ("numeric", NUMERIC, (6 << 16 | 3) + 4), ("bpchar", 1042, 7)]),
    ("select count(*), sum(id), sum(big), avg(id), avg(ratio), max(price), min(name) from items", [
        ("count", INT8, -1), ("sum", INT8, -1), ("sum", NUMERIC, -1), ("avg", NUMERIC, -1),
        ("avg", FLOAT8, -1), ("max", NUMERIC, -1), ("min", TEXT, -1)]),  # min(varchar) is min(text)
    ("select price * 2, qty + qty, qty + id, id / 2, ratio + 1, made - now(), day + 1 from items", [
        ("?column?", NUMERIC, -1), ("?column?", INT2, -1), ("?column?", INT4, -1), ("?column?", INT4, -1),
        ("?column?", FLOAT8, -1), ("?column?", INTERVAL, -1), ("?column?", DATE, -1)]),
    ("select upper(name), name || '!', coalesce(price, 0), case when active then 1 else 2 end from items", [
        ("upper", TEXT, -1), ("?column?", TEXT, -1), ("coalesce", NUMERIC, -1), ("case", INT4, -1)]),
    ("select i.name as n, x.y from items i, (select 1 as y) x", [("n", VARCHAR, 24), ("y", INT4, -1)]),
    ("with c as (select id, price from items) select c.* from c", [
        ("id", INT4, -1), ("price", NUMERIC, (10 << 16 | 2) + 4)]),
    ("select id from items union select 2", [("id", INT4, -1)]),
    ("values (1, 'a')", [("column1", INT4, -1), ("column2", TEXT, -1)]),
    ("select exists (select 1 from items), (select max(id) from items)", [
        ("exists", BOOL, -1), ("max", INT4, -1)]),
])
def test_result_columns(table: SQLiteSession, sql: str, expected: list[tuple[str, int, int]]) -> None:
    assert columns(table, sql) == expected


def test_returning_columns_and_no_data(table: SQLiteSession) -> None:
    assert columns(table, "insert into items (name) values ($1) returning id, name") == [
        ("id", INT4, -1), ("name", VARCHAR, 24)]
    assert table.prepare("insert into items (name) values ($1)", ()).columns is None
    assert table.prepare("create table other (a int)", ()).columns is None


def test_show_is_one_text_column_named_like_the_parameter(session: SQLiteSession) -> None:
    assert columns(session, "show transaction isolation level") == [("transaction_isolation", TEXT, -1)]
    assert columns(session, "SHOW timezone") == [("TimeZone", TEXT, -1)]


def test_column_aliases_on_from_items(session: SQLiteSession) -> None:
    run(session, "create table pair (a int, b text)")
    run(session, "insert into pair values (1, 'x')")
    assert columns(session, "select * from pair as p(first, second)") == [
        ("first", INT4, -1), ("second", TEXT, -1)]
    assert rows(session, "select p.first, second from pair p(first, second)") == [(1, "x")]
    assert rows(session, "select y from (values (1), (2)) as v(y) where y = $1", [2]) == [(2,)]
    assert rows(session, "select s.k from (select 5, 6) as s(k, l)") == [(5,)]


def test_star_over_unknown_relation_uses_sqlite_types(session: SQLiteSession) -> None:
    run(session, "create table base (a int, b numeric(4,1))")
    run(session, "create view v as select a, b from base")
    assert columns(session, "select * from v") == [("a", INT4, -1), ("b", NUMERIC, (4 << 16 | 1) + 4)]
    assert value(session, "select count(*) from v") == 0


@pytest.mark.parametrize("sql", ["select '$.a'::jsonpath", "select null::aclitem[]", "select null::_aclitem",
                                 "create table j (p jsonpath)", "select null::pg_catalog.txid_snapshot"])
def test_a_postgresql_type_not_built_here_is_refused_as_such(session: SQLiteSession, sql: str) -> None:
    refused = error(session, sql)
    assert refused.sqlstate == "0A000" and "is not supported" in refused.message, refused


def test_a_type_postgresql_does_not_have_either_does_not_exist(session: SQLiteSession) -> None:
    missing = error(session, "select 1::no_such_type")
    assert (missing.sqlstate, missing.message) == ("42704", 'type "no_such_type" does not exist')


def test_a_table_s_row_type_as_a_type_is_refused(session: SQLiteSession) -> None:
    run(session, "create table mytype (a int)")
    refused = error(session, "select '(1)'::mytype")
    assert (refused.sqlstate, refused.message) == (
        "0A000", 'the row type of table "mytype" as a type is not supported')
