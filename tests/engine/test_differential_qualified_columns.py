"""Differential script for column references qualified by a schema or a database
(`translate/qualified_columns.py`): `public.t.col` and `s.t.col` name the FROM item that is that
table under no alias (in SELECT lists, WHERE, ORDER BY, GROUP BY, `*`, subqueries, UPDATE, DELETE,
RETURNING; catalog relations too); a table name naming no FROM item (the table under an alias, a
CTE not in FROM), a schema that does not exist or is not the table's, an aliased table, a subquery
or a CTE of that name are PostgreSQL's 42P01 with its message and HINT; another database is 0A000,
the current one works. RETURNING of the target under its alias and `target.*` (which SQLite
refuses), and the refusal (0A000) of UPDATE ... FROM's items there. Runs against the engine and a
real PostgreSQL 15; outcome and messages (and the HINTs of the errors) must agree. Skipped without
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    assert_same_error,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

SCRIPT = [
    "create table t (col int)",
    "insert into t values (5)",
    "create schema s",
    "create table s.t (col int, x int)",
    "insert into s.t values (1, 2)",
    "create table s.u (y int)",
    # the table itself, not aliased: found
    "select public.t.col from t",
    "select public.t.col from public.t",
    "select s.t.col, s.t.x from s.t",
    "select public.t.col from t join s.t st on true",
    "select public.t.* from t",
    "select (select public.t.col) from t",
    "select (select public.t.col from s.t st limit 1) from t",
    "select count(*) from t where public.t.col = 5",
    "select public.t.col from t order by public.t.col",
    "select public.t.col, count(*) from t group by public.t.col",
    "select public.t.nosuch from t",
    "select pg_catalog.pg_class.relname from pg_catalog.pg_class where pg_catalog.pg_class.relname = 'u'",
    "select pg_catalog.pg_class.relname from pg_class where relname = 'u'",
    "select information_schema.tables.table_name from information_schema.tables where table_name = 'u'",
    # no such FROM item: 42P01
    "select nosuch.t.col from t",
    "select nosuch.t.col from s.u",
    "select nosuch.t.* from t",
    "select pg_catalog.t.col from t",
    "select public.t.col from t as t",
    "select public.t.col from public.t as t",
    "select public.t.col from t as z",
    "select s.t.col from t",
    "select public.t.col from s.t",
    "select s.u.y from t",
    "select public.nosuch.col from t",
    "select x.t.col from (select 1 as col) t",
    "with t as (select 1 as col) select public.t.col from t",
    "select public.pg_class.relname from pg_class",
    "select pg_catalog.pg_class.relname from pg_class c",
    # another database: 0A000
    "select other.public.t.col from t",
    "select other.nosuch.t.col from t",
    # UPDATE, DELETE, RETURNING
    "update t set col = 6 where public.t.col = 5",
    "update t set col = 6 where nosuch.t.col = 5",
    "update t as z set col = 6 where public.t.col = 5",
    "delete from t where s.t.col = 5",
    "insert into t values (7) returning public.t.col",
    "insert into t as z values (7) returning public.t.col",
    "delete from t where public.t.col = 7 returning public.t.col",
    "select * from t",
    # a table name that names no FROM item (the table under an alias, a CTE not in FROM): 42P01
    "select t.col from t as d",
    "select nosuch.col from t",
    "select d.col from t as d where t.col = 5",
    "select (select t.col) from t as d",
    "select t.* from t as d",
    "update t as d set col = 1 where t.col = 99",
    "with w as (select 1 as x) select w.x from t",
    "with w as (select 1 as x) select w.x from w",
    # RETURNING: the target under its alias, target.*, UPDATE ... FROM's items (0A000: SQLite's
    # RETURNING cannot see them)
    "create table r (a int, g int)",
    "insert into r values (1, 1), (2, 2)",
    "update r as z set g = 3 where z.a = 1 returning z.*, z.a, z.g + 1",
    "update r set g = 4 where a = 1 returning r.*, g",
    "insert into r as n values (5, 5) returning n.*, *",
    "insert into r values (6, 6) returning r.a",
    "delete from r as d where d.a = 5 returning d.*",
    "delete from r as d where d.a = 6 returning r.a",
    "delete from r where a = 6 returning nosuch.*",
    "delete from r where a = 6 returning nosuch.a",
    "update r set g = t.col from t where r.a = 2 returning r.*, a",
    "update r set g = t.col from t where r.a = 2 returning (select max(col) from t)",
    "select * from r order by a",
    # the search path decides which table an unqualified FROM item is
    "set search_path = s, public",
    "select s.t.x from t",
    "select public.t.col from t",
    "select s.u.y from u",
    "reset search_path",
]

reference = reference_database("differential_qualified_columns")
engine_session = engine_store("differential_qualified_columns")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome and error message."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


ERRORS = [
    "select nosuch.t.col from t",
    "select public.t.col from t as z",
    "select public.t.col from t as t",
    "select nosuch.t.col from s.u",
    "select other.public.t.col from t",
]


@pytest.mark.parametrize("sql", ERRORS)
def test_same_error_and_hint(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """PostgreSQL's SQLSTATE, message and HINT (which alias was meant, or why it cannot be named)."""
    assert_same_error(reference, engine_session, sql)


def _current_database(run: Any) -> str:
    return str(run("select current_database()")[0][0])


def test_current_database(reference: Any, engine_session: SQLiteSession) -> None:
    """`db.public.t.col` with the session's own database is `public.t.col` on both."""
    def on_engine(sql: str) -> list[Any]:
        return engine_session.execute(engine_session.prepare(sql, ()), []).fetch(0)

    def on_reference(sql: str) -> list[Any]:
        return list(reference.execute(sql).fetchall())

    query = "select {}.public.t.col, {}.public.t.* from t order by 1"
    engine_rows = on_engine(query.format(*[_current_database(on_engine)] * 2))
    reference_rows = on_reference(query.format(*[_current_database(on_reference)] * 2))
    assert [tuple(row) for row in engine_rows] == [tuple(row) for row in reference_rows] != []


REFUSED = [
    ("create table rr (a int, g int)", None),
    ("create table rf (col int)", None),
    ("update rr set g = rf.col from rf where rr.a = 2 returning *", "RETURNING *"),
    ("update rr set g = rf.col from rf where rr.a = 2 returning rf.col", "FROM item"),
    ("update rr set g = rf.col from rf where rr.a = 2 returning rf.*", "FROM item"),
    ("update rr set g = rf.col from rf where rr.a = 2 returning col + 1", "FROM item"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    """RETURNING what SQLite cannot return (UPDATE ... FROM's columns: `*` would leave them out);
    named None: a setup step."""
    assert_refused_clearly(engine_session, sql, named)
