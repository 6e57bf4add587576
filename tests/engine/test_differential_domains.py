"""Differential script for domains (CREATE DOMAIN, DROP DOMAIN, `engine/ddl/domains.py`): base types
(a domain, an array), DEFAULT, NOT NULL, named and unnamed CHECK constraints checked in casts and in
columns with PostgreSQL's SQLSTATEs and messages, pg_type's rows, DROP's errors and notices. Each
statement runs against the engine and a real PostgreSQL 15 in order; the outcome, the error's message
and the notices' messages must agree; a value of a domain is reported with its base type's OID, as
PostgreSQL reports it. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_step_with_messages,
    engine_store,
    gap,
    reference_database,
    reference_step_with_messages,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "create domain my_dom as int",
    "create domain my_dom2 as my_dom",
    "create domain my_dom as text",
    "select 3::my_dom2, null::my_dom2",
    "select 3::my_dom2 + 1, (3::my_dom2)::text",
    "create domain posint as int not null check (value > 0)",
    "select 5::posint + 0",
    "select (-1)::posint + 0",
    "select null::posint is null",
    "select (0::posint2)",
    "create domain posint2 as posint check (value < 100)",
    "select 50::posint2 + 0",
    "select 150::posint2 + 0",
    "select (-1)::posint2 + 0",
    "create domain short_text text default 'x' constraint short check (length(value) < 4) "
    "check (value <> 'bad')",
    "select 'abc'::short_text || ''",
    "select 'abcd'::short_text || ''",
    "select 'bad'::short_text || ''",
    "create domain num_array numeric[]",
    "select '{1,2}'::num_array::text",
    "create table t (a posint, b short_text, c int)",
    "insert into t (a, c) values (1, 1)",
    "select a, b, c from t",
    "insert into t values (-5, 'y', 1)",
    "insert into t (b, c) values ('y', 1)",
    "insert into t values (2, 'toolong', 1)",
    "insert into t values (2, 'bad', 1)",
    "update t set a = 0",
    "update t set a = a + 1",
    "select a + 0 from t",
    "create table u (n num_array)",
    "insert into u values ('{1.5,2}')",
    "select n::text from u",
    "select typname, typtype, typbasetype::regtype::text, typnotnull, typdefault is null from pg_type "
    "where typtype = 'd' and typnamespace = 'public'::regnamespace order by 1",
    gap("select typdefault from pg_type where typname = 'short_text'",
        "typdefault is the DEFAULT as written ('x'), not PostgreSQL's deparsed expression ('x'::text)"),
    "drop domain posint",
    "drop domain my_dom",
    "drop domain nosuch",
    "drop domain if exists nosuch",
    "drop domain if exists my_dom2, my_dom",
    "drop table t",
    "drop domain posint",
    "drop domain posint2, posint",
    "drop domain int4",
]

REFUSED = [
    ("create domain c_text text collate \"C\"", "COLLATE"),
    ("alter domain short_text set default 'y'", "ALTER DOMAIN"),
    ("drop domain short_text cascade", "CASCADE"),
]


reference = reference_database("differential_domains")
engine_session = engine_store("differential_domains")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    if "cascade" in sql:
        engine_session.execute(engine_session.prepare("create table uses_short (s short_text)", ()), [])
    assert_refused_clearly(engine_session, sql, named)
