"""Differential script for casts where SQLite stores what an expression gives: index keys, index
predicates and generated columns take the casts PostgreSQL classes immutable (`int::text`,
`text::int`, `(jsonb ->> 'k')::int`, a typmod) and refuse the stable ones (`timestamptz::date`,
`date::text`, `text::date`) and the volatile functions with PostgreSQL's 42P17; a unique index on
a cast enforces it (23505 naming the index). Runs against the engine and a real PostgreSQL 15;
outcome, messages and notices must agree. Skipped without PostgreSQL."""

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

SCRIPT = [
    "create table sc (a int, b int, c text, d timestamptz, e date, f float8, g numeric, h jsonb, "
    "i interval, ts timestamp)",
    # immutable casts: accepted
    "create index sc_b_text on sc ((b::text))",
    "create index sc_c_int on sc ((c::int))",
    "create index sc_f_text on sc ((f::text))",
    "create index sc_g_text on sc ((g::text))",
    "create index sc_concat on sc ((a::text || 'x'))",
    "create index sc_widen on sc ((b::bigint))",
    "create index sc_typmod on sc ((c::varchar(3)))",
    "create index sc_jsonb_int on sc (((h ->> 'x')::int))",
    "create index sc_ts_date on sc ((ts::date))",
    "create index sc_partial on sc (a) where c::int > 0",
    # stable casts and volatile functions: 42P17
    "create index sc_d_date on sc ((d::date))",
    "create index sc_e_text on sc ((e::text))",
    "create index sc_i_text on sc ((i::text))",
    "create index sc_c_date on sc ((c::date))",
    "create index sc_now on sc ((now()))",
    "create index sc_random on sc ((random()))",
    "create index sc_partial_stable on sc (a) where d::date > '2000-01-01'",
    "select indexname from pg_indexes where tablename = 'sc' order by indexname",
    # generated columns
    "create table gc (c text, n int generated always as (c::int) stored, "
    "t text generated always as (c::varchar(2)) stored)",
    "insert into gc (c) values ('7'), ('12')",
    "select c, n, t from gc order by c",
    "create table gc_stable (d timestamptz, day date generated always as (d::date) stored)",
    "create table gc_volatile (c text, r float8 generated always as (random()) stored)",
    # a unique index on a cast is enforced; queries on the cast answer as before
    "create table uc (h jsonb)",
    "create unique index uc_id on uc (((h ->> 'id')::int))",
    "insert into uc values ('{\"id\": 1}'), ('{\"id\": \"2\"}')",
    "insert into uc values ('{\"id\": \"01\"}')",
    "insert into uc values ('{\"id\": \"x\"}')",
    "select h ->> 'id' from uc where (h ->> 'id')::int = 2",
    "set timezone = 'Asia/Tokyo'",
    "insert into sc (b, c, f, ts) values (1, '10', 1.5, '2024-01-01 23:30')",
    "select b::text, c::int, f::text, ts::date from sc",
    "reset timezone",
]

reference = reference_database("differential_stored_casts")
engine_session = engine_store("differential_stored_casts")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
