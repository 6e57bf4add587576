"""Differential script for user-defined functions (CREATE FUNCTION, DROP FUNCTION,
`engine/ddl/functions.py`, calls inlined by `engine/translate/user_functions.py`): LANGUAGE sql
bodies of one expression or one query, arguments by name and by number, defaults, overloads chosen
by argument types, STRICT, the result cast to the declared type, no row → NULL, the SQL-standard
RETURN body, PL/pgSQL's BEGIN RETURN expression; END, OR REPLACE, pg_proc's rows, and the errors
and notices of CREATE, DROP and calls. Each statement runs against the engine and a real
PostgreSQL 15 in order; the outcome, the error's message and the notices' messages must agree.
What is not built is refused with 0A000 naming it. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.functions import effects
from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    assert_same_step_user_types_named,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "create table t (x int, y text)",
    "insert into t values (1, 'a'), (2, 'b'), (3, null), (null, 'd')",
    "create function add_one(a int) returns int language sql immutable as 'select a + 1'",
    "select add_one(x) from t order by x",
    "select add_one(41), add_one('41'), add_one(null)",
    "select add_one(2.5)",
    "select add_one('x')",
    "select add_one(1, 2)",
    "create function add_one(a int) returns int language sql as 'select a + 2'",
    "create or replace function add_one(a int) returns int language sql as 'select $1 + 2'",
    "select add_one(1)",
    "create or replace function add_one(a int) returns bigint language sql as 'select $1 + 2'",
    "create function add_one(a text) returns text language sql as $$select a || '+1'$$",
    "select add_one(1), add_one('z'::text), add_one(y) from t order by x",
    "select add_one('41')",
    "create function pick(a int, b text) returns text language sql as $$select 'int, text'$$",
    "create function pick(a int, b int) returns text language sql as $$select 'int, int'$$",
    "create function pick(a bigint, b bigint) returns text language sql as $$select 'bigint, bigint'$$",
    "select pick(1, 'x'), pick(1, 2), pick(1::bigint, 2), pick(1, 2::bigint)",
    "select pick(1::smallint, 2::smallint)",
    "select pick(1.5, 2)",
    "create function add_one(a bigint) returns bigint language sql as 'select a + 100'",
    "select add_one(1::bigint), add_one(1::smallint)",
    "create function twice(a numeric, b numeric default 2) returns numeric language sql "
    "as 'select twice.a * b'",
    "select twice(3), twice(3, 3), twice(1.5)",
    "create function strict_sum(int, int) returns int strict language sql as 'select coalesce($1, 0) + 5'",
    "create function lax_sum(int, int) returns int called on null input language sql "
    "as 'select coalesce($1, 0) + 5'",
    "select strict_sum(1, 2), strict_sum(null, 2), lax_sum(null, 2)",
    "create function returns_null_on_null(a text) returns text returns null on null input language sql "
    "as $$select 'never'$$",
    "select returns_null_on_null(null) is null, returns_null_on_null('x')",
    "create function count_above(lim int) returns bigint language sql stable "
    "as 'select count(*) from t where x > lim'",
    "select count_above(0), count_above(2), count_above(null)",
    "select x, count_above(x) from t order by x",
    "create function first_y(after int) returns text language sql "
    "as 'select y from t where x > after order by x'",
    "select first_y(0), first_y(1), first_y(5) is null",
    "create function as_text(a int) returns text language sql as 'select a'",
    "select as_text(7), pg_typeof(as_text(7))",
    "create function bad_type(a int) returns int language sql as $$select 'x'::text$$",
    "create function bad_columns(a int) returns int language sql as 'select a, a'",
    "create function bad_column(a int) returns int language sql as 'select nosuch'",
    "create function bad_relation(a int) returns int language sql as 'select x from nosuch'",
    "create function bad_parameter(a int) returns int language sql as 'select $2'",
    "create function bad_language() returns int language nosuch as 'select 1'",
    "create function bad_name(a int, a int) returns int language sql as 'select 1'",
    "create function bad_defaults(a int default 1, b int) returns int language sql as 'select 1'",
    "create function no_body() returns int language sql",
    "create function std_body(a int, b int) returns int return a * b",
    "select std_body(6, 7)",
    "create function plp(a int) returns int language plpgsql as $$ BEGIN RETURN a * 10; END; $$",
    "select plp(4), plp(null)",
    "create function grade(score numeric) returns text language plpgsql as $$\n"
    "DECLARE\n  bonus numeric := 5;\n  label text;\n"
    "BEGIN\n  score := score + bonus;\n"
    "  IF score >= 90 THEN label := 'A';\n  ELSIF score >= 80 THEN label = 'B';\n"
    "  ELSIF score IS NULL THEN RETURN 'none';\n  ELSE NULL;\n  END IF;\n"
    "  IF label IS NULL THEN RETURN 'C or below (' || score || ')'; END IF;\n"
    "  RETURN label || ' (' || score || ')';\nEND\n$$",
    "select grade(90), grade(76), grade(70.5), grade(null)",
    "create function counter(a int) returns int language plpgsql as "
    "'declare n int; begin n := a; n := n + 1; a := n * 2; return a + n; end'",
    "select counter(3), counter(null)",
    "create function checked(a int) returns int language plpgsql as $$begin\n"
    "  if a < 0 then raise exception 'negative: no' using errcode = '22023', hint = 'Use a positive.';\n"
    "  elsif a = 0 then raise 'zero';\n  end if;\n  return a;\nend$$",
    "select checked(5), checked(null)",
    "select checked(-1)",
    "select checked(0)",
    "select checked(x) from t where x > 0 order by x",
    "create function undeclared() returns int language plpgsql as 'begin nosuch := 1; return 1; end'",
    "create function reads_y(a int) returns text language plpgsql as 'begin return a || y; end'",
    "select reads_y(x) from t where x = 1",
    "create function reads_t_x(a int) returns int language plpgsql as 'begin return a + t.x; end'",
    "select reads_t_x(x) from t where x = 1",
    "create function who() returns text language sql as 'select user'",
    "select who(), (select who()) = current_user",
    "create function nested(a int) returns int language sql as 'select plp(add_one(a))'",
    "select nested(1)",
    "create schema s",
    "create function s.in_s() returns text language sql as $$select 'in s'$$",
    "select s.in_s()",
    "select in_s()",
    "select proname, prorettype::regtype::text, prolang, prosrc, provolatile, proisstrict, pronargs, "
    "pronargdefaults from pg_proc where proname in ('add_one', 'twice', 'strict_sum', 'plp') "
    "order by proname, prosrc",
    "select pg_get_function_result(oid), pg_get_function_arguments(oid) from pg_proc "
    "where proname = 'twice'",
    "select x from t where add_one(x) > 2 order by add_one(x) desc",
    "select sum(add_one(x)), add_one(count(*)::int) from t",
    "select add_one(add_one(x)) from t where x is not null order by 1",
    "insert into t values (add_one(9), add_one('q'::text))",
    "update t set x = add_one(x) where x = 10 returning x, y",
    "select x, y from t where x = 11",
    "create table copied as select x, add_one(x) as plus from t",
    "select * from copied order by x",
    "alter table copied alter column plus type bigint using add_one(plus)",
    "select * from copied order by x",
    "begin",
    "create function in_tx(a int) returns int language sql as 'select a * 3'",
    "select in_tx(2)",
    "rollback",
    "select count(*) from pg_proc where proname = 'in_tx'",
    "begin",
    "create or replace function add_one(a int) returns int language sql as 'select $1 + 1000'",
    "select add_one(1)",
    "rollback",
    "select add_one(1)",
    "prepare p(int) as select add_one($1)",
    "execute p(5)",
    "deallocate p",
    "select add_one(x) from (values (1), (2)) as s(x) order by 1",
    "select (select add_one(max(x)) from t) + 1",
    "select case when add_one(1) > 0 then 'pos' else 'neg' end",
    "drop table copied",
    "drop function add_one",
    "drop function add_one(int)",
    "select add_one(1)",
    "drop function add_one(integer), add_one(text)",
    "drop function nosuch",
    "drop function nosuch(int)",
    "drop function if exists nosuch",
    "drop function if exists nosuch(int), add_one(bigint)",
    "drop function add_one(bigint)",
    "drop function s.in_s()",
    "drop function twice(numeric, numeric) restrict",
]

ENUM_SCRIPT = [
    "create type enum_t as enum ('abc', 'def', 'ghi')",
    "create function return_enum() returns enum_t language plpgsql as $$ BEGIN RETURN 'abc'::enum_t; END; $$",
    "select return_enum()",
    "create function next_label(e enum_t) returns enum_t language sql "
    "as $$select case e when 'abc' then 'def'::enum_t else 'ghi' end$$",
    "select next_label('abc'), next_label(return_enum())",
    "drop type enum_t",
    "drop function return_enum()",
    "drop type enum_t",
    "drop type enum_t cascade",
    "select count(*) from pg_proc where proname in ('next_label', 'array_of')",
    "create type enum_t as enum ('abc')",
    "create function array_of(e enum_t[]) returns int language sql as 'select cardinality(e)'",
    "select array_of(array['abc'::enum_t])",
    "drop type enum_t",
    "drop type enum_t cascade",
    "select count(*) from pg_proc where proname in ('next_label', 'array_of')",
]

REFUSED = [
    ("create function sets() returns setof int language sql as 'select 1'", "SETOF"),
    ("create function tab() returns table (a int) language sql as 'select 1'", "TABLE"),
    ("create function trig() returns trigger language plpgsql as 'begin return new; end'", "trigger"),
    ("create function outs(out a int) language sql as 'select 1'", "OUT"),
    ("create function two() returns int language sql as 'select 1; select 2'", "more than one statement"),
    ("create function writes() returns int language sql as 'insert into t values (1) returning x'",
     "not a SELECT"),
    ("create function raises() returns int language plpgsql as $$begin raise notice 'x'; return 1; end$$",
     "RAISE NOTICE"),
    ("create function performs() returns int language plpgsql as 'begin perform 1; return 1; end'",
     "PERFORM"),
    ("create function selects() returns int language plpgsql as 'declare v int; begin select 1 into v; "
     "return v; end'", "SELECT"),
    ("create function catches() returns int language plpgsql as "
     "'begin return 1; exception when others then return 2; end'", "EXCEPTION"),
    ("create function falls_off(a int) returns int language plpgsql as "
     "'begin if a > 0 then return 1; end if; end'", "without RETURN"),
    ("create function records() returns int language plpgsql as 'declare r record; begin return 1; end'",
     "RECORD"),
    ("create function typed() returns int language plpgsql as 'declare v t.x%type; begin return 1; end'",
     "%TYPE"),
    ("create function twice_random() returns float8 language plpgsql as "
     "'declare v float8 := random(); begin return v - v; end'", "more than once"),
    ("create function loops() returns int language plpgsql as 'begin loop exit; end loop; return 1; end'",
     "LOOP"),
    ("create function c_fn() returns int language c as 'lib', 'sym'", "language c"),
    ("create view calls as select plp(1) as p", "views, column defaults"),
    ("create table defaults (a int default plp(1))", "column defaults"),
    ("create table checks (a int check (a > plp(1)))", "constraints"),
    ("alter table t add column z int default plp(1)", "column defaults"),
    ("create index on t ((plp(x)))", "index expressions"),
    ("create function definer() returns int language sql security definer as 'select 1'", "SECURITY DEFINER"),
    ("create function setting() returns int language sql set search_path = public as 'select 1'", "SET"),
]


reference = reference_database("differential_user_functions")
engine_session = engine_store("differential_user_functions")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


@pytest.mark.parametrize("sql", ENUM_SCRIPT)
def test_same_step_of_enum(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """asyncpg's test_enum_function_return, and a SQL function over the enum."""
    assert_same_step_user_types_named(reference, engine_session, sql)


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    assert_refused_clearly(engine_session, sql, named)


def test_volatile_function_runs_once_per_row(engine_session: SQLiteSession) -> None:
    """A VOLATILE function's body is not folded into one value for the statement: random() in it
    answers anew on each row, as PostgreSQL calls the function once per row."""
    for sql in ("create function noise() returns float8 language sql volatile as 'select random()'",
                "create function noisy(a int) returns float8 language sql as 'select random() + a * 0'"):
        engine_session.execute(engine_session.prepare(sql, ()), [])
    statement = engine_session.prepare(
        "select count(distinct noise()), count(distinct noisy(1)), count(distinct noisy(g)) "
        "from generate_series(1, 50) g", ())
    assert engine_session.execute(statement, []).fetch(0) == [(50, 50, 50)]


def test_pg_sleep_in_a_function_still_waits(engine_session: SQLiteSession) -> None:
    """A statement that calls pg_sleep through a user-defined function is known to wait
    (`functions.effects`): it is neither restartable nor a bounded write."""
    engine_session.execute(engine_session.prepare(
        "create function nap(s float8) returns int language sql "
        "as 'select 1 + 0 * length(pg_sleep(s)::text)'", ()), [])
    statement = engine_session.prepare("select nap(0.01)", ())
    assert statement.translation is not None and effects.calls_waiting(statement.translation.sql)
    assert not statement.restartable


def test_recursion_refused(engine_session: SQLiteSession) -> None:
    """A function whose body calls itself (which the engine cannot inline) is refused at the call."""
    for sql in ("create function ping(n int) returns int language sql as 'select 1'",
                "create or replace function ping(n int) returns int language sql as 'select ping(n - 1)'"):
        engine_session.execute(engine_session.prepare(sql, ()), [])
    assert_refused_clearly(engine_session, "select ping(3)", "nested more than")


def test_nested_calls_translate_each_argument_once(engine_session: SQLiteSession) -> None:
    """f(f(...f(x)...)) 20 deep: each argument is translated once, not again inside each call around
    it (which took twice as long per level: 2^20 translations here)."""
    engine_session.execute(engine_session.prepare(
        "create function inc(a int) returns int language sql as 'select a + 1'", ()), [])
    nested = "inc(" * 20 + "x" + ")" * 20
    statement = engine_session.prepare(f"select {nested} from (values (1)) as v(x)", ())
    assert engine_session.execute(statement, []).fetch(0) == [(21,)]


def test_many_paths_refused_at_create(engine_session: SQLiteSession) -> None:
    """Thirty IFs one after another make 2^30 paths: refused at CREATE, not compiled for ever."""
    ifs = " ".join(f"if a > {n} then a := a + 1; end if;" for n in range(30))
    assert_refused_clearly(engine_session, f"create function paths(a int) returns int language plpgsql "
                                           f"as $$begin {ifs} return a; end$$", "statements along its paths")
