"""Differential script for json_build_object's values as to_json writes them: booleans true/false
(they were 1 and 0), numbers as numbers (numeric with its scale; NaN as a string), dates and time
stamps in ISO 8601 with a T whatever DateStyle and TimeZone are, json and jsonb embedded, arrays as
JSON arrays, other types as strings of their output text, keys as text, a NULL key refused. Each
statement runs against the engine and a real PostgreSQL 15 in order; the outcome (tag, columns,
rows, SQLSTATE, transaction status) must agree. Skipped without PostgreSQL."""

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
    "select json_build_object('t', true, 'f', false, 'n', null)",
    "select json_build_object('i', 3, 'b', 9000000000::int8, 'n', 1.50::numeric, 'r', 2.5::float8,"
    " 'r4', 0.1::float4, 'nan', 'NaN'::float8, 'inf', '-Infinity'::float8, 'nnan', 'NaN'::numeric)",
    "select json_build_object('d', '2020-01-01'::date, 'ts', '2020-01-01 10:00'::timestamp,"
    " 'frac', '2020-01-01 10:00:00.25'::timestamp, 'inf', 'infinity'::timestamp, 'ninf', '-infinity'::date)",
    "set timezone = 'Asia/Kolkata'",
    "select json_build_object('tz', '2020-01-01 10:00+00'::timestamptz,"
    " 'old', '1900-01-01 10:00+00'::timestamptz)",
    "set datestyle = 'German, DMY'",
    "select json_build_object('d', '2020-01-31'::date, 'ts', '2020-01-31 10:00'::timestamp,"
    " 'tz', '2020-01-31 10:00+00'::timestamptz, 'bc', '0044-03-15 BC'::date)",
    "reset datestyle",
    "reset timezone",
    "select json_build_object('j', '{\"k\": [1, 2]}'::jsonb, 'js', '{\"k\" : 1}'::json,"
    " 'a', array[1, null, 3], 'ta', array['x', 'y\"z'], 'nested', array[array[1, 2], array[3, 4]])",
    "select json_build_object('s', 'x\"y\\z', 'u', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid,"
    " 'iv', '1 day 02:00'::interval, 'tm', '10:00'::time, 'e', 'é')",
    "select json_build_object(1, 2, true, 'v', 2.5, 'w')",
    "select json_build_object()",
    "select json_build_object(null, 1)",
    "select json_build_object('a')",
    "create table jb (id int, flag boolean, amount numeric(8, 2), at timestamp)",
    "insert into jb values (1, true, 10, '2021-06-01 12:30'), (2, false, null, null)",
    "select id, json_build_object('flag', flag, 'amount', amount, 'at', at) from jb order by id",
]

reference = reference_database("differential_json_build_object")
engine_session = engine_store("differential_json_build_object")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
