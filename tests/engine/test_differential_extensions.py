"""Differential script for CREATE EXTENSION and DROP EXTENSION (`engine/sql/extension_statements.py`):
plpgsql, the one extension a database has, exists already (42710, or IF NOT EXISTS's notice);
dropping one that does not exist is 42704 or IF EXISTS's notice; any other extension is refused
with 0A000 naming it (asyncpg's tests ask for hstore, citext, isn). Each statement runs against the
engine and a real PostgreSQL 15 in order; the outcome, the error's message and the notices' messages
must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "create extension if not exists plpgsql",
    "create extension plpgsql",
    "create extension if not exists plpgsql with schema pg_catalog",
    "drop extension nosuch_extension",
    "drop extension if exists nosuch_extension",
    "drop extension if exists nosuch_a, nosuch_b cascade",
    "select extname from pg_extension order by 1",
]

REFUSED = [
    ("create extension hstore", 'extension "hstore"'),
    ("create extension if not exists citext", 'extension "citext"'),
    ("create extension isn with schema public", 'extension "isn"'),
    ("drop extension plpgsql", "DROP EXTENSION plpgsql"),
]


reference = reference_database("differential_extensions")
engine_session = engine_store("differential_extensions")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    assert_refused_clearly(engine_session, sql, named)
