"""Differential script for information_schema's constraints: table_constraints and
check_constraints list a table's NOT NULL columns as CHECK constraints (PostgreSQL 15 names them
`<namespace OID>_<table OID>_<column number>_not_null`, compared here with the OIDs replaced and
checked against pg_namespace, pg_class and pg_attribute on each side), check_constraints the CHECK
constraints of tables and domains with their clause, constraint_column_usage the columns each
constraint uses (a foreign key's referenced ones), and nulls_distinct only for UNIQUE. Each
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

_NAME = "regexp_replace(constraint_name, '^[0-9]+_[0-9]+_', 'N_') as name"
_TABLE_CONSTRAINTS = (
    f"select constraint_schema, {_NAME}, table_schema, table_name, constraint_type, is_deferrable, "
    "initially_deferred, enforced, nulls_distinct from information_schema.table_constraints "
    "where table_schema in ('public', 's') order by table_schema, table_name, 2")
_CHECK_CONSTRAINTS = (
    f"select constraint_schema, {_NAME}, check_clause from information_schema.check_constraints "
    "where constraint_schema in ('public', 's') order by 1, 2, 3")
_NAMES_FROM_OIDS = (
    "select count(*), count(a.attname) from information_schema.table_constraints tc "
    "left join pg_namespace n on n.nspname = tc.table_schema "
    "left join pg_class c on c.relname = tc.table_name and c.relnamespace = n.oid "
    "left join pg_attribute a on a.attrelid = c.oid and a.attnotnull "
    "and tc.constraint_name = n.oid::text || '_' || c.oid::text || '_' || a.attnum::text || '_not_null' "
    "where tc.constraint_name like '%\\_not\\_null' and tc.table_schema in ('public', 's')")

SCRIPT = [
    "create schema s",
    "create domain s.positive as int check (value > 0)",
    "create domain small as int constraint small_range check (value between -9 and 9) not null",
    "create table t (id int primary key, a int not null, b text check (b <> ''), c int unique, "
    "d s.positive, e serial)",
    "create table s.u (x int not null, y int references t, z int, constraint u_pair check (x > z))",
    "create view v as select id, a from t",
    "create temporary table scratch (q int not null)",
    _TABLE_CONSTRAINTS,
    _CHECK_CONSTRAINTS,
    _NAMES_FROM_OIDS,
    "select table_schema, table_name, column_name, constraint_schema, constraint_name "
    "from information_schema.constraint_column_usage where constraint_schema in ('public', 's') "
    "order by constraint_name, table_schema, table_name, column_name",
    "select count(*) from information_schema.table_constraints where table_name = 'scratch' "
    "and constraint_type = 'CHECK'",
    "alter table t alter column c set not null",
    "alter table s.u add column w int not null default 0",
    _TABLE_CONSTRAINTS,
    _CHECK_CONSTRAINTS,
    _NAMES_FROM_OIDS,
]

reference = reference_database("information_schema_checks")
engine_session = engine_store("information_schema_checks")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same tag, rows, types, error and transaction status."""
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
