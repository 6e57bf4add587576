"""CREATE OR REPLACE VIEW against PostgreSQL 15: the new query must keep the view's columns, by name
and type, in their order, and may add some after them (42P16 otherwise: columns dropped, renamed or
of another type; 42809 for a table); a view's or CREATE TABLE AS's query in parentheses. Each
statement runs against the engine and a real PostgreSQL 15 in order; tag, columns, rows, SQLSTATE
and transaction status must agree. Skipped without PostgreSQL. Not differential: pg_get_viewdef,
pg_views and information_schema.views show the query as CREATE VIEW wrote it (PostgreSQL deparses
it), never SQLite's translation."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_script_step,
    engine_store,
    reference_database,
    reference_script_step,
)

SCRIPT = [
    "create table t (x text, n int, v varchar(5))",
    "insert into t values ('abc', 1, 'v')",
    "create view v1 as select char_length(x) a, greatest(1, 2) c from t",
    "create or replace view v1 as select 1 as one",
    "create or replace view v1 as select 1 as a",
    "create or replace view v1 as select 1 as a, 2 as c, 3 as d",
    "create or replace view v1 as select 1 as a, 'x' as c, 3 as d",
    "create or replace view v1 (a, c) as select 1, 2",
    "create or replace view v1 as select n as a, n as c, v as d from t",
    "create or replace view v1 as select n as a, n as c, n as d, x as e from t",
    "create or replace view v1 as select n as a, n as c, n::bigint as d, x as e from t",
    "select * from v1",
    "create or replace view t as select 1 as x",
    "select pg_get_viewdef('nosuch')",
    # a query in parentheses (was 42601)
    "create view vp (p, q) as ((select 1, 'x'))",
    "select * from vp",
    "create table tp as (select 1 as a)",
    "select * from tp",
    "create view vu as (select 1 as a) union all (select 2) order by 1",
    "select * from vu",
]

reference = reference_database("view_replace")
engine_session = engine_store("view_replace")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)


def _value(session: SQLiteSession, sql: str) -> Any:
    return session.execute(session.prepare(sql, ()), []).fetch(0)[0][0]


def test_view_definition_as_written(engine_session: SQLiteSession) -> None:
    """The query as written, in pg_get_viewdef (by OID and by name), pg_views and information_schema."""
    create = "create view written (p, q) as select greatest(n, 2), char_length(x) from t;"
    engine_session.execute(engine_session.prepare(create, ()), [])
    shown = " select greatest(n, 2), char_length(x) from t;"
    assert _value(engine_session, "select pg_get_viewdef('written'::regclass)") == shown
    assert _value(engine_session, "select pg_get_viewdef('written')") == shown
    assert _value(engine_session, "select definition from pg_views where viewname = 'written'") == shown
    assert _value(engine_session, "select view_definition from information_schema.views "
                                  "where table_name = 'written'") == shown
    assert _value(engine_session, "select count(*) from pg_views where definition ilike '%helios%'") == 0
