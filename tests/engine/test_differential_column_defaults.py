"""Differential script for a column default as pg_get_expr and information_schema.columns show it:
an expression's PostgreSQL text recorded when CREATE TABLE, ADD COLUMN or SET DEFAULT makes it (a
call by the name written, SQL's value functions, operators in parentheses, a negative constant as
`'-1'::integer`, nextval's regclass), never SQLite's translation of it (HELIOS_CAST(LENGTH(...)));
a string, boolean or NULL constant as before, with the column's type; kept through ALTER COLUMN
TYPE. Each statement runs against the engine and a real PostgreSQL 15 in order; tag, columns, rows,
SQLSTATE and transaction status must agree. Skipped without PostgreSQL."""

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

_SHOWN = ("select adnum, pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'd'::regclass "
          "order by adnum")

SCRIPT = [
    "create sequence sq",
    "create table d (a text default char_length('abc')::text, b int default octet_length('a'), "
    "c text default substring('abc' from 2), e timestamptz default current_timestamp, "
    "f timestamptz default now(), g int default 1 + 2, h text default 'x', i int default -1, "
    "j numeric default 1.5, k int default nextval('sq'), l uuid default gen_random_uuid(), "
    "m text default upper('q'), n bool default true, o date default current_date, p int default abs(-3), "
    "q varchar(5) default 'ab', r bigint default 5, s int default length('abc') * 2, "
    "t int[] default array[1, 2], u name default current_user, v float8 default random(), "
    "w timestamptz default now() + interval '1 day', x int default greatest(1, 2), "
    "y date default current_date + 1)",
    _SHOWN,
    "select column_name, column_default from information_schema.columns where table_name = 'd' "
    "order by ordinal_position",
    "alter table d add column z int default char_length('zz')",
    "alter table d alter column b set default character_length('xyz')",
    "alter table d alter column m set default lower('Q')",
    _SHOWN,
    "insert into d default values",
    "select a, b, c, g, i, m, p, s, t, x, z from d",
    "alter table d alter column b type bigint",
    _SHOWN,
    "insert into d default values",
    "select count(*), sum(b) from d",
]

reference = reference_database("column_defaults")
engine_session = engine_store("column_defaults")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
