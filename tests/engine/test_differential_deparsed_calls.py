"""Differential script for the calls sqlglot reads into one class under several names, as
pg_get_constraintdef (plain and pretty), pg_indexes, pg_get_indexdef and the name of an unnamed
index show them: by the name written (char_length, character_length, length; substr; strpos; btrim,
ltrim, rtrim; ceil, ceiling; pow, power), PostgreSQL's keyword syntax as PostgreSQL shows it
(SUBSTRING(x FROM 2 FOR 3), POSITION(('a'::text) IN (x)), TRIM(BOTH FROM x), CURRENT_TIMESTAMP),
keywords quoted ("substring", "left", "right") and the casts PostgreSQL adds to their arguments. Each
statement runs against the engine and a real PostgreSQL 15 in order; tag, columns, rows, SQLSTATE
and transaction status must agree. Skipped without PostgreSQL."""

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
    'create table t(x text, z varchar(10), n int, f float8, m numeric)',
    "alter table t add constraint c1 check (substring(x, 2) <> 'a')",
    "alter table t add constraint c2 check (substring(x from 2 for 3) <> 'a')",
    "alter table t add constraint c3 check (substr(z, 1, 2) <> 'b')",
    "alter table t add constraint c4 check (position('a' in x) > 0)",
    "alter table t add constraint c5 check (strpos(z, 'a') > 0)",
    "alter table t add constraint c6 check (trim(x) <> '')",
    "alter table t add constraint c7 check (btrim(x, 'a') <> '' and ltrim(x) <> '' and rtrim(z, 'q') <> '')",
    "alter table t add constraint c8 check (trim(leading 'a' from x) <> '' and trim(trailing from z) <> '')",
    'alter table t add constraint c9 check (ceiling(f) > 0 and ceil(m) > 0 and floor(n) > 0)',
    'alter table t add constraint c10 check (power(n, 2) > 0 and pow(m, 2) > 0)',
    "alter table t add constraint c11 check (left(x, 1) <> 'x' and right(z, 1) <> 'y')",
    "alter table t add constraint c12 check (char_length(z) > 0 and character_length(x) > 0 "
    "and length(x) > 0 and lower(x) <> upper(x))",
    'alter table t add constraint c13 check (n > 0 or current_timestamp > now())',
    "select conname, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) from pg_constraint "
    "where conrelid = 't'::regclass order by conname",
    'create index on t (substring(x, 2))',
    'create index on t (substring(x from 2))',
    "create index on t (strpos(x, 'a'))",
    "create index on t (position('a' in x))",
    'create index on t (btrim(x))',
    'create index on t (trim(x))',
    'create index on t (character_length(z))',
    'create index on t (ceiling(f))',
    'create index on t (left(x, 2))',
    "select indexname, indexdef from pg_indexes where tablename = 't' order by 1",
    "select c.relname, pg_get_indexdef(c.oid, 1, true) from pg_index i join pg_class c "
    "on c.oid = i.indexrelid where i.indrelid = 't'::regclass order by 1",
    "create domain d as text check (char_length(value) > 1 and position('x' in value) = 0)",
    "select pg_get_constraintdef(oid) from pg_constraint where contypid = 'd'::regtype",
    "create table u (x text, check (char_length(x) < 5), check (octet_length(x) < 50))",
    "create index on u (char_length(x))",
    "select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = 'u'::regclass order by 1",
    "select indexname, indexdef from pg_indexes where tablename = 'u'",
]

reference = reference_database("deparsed_calls")
engine_session = engine_store("deparsed_calls")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
