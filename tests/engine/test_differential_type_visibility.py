"""Differential script for pg_type_is_visible: a type the database defines is visible when its bare
name finds it along the search_path (its array type as it), a built-in one always, an OID no type
has gives NULL; followed as search_path changes. Each statement runs against the engine and a real
PostgreSQL 15 in order; tag, columns, rows, SQLSTATE and transaction status must agree. Skipped
without PostgreSQL."""

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

_DEFINED = ("select n.nspname, t.typname, pg_type_is_visible(t.oid) from pg_type t "
            "join pg_namespace n on n.oid = t.typnamespace where n.nspname in ('s', 'u', 'public') "
            "order by 1, 2")

SCRIPT = [
    "create schema s",
    "create schema u",
    "create type s.mood as enum ('a', 'b')",
    "create type u.mood as enum ('c')",
    "create type pub as enum ('x')",
    "create domain s.dom as int",
    "create type s.pair as (a int, b text)",
    _DEFINED,
    "select pg_type_is_visible('int4'::regtype), pg_type_is_visible('text[]'::regtype), "
    "pg_type_is_visible('timestamptz'::regtype)",
    "select pg_type_is_visible(0), pg_type_is_visible(999999), pg_type_is_visible(null)",
    "set search_path = s, public",
    _DEFINED,
    "set search_path = u, s",
    _DEFINED,
    "set search_path = public, s, u",
    _DEFINED,
    "select count(*) from pg_type t where t.typnamespace = 'pg_catalog'::regnamespace "
    "and t.typname in ('int4', 'text', '_int4', 'bool') and pg_type_is_visible(t.oid)",
    "reset search_path",
]

reference = reference_database("type_visibility")
engine_session = engine_store("type_visibility")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
