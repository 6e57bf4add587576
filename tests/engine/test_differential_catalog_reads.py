"""Differential script for what sqlsmith and psql read the catalog with: format() (%s, %I, %L, %%,
positions, widths, its errors), quote_ident of keywords, the type names sqlsmith casts to (`_int4`,
`"char"`), a set-returning unnest or generate_series in a select
list (moved into FROM), the pseudo-types and built-in rows of pg_type, pg_proc, pg_aggregate and
pg_operator, and asyncpg's type introspection (a recursive query over pg_type and pg_range whose
parameter is an `oid[]`, with reg* output of InvalidOid), and pg_tables, pg_views, pg_indexes.
Each statement runs against the engine and a real PostgreSQL 15 in order; tag, columns, rows,
SQLSTATE and transaction status must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import asyncpg.introspection
import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_script_step,
    engine_store,
    reference_database,
    reference_script_step,
)

FORMAT = [
    "select format('%s|%I|%L|%%|%2$s|%-5s|%5s|', 'a', 'B c', null, 3, 'x')",
    "select format('%1$s %s %1$s', 1, 2), format(null), format('%s'::text, true, 1.50::numeric)",
    "select format('%-*s|%*s|', 4, 'a', -3, 'b')",
    "select format('%L %L %I', 'it''s', 'back\\slash', 'Mixed')",
    "select format('%I', null)",
    "select format('%z', 1)",
    "select format('%s %s', 1)",
    "select format('abc %', 1)",
    "select format('%0$s', 1)",
    "select format('%*0$s', 1)",
    "select format('%*1s', 1)",
    "select format('%I.%I', 'char', 'select'), quote_ident('char'), quote_ident('int4'), quote_ident('Ab')",
]
SELECT_LIST_UNNEST = [
    "create table arrays (id int, a int[])",
    "insert into arrays values (1, '{1,2,3}'), (2, '{}'), (3, null), (4, '{4}')",
    "select unnest(a) from arrays where id < 4 order by 1",
    "select id, unnest(a) as element from arrays order by id, element",
    "select unnest(array['x', 'y'])",
    "select generate_series(1, 3)",
    "select generate_series(1, 10, 4) as g",
    "select id, generate_series(1, id) from arrays where id < 3 order by 1, 2",
    "select generate_series('2020-01-01'::timestamp, '2020-01-03', '1 day')",
    "select generate_series(3, 1)",
]
# the type names sqlsmith casts with: quote_ident(typname) of pg_type's rows
TYPE_NAMES = [
    "select cast(null as _int4) as a, cast('{1,2}' as _int4) as b, cast('x' as \"char\") as c, "
    "cast('{a}' as \"_text\") as d",
    "select pg_typeof(cast(null as \"char\")), pg_typeof(cast(null as _int4)), "
    "pg_typeof(cast(null as \"_char\"))",
    "select cast('ab' as char), cast(null as nosuch)",
    "select cast(null as \"Nope\")",
]
CATALOG = [
    "select typname, typtype, typcategory from pg_type where typname in ('internal', 'anyarray') order by 1",
    "select p.proname, p.prokind, p.proretset, p.prorettype::regtype::text, p.pronargs from pg_proc p "
    "where p.proname in ('sum', 'lpad', 'row_number') and p.prorettype in (20, 25, 1700) order by 1, 4, 5",
    "select unnest(proargtypes) from pg_proc where proname = 'lpad' and pronargs = 3",
    "select a.aggkind, a.aggnumdirectargs from pg_aggregate a join pg_proc p on p.oid = a.aggfnoid "
    "where p.proname = 'sum' and 23 = any(p.proargtypes)",
    "select oprname, oprkind, oprleft, oprright, oprresult from pg_operator "
    "where oprname = '||' and oprleft = 25 and oprright = 25",
    "select pg_get_function_result(oid), pg_get_function_arguments(oid), pg_function_is_visible(oid) "
    "from pg_proc where proname = 'rpad' order by 2",
]
# asyncpg sends its introspection query for every type outside its built-in map (arrays among them)
INTROSPECTED_OIDS = ("'{1007,1009,1231,16,1022,1185,2951,3807,1000,1001,1005,1016,1021,1115,1182,1183,"
                     "1187,199,705,25}'")
ASYNCPG_INTROSPECTION = [
    "select '{23,0}'::oid[], 0::regtype::text, 0::regclass::text, 0::regnamespace::text, 0::regrole::text, "
    "'-'::regtype::oid, '-'::regclass::oid, 23::regtype::text",
    asyncpg.introspection.INTRO_LOOKUP_TYPES.replace("$1::oid[]", f"{INTROSPECTED_OIDS}::oid[]")
    .replace("depth DESC", "depth DESC, oid"),
]
# the views test suites and tools list relations with (pg_views' definition is the text as written
# here, deparsed there: not compared)
RELATION_VIEWS = [
    "create table parent (id serial primary key, name text unique)",
    "create table child (id int primary key, p int references parent(id))",
    "create table lonely (x int)",
    "create index lonely_x on lonely (x)",
    "create view parents as select id, name from parent where id > 1",
    "select * from pg_tables where schemaname = 'public' order by tablename",
    "select schemaname, viewname, viewowner = current_user from pg_views where schemaname = 'public'",
    "select * from pg_indexes where schemaname = 'public' order by indexname",
    "create temp table scratch (a int)",
    "select schemaname like 'pg_temp%', tablename, hasindexes from pg_tables where tablename = 'scratch'",
    "drop view parents",
    "drop table child, parent, lonely, scratch",
]
ALL_STEPS = [*FORMAT, *SELECT_LIST_UNNEST, *TYPE_NAMES, *CATALOG, *ASYNCPG_INTROSPECTION, *RELATION_VIEWS]

reference = reference_database("catalog_reads")
engine_session = engine_store("catalog_reads")


@pytest.mark.parametrize("sql", ALL_STEPS)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)


# Not differential: PostgreSQL answers these, the engine refuses them with 0A000.
REFUSED = [
    ("select unnest(a), unnest(a) from arrays", "UNNEST(a)"),
    ("select count(*), unnest(array[1, 2]) from arrays", "UNNEST"),
    ("select generate_series(1, 3) + 1", "GENERATE_SERIES"),
    ("select generate_series(1, 2), generate_series(1, 2)", "GENERATE_SERIES"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    """A set-returning call beside another, beside an aggregate or inside an expression is refused,
    naming it."""
    assert_refused_clearly(engine_session, sql, named)
