"""Differential script for the literals and the smaller built-in types the drivers' suites use:
national character strings (N'...'), xid, int2vector, cstring and unknown. Each statement runs
against the engine and a real PostgreSQL 15 in order; the outcome (tag, columns, type OIDs, rows
in text form, SQLSTATE, transaction status), the error message and the notices must agree.
Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

LITERALS = [
    "select N'Static text string' as column1, N'abc'",
    "select N'it''s  ', n'x' || 'y', pg_typeof(N'a'), N'abc' = 'abc  ', length(N'ab  ')",
    "select N'abc'::text, N'abc'::varchar(2), N''",
    "create table national_strings (c char(5), v varchar)",
    "insert into national_strings values (N'ab', N'cd  ') returning c || '|', v || '|'",
    "select * from national_strings where c = N'ab   '",
]

SYSTEM_TYPES = [
    "select cast(cast('86722' as varchar) as xid) as f1, '-1'::xid, '4294967295'::xid, '0x10'::xid, "
    "'010'::xid",
    "select '4294967296'::xid, 'x'::xid, ' 5 '::xid, '12abc'::xid, '-0x1'::xid, '99999999999999999999'::xid",
    "select '5'::xid = 5, '5'::xid = '5'::xid, '5'::xid <> '6'::xid, '5'::xid::text, '{1,2}'::xid[]",
    "select '5'::xid < '6'::xid",
    "select 5::xid",
    "select '5'::xid::int",
    "create table xids (x xid)",
    "insert into xids values ('7'), ('3'), (null) returning x",
    "select x from xids where x = '3'",
    "select x from xids order by x",
    "select cast('1 2' as int2vector) as f1, '  -3   4  5'::int2vector, ''::int2vector, "
    "pg_typeof('1'::int2vector)",
    "select '1 x'::int2vector",
    "select '1 40000'::int2vector",
    "select '{a,b,c}'::cstring[] as f1, CAST('{a,b,c}' AS CSTRING[]), 'a'::cstring, 'a'::cstring || 'b'",
    "select 'a'::unknown, cast('hello world' as unknown), pg_typeof('a'::unknown), 'a'::unknown || 'b'",
]

SCRIPT = [*LITERALS, *SYSTEM_TYPES]

reference = reference_database("differential_more_types")
engine_session = engine_store("differential_more_types")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
