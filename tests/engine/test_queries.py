"""Query features beyond the basics: JSON operators, ANY/ALL, generate_series, DEFAULT in VALUES,
FOR UPDATE, and prepared statements surviving (or refusing) schema changes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.errors import DatabaseError

from .helpers import columns, error, rows, run, value

JSON, TEXT, JSONB, INT4_ARRAY = 114, 25, 3802, 1007


def test_json_operators(session: SQLiteSession) -> None:
    run(session, "create table docs (j jsonb, raw json)")
    run(session, """insert into docs values ('{"a": {"b": [1, 2.50]}, "s": "x", "n": null}',
                                             '{"k": [true]}')""")
    assert rows(session, "select j -> 'a', j ->> 's', j #> '{a,b,1}', j #>> '{a,b}', j ->> 'n', j -> 'n', "
                         "j -> 'missing', raw -> 'k' -> 0 from docs") == [
        ('{"b": [1, 2.50]}', "x", "2.50", "[1, 2.50]", None, "null", None, "true")]
    assert [c[1] for c in columns(session, "select j -> 'a', j ->> 'a', raw -> 'k' from docs")] == [
        JSONB, TEXT, JSON]
    assert value(session, "select j ->> $1 from docs", ["s"]) == "x"
    assert value(session, "select count(*) from docs where j ->> 's' = 'x'") == 1


def test_any_and_all(session: SQLiteSession) -> None:
    statement = session.prepare("select 2 = any($1), 3 > all($1)", ())
    assert statement.param_oids == (INT4_ARRAY,)
    assert session.execute(statement, [[1, 2]]).fetch(0) == [(True, True)]
    assert rows(session, "select 5 = any(array[1, 2]), 1 <> all(array[2, 3]), 3 = any($1::int[])",
                [[1, None]]) == [(False, True, None)]
    run(session, "create table n (v numeric)")
    run(session, "insert into n values (1.0), (2.5)")
    wanted = [[Decimal("1"), Decimal("2.50")]]
    assert rows(session, "select v from n where v = any($1) order by v", wanted) == [
        (Decimal("1.0"),), (Decimal("2.5"),)]


def test_generate_series(session: SQLiteSession) -> None:
    assert rows(session, "select * from generate_series(1, 3)") == [(1,), (2,), (3,)]
    assert columns(session, "select * from generate_series(1, 3)") == [("generate_series", 23, -1)]
    assert rows(session, "select x * 10 from generate_series(5, 1, -2) as g(x)") == [(50,), (30,), (10,)]
    run(session, "create table s (id int, sq int)")
    assert run(session, "insert into s select g, g * g from generate_series(1, $1) g", [100]
               ).command_tag() == "INSERT 0 100"
    assert value(session, "select sum(sq) from s") == 338350
    assert error(session, "select * from generate_series(1, 3, 0)").sqlstate == "22023"


def test_offset_and_fetch_first(session: SQLiteSession) -> None:
    assert rows(session, "select x from generate_series(1, 10) x order by x offset 2 rows "
                         "fetch first 3 rows only") == [(3,), (4,), (5,)]
    assert error(session, "select 1 fetch first 1 rows with ties").sqlstate == "0A000"


def test_default_in_values(session: SQLiteSession) -> None:
    run(session, "create table d (id serial primary key, name text default 'anon', n int)")
    run(session, "insert into d values (default, default, 1), (default, default, 2)")
    run(session, "insert into d (name, n) values ('bob', default)")
    assert rows(session, "select id, name, n from d order by id") == [(1, "anon", 1), (2, "anon", 2),
                                                                      (3, "bob", None)]
    run(session, "insert into d (name, n) values (default, 4), ('x', 5)")  # DEFAULT in some rows only
    assert rows(session, "select name from d where n >= 4 order by n") == [("anon",), ("x",)]


def test_select_for_update_takes_the_writer_lock(engine: SQLiteEngine, session: SQLiteSession) -> None:
    run(session, "create table acct (id int primary key, balance int)")
    run(session, "insert into acct values (1, 10)")
    other = engine.open_session("postgres", "postgres", {})
    run(session, "begin")
    assert rows(session, "select balance from acct where id = 1 for update") == [(10,)]
    assert error(other, "update acct set balance = 0 where id = 1").sqlstate == "55P03"
    run(session, "update acct set balance = balance + 1 where id = 1")
    run(session, "commit")
    assert value(other, "select balance from acct") == 11


def test_prepared_statement_survives_compatible_schema_changes(session: SQLiteSession) -> None:
    run(session, "create table p (a int)")
    insert = session.prepare("insert into p values ($1)", ())
    select = session.prepare("select a from p", ())
    run(session, "create index p_a on p (a)")
    session.execute(insert, [1])
    assert session.execute(select, []).fetch(0) == [(1,)]
    star = session.prepare("select * from p", ())
    run(session, "alter table p add column b text")
    with pytest.raises(DatabaseError) as failure:
        session.execute(star, [])
    assert (failure.value.sqlstate, failure.value.message) == (
        "0A000", "cached plan must not change result type")


def test_create_table_as(session: SQLiteSession) -> None:
    run(session, "create table src (a int, n numeric(8,3), v varchar(5))")
    run(session, "insert into src values (1, 1.5, 'x'), (2, 2.25, 'y')")
    create = run(session, "create table dst as select a, n, v, n * 2 as dbl from src")
    assert create.command_tag() == "SELECT 2"
    assert columns(session, "select * from dst") == [
        ("a", 23, -1), ("n", 1700, (8 << 16 | 3) + 4), ("v", 1043, 9), ("dbl", 1700, -1)]
    assert rows(session, "select dbl from dst order by dbl desc") == [
        (Decimal("4.500"),), (Decimal("3.000"),)]
    assert run(session, "create table if not exists dst as select 1").command_tag() == "CREATE TABLE AS"
    assert run(session, "create table e (k, w) as select a, v from src with no data").command_tag() == \
        "CREATE TABLE AS"
    assert columns(session, "select * from e") == [("k", 23, -1), ("w", 1043, 9)]


def test_alter_table_adds_keys_as_unique_indexes(session: SQLiteSession) -> None:
    run(session, "create table b (bid int, x int)")
    run(session, "insert into b values (1, 1), (null, 2)")
    assert error(session, "alter table b add primary key (bid)").sqlstate == "23502"
    run(session, "delete from b where bid is null")
    assert run(session, "alter table b add primary key (bid)").command_tag() == "ALTER TABLE"
    failure = error(session, "insert into b values (1, 5)")
    assert (failure.sqlstate, failure.message, failure.detail) == (
        "23505", 'duplicate key value violates unique constraint "b_pkey"', "Key (bid)=(1) already exists.")
    assert error(session, "insert into b values (null, 5)").sqlstate == "23502"
    run(session, "alter table b add constraint b_x_uniq unique (x)")
    assert error(session, "insert into b values (3, 1)").message == \
        'duplicate key value violates unique constraint "b_x_uniq"'
    run(session, "alter table b alter column x set not null")
    assert error(session, "insert into b values (4, null)").sqlstate == "23502"
    run(session, "alter table b add constraint fk foreign key (x) references b (bid)")
    assert error(session, "insert into b values (5, 99)").sqlstate == "23503"


def test_arrays_subscripts_and_array_agg(session: SQLiteSession) -> None:
    run(session, "create table a (id int, tags text[])")
    run(session, "insert into a values (1, $1), (2, '{x}')", [["p", "q"]])
    assert rows(session, "select tags[1], tags[2], tags[$1] from a order by id", [2]) == [
        ("p", "q", "q"), ("x", None, None)]
    assert columns(session, "select array_agg(id) from a") == [("array_agg", INT4_ARRAY, -1)]
    assert value(session, "select array_agg(id) from a") == [1, 2]
    assert value(session, "select string_agg(tags[1], ',' order by id desc) from a") == "x,p"
    assert columns(session, "select string_agg(tags[1], ',') from a")[0][0] == "string_agg"


def test_at_time_zone(session: SQLiteSession) -> None:
    assert rows(session, "select timestamptz '2024-06-01 12:00+00' at time zone 'Europe/Paris', "
                         "timestamp '2024-06-01 12:00' at time zone 'utc'") == [
        (datetime.datetime(2024, 6, 1, 14, 0), datetime.datetime(2024, 6, 1, 12, 0, tzinfo=datetime.UTC))]
    assert columns(session, "select now() at time zone 'UTC'") == [("timezone", 1114, -1)]
    assert error(session, "select now() at time zone 'Nowhere/Special'").sqlstate == "22023"


def test_numeric_window_aggregates(session: SQLiteSession) -> None:
    run(session, "create table w (k int, v numeric(6,2))")
    run(session, "insert into w values (1, 1.10), (2, 2.20), (3, 3.30)")
    assert rows(session, "select k, sum(v) over (order by k rows between 1 preceding and current row), "
                         "avg(v) over () from w order by k") == [
        (1, Decimal("1.10"), Decimal("2.2000000000000000")),
        (2, Decimal("3.30"), Decimal("2.2000000000000000")),
        (3, Decimal("5.50"), Decimal("2.2000000000000000"))]
    assert [c[0] for c in columns(session, "select row_number() over (), sum(v) over () from w")] == [
        "row_number", "sum"]


def test_collate_c_and_refusals(session: SQLiteSession) -> None:
    run(session, "create table c (s text)")
    run(session, "insert into c values ('b'), ('B'), ('a')")
    assert rows(session, 'select s from c order by s collate "C"') == [("B",), ("a",), ("b",)]
    for sql in ('select s collate "de_DE" from c',
                "with x as (insert into c values ('z') returning s) select * from x"):
        assert error(session, sql).sqlstate == "0A000", sql
