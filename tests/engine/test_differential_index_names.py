"""Differential script for the names PostgreSQL chooses for indexes left unnamed (CREATE INDEX, ALTER
TABLE ... ADD UNIQUE): <table>_<columns>_idx, numbered idx1, idx2, ... while any relation of the
schema has the name, an expression named as FigureColname names it (`lower`, `coalesce`, `expr`), a
column named twice numbered, long names cut to 63 bytes before the label; pg_indexes after, with an
expression's text in indexdef and pg_get_indexdef (plain and pretty), indkey and pg_attribute. Runs
against the engine and a real PostgreSQL 15; outcome, messages and notices must agree. Skipped
without PostgreSQL."""

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

LONG_TABLE = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij_x"
LONG_COLUMN = "a_long_column_name_abcdefghijabcdefghijabcdefghij"

SCRIPT = [
    "create table t3 (a int, b int)",
    "create index on t3 (a)",
    "create index on t3 (a)",
    "create index on t3 (a)",
    "create index on t3 ((a + 1))",
    "create index on t3 ((a + 1))",
    "create index on t3 (a, a)",
    "create index on t3 ((a + 1), (b + 1))",
    # taken by a table, or by a sequence, of the schema
    "create table t3_b_idx (x int)",
    "create index on t3 (b)",
    "create sequence t3_b_idx2",
    "create index on t3 (b)",
    "select indexname from pg_indexes where tablename = 't3' order by indexname",
    "select indexdef from pg_indexes where indexname = 't3_expr_idx1'",
    # an expression's name (FigureColname) and text (pg_indexes, pg_get_indexdef plain and pretty)
    "create table ei (a text, b int, c varchar(5))",
    "create index on ei (lower(a))",
    "create index on ei ((b + 1), a)",
    "create unique index ei_u on ei (b, lower(c))",
    "create index on ei (coalesce(a, 'x'), (b * 2), upper(a))",
    "select indexname, indexdef from pg_indexes where tablename = 'ei' order by indexname",
    "select c.relname, pg_get_indexdef(c.oid, 1, true), pg_get_indexdef(c.oid, 2, true), "
    "pg_get_indexdef(c.oid, 1, false), i.indkey::text, i.indexprs is not null, a.attname "
    "from pg_class c join pg_index i on i.indexrelid = c.oid join pg_attribute a on a.attrelid = c.oid "
    "where c.relname like 'ei%' order by 1, a.attnum",
    # DESC keys
    "create index ei_desc on ei (b desc, a)",
    "create index ei_lower_desc on ei (lower(a) desc)",
    "select indexdef from pg_indexes where indexname like 'ei%desc' order by 1",
    "select c.relname, i.indoption::text from pg_index i join pg_class c on c.oid = i.indexrelid "
    "where c.relname like 'ei%desc' order by 1",
    "select count(*) from t3 where a = 1",
    "drop index t3_a_idx1",
    "create index on t3 (a)",
    "select indexname from pg_indexes where tablename = 't3' order by indexname",
    # cut to 63 bytes before the label (the longer part first)
    f"create table {LONG_TABLE} ({LONG_COLUMN} int)",
    f"create index on {LONG_TABLE} ({LONG_COLUMN})",
    f"create index on {LONG_TABLE} ({LONG_COLUMN})",
    f"select indexname from pg_indexes where tablename = '{LONG_TABLE}' order by indexname",
    # in another schema, free there
    "create schema s",
    "create table s.t3 (a int)",
    "create index on s.t3 (a)",
    "create index on s.t3 (a)",
    "select schemaname, indexname, tablename from pg_indexes where schemaname = 's' order by indexname",
    # ADD UNIQUE's index
    "create table u (a int, b int)",
    "alter table u add unique (a)",
    "create table u_b_key (x int)",
    "alter table u add unique (b)",
    "insert into u values (1, 1)",
    "insert into u values (2, 1)",
    "alter table u add unique (b)",
    "select indexname from pg_indexes where tablename = 'u' order by indexname",
    # the keys of CREATE TABLE likewise
    "create table v_a_key (x int)",
    "create table v_pkey (x int)",
    "create table v (id int primary key, a int unique)",
    "select indexname from pg_indexes where tablename = 'v' order by indexname",
    "create index on v (a)",
    "alter table v add unique (a)",
    "select indexname from pg_indexes where tablename = 'v' order by indexname",
]

reference = reference_database("differential_index_names")
engine_session = engine_store("differential_index_names")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
