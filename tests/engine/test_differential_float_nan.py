"""Differential script for the float NaN (float4 and float8): text 'NaN' in and out, stored in a
table and read back, NaN equal to itself and after every other value (+Infinity included) in
comparisons, ORDER BY, DISTINCT, GROUP BY, min/max, a unique index; arithmetic that propagates
it (and makes it: Infinity - Infinity), sum/avg, math and trigonometric functions (SQLite's own
answer NULL for NaN), casts to numeric and to integer (22003). Each statement runs against the
engine and a real PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE, transaction
status) must agree. Skipped without PostgreSQL."""

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

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "select 'NaN'::float8, 'nan'::float4, '  NaN '::float8, '-NaN'::float8",
    "select 'NaN'::float8 = 'NaN'::float8, 'NaN'::float8 <> 'NaN'::float8,"
    " 'NaN'::float8 > 'Infinity'::float8",
    "select 'NaN'::float4 < 1::float4, 1.5::float8 < 'NaN', 'NaN'::float4 = 'NaN'::float8",
    "create table fn (id int, f8 float8, f4 float4)",
    "insert into fn values (1, 'NaN', 'NaN'), (2, 1.5, 2.5), (3, 'Infinity', '-Infinity'), (4, null, null),"
    " (5, 'NaN', 0), (6, '-Infinity', 'NaN')",
    "select id, f8, f4 from fn order by id",
    "select id from fn where f8 = 'NaN' order by id",
    "select id from fn where f8 > 1e300 order by id",
    "select id from fn where f8 < 'NaN' order by id",
    "select id, f8 from fn order by f8, id",
    "select id, f8 from fn order by f8 desc, id",
    "select id, f4 from fn order by f4 nulls first, id",
    "select distinct f8 from fn order by f8",
    "select f8, count(*) from fn group by f8 order by f8",
    "select max(f8), min(f8), max(f4), min(f4) from fn",
    "select sum(f8), avg(f8), sum(f4), avg(f4) from fn",
    "select sum(f8), avg(f8) from fn where id in (2, 4)",
    "select id, f8 + 1, f8 * 0, -f8, f4 - 1, f8 / 2 from fn order by id",
    "select 'Infinity'::float8 - 'Infinity'::float8, 'Infinity'::float8 * 0, 0 * 'NaN'::float4",
    "select sum(x), avg(x) from (values ('Infinity'::float8), ('-Infinity'::float8)) v(x)",
    "select 'NaN'::float8 ^ 0, 1::float8 ^ 'NaN'::float8, 'NaN'::float8 ^ 2",
    "select abs('NaN'::float8), round('NaN'::float8), trunc('NaN'::float8), ceil('NaN'::float8),"
    " floor('NaN'::float8), sign('NaN'::float8), sqrt('NaN'::float8)",
    "select sin('NaN'::float8), degrees('NaN'::float8), radians(180), cos(0), tan(1.0), asin(0.5), acos(1),"
    " atan(1), atan2(1, 2), atan2('NaN', 1), atan2(1, null), degrees(1), sin(1::int), cos(0.5::numeric)",
    "select sin('Infinity'::float8)",
    "select acos(-1.5)",
    "select 'NaN'::float8::numeric, 'NaN'::numeric::float8, 'NaN'::float4::float8, 'NaN'::float8::float4",
    "select 'NaN'::float8::text, 'NaN'::float4::varchar",
    "select 'NaN'::float8::int4",
    "select 'NaN'::float4::int8",
    "select greatest(1::float8, 'NaN', 2), least(1::float8, 'NaN', 2)",
    "select 'NaN'::float8 in (1, 'NaN'), 'NaN'::float8 = any(array[1, 'NaN'::float8])",
    "select array['NaN'::float8, 1, 'Infinity']",
    "select id, sum(f8) over (order by id rows between 1 preceding and current row) from fn order by id",
    "create table fu (f float8 unique)",
    "insert into fu values ('NaN')",
    "insert into fu values ('NaN')",
    "update fn set f8 = f8 + 1 where id = 1",
    "select f8 from fn where id = 1",
]


reference = reference_database("differential_float_nan")
engine_session = engine_store("differential_float_nan")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
