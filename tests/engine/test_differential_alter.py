"""Differential script for ALTER TABLE / INDEX / VIEW: SET/DROP DEFAULT, SET/DROP NOT NULL, ADD and
DROP CONSTRAINT, RENAME of tables, columns, indexes and views, IF EXISTS, a table without columns
(created so, or left so by DROP COLUMN), and the clear refusals of what SQLite cannot alter. Runs
against the engine and a real PostgreSQL 15; outcome, messages and notices must agree. Skipped
without PostgreSQL."""

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

SCRIPT = [
    "create table t (id serial primary key, a int default 1, b text, c int not null default 0)",
    "insert into t (b) values ('x') returning *",
    "alter table t alter column a set default 42",
    "insert into t (b) values ('y') returning *",
    "alter table t alter column a set default 40 + 2 * 3",
    "insert into t (b) values ('y2') returning a",
    "alter table t alter column a drop default",
    "insert into t (b) values ('z') returning *",
    "alter table t alter column b set default 'bee'",
    "insert into t default values returning *",
    "alter table t alter column b set default now()::date::text",
    "insert into t (a) values (0) returning b = current_date::text",
    "alter table t alter column nosuch set default 1",
    "alter table t alter column c drop default",
    "insert into t (b) values ('w')",
    "alter table t alter column c set default 9",
    "insert into t (b) values ('w') returning c",
    # CHECK constraints added later
    "alter table t add constraint a_positive check (a > 0)",
    "update t set a = 1 where a is null or a <= 0",
    "alter table t add constraint a_positive check (a > 0)",
    "insert into t (a) values (-1)",
    "insert into t (a) values (null) returning a",
    "insert into t (a) values (5) returning a",
    "update t set a = -5 where id = 1",
    "alter table t add check (c >= 0)",
    "insert into t (a, c) values (1, -1)",
    "alter table t drop constraint t_c_check",
    "insert into t (a, c) values (1, -1) returning c",
    "alter table t drop constraint a_positive",
    "update t set a = -5 where id = 1",
    "alter table t drop constraint nosuch",
    "alter table t drop constraint if exists nosuch",
    # NOT NULL added and dropped later
    "alter table t add column m int",
    "alter table t alter column m set not null",
    "update t set m = 1",
    "alter table t alter column m set not null",
    "alter table t alter column m set not null",
    "insert into t (m) values (null)",
    "alter table t alter column m drop not null",
    "insert into t (m) values (null) returning m",
    "alter table t alter column id drop not null",
    # keys added later
    "create table k (x int, y int)",
    "insert into k values (1, 1), (2, 2)",
    "alter table k add constraint k_x_unique unique (x)",
    "insert into k values (1, 3)",
    "alter table k drop constraint k_x_unique",
    "insert into k values (1, 3) returning *",
    "alter table k add primary key (y)",
    "alter table k add primary key (x)",  # a second primary key: 42P16
    "alter table k add constraint k_other primary key (x)",
    "insert into k values (4, null)",
    "insert into k values (5, 1)",
    "alter table k drop constraint k_pkey",
    "insert into k values (5, 1) returning *",
    # renames
    "create index t_b on t (b)",
    "alter index t_b rename to t_by_b",
    "alter index t_b rename to t_other",
    "alter index if exists t_b rename to t_other",
    "create index t_a on t (a)",
    "alter index t_a rename to t_by_b",
    "drop index t_by_b",
    "create view tv as select id, b from t",
    "alter view tv rename to tv2",
    "select count(*) > 0 from tv2",
    "select * from tv",
    "alter view if exists tv rename to tv3",
    "alter table t rename column b to bb",
    "select bb from t where id = 1",
    "alter table t rename to t2",
    "insert into t2 (bb) values ('renamed') returning a, bb, c",
    "alter table t rename to t3",
    "alter table if exists t add column q int",
    "alter table if exists t2 add column q int",
    "select q from t2 limit 1",
    "alter table t2 add column q int",
    "alter table t2 add column if not exists q text",
    "alter table t2 add column if not exists q text, add column if not exists r int",
    "select q, r from t2 limit 1",
    # a table without columns (PostgreSQL allows it; psycopg's test_prepared creates one)
    "create table z ()",
    "insert into z default values",
    "insert into z default values returning 1 as one",
    "select count(*), 2 as two from z",
    "select attname from pg_attribute where attrelid = 'z'::regclass and attnum > 0",
    "select column_name from information_schema.columns where table_name = 'z'",
    "alter table z add column a int, add column b text default 'b'",
    "select * from z order by a",
    "insert into z (a) values (5)",
    "select * from z order by a",
    "alter table z drop column a",
    "alter table z drop column b",
    "select count(*) from z",
    "select column_name from information_schema.columns where table_name = 'z'",
    "alter table z add column c int",
    "select * from z",
    "drop table if exists z2",
    "create table z2()",
    "drop table z",
]


reference = reference_database("differential_alter")
engine_session = engine_store("differential_alter")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


REFUSED = [
    ("create table r (a int not null, b int, constraint r_b_check check (b > 0))", None),
    ("alter table r alter column a drop not null", "DROP NOT NULL"),
    ("alter table r drop constraint r_b_check", "DROP CONSTRAINT"),
    ("create view rv as select a from r", None),
    ("create view rv2 as select * from rv", None),
    ("alter view rv rename to rv3", "renaming view rv"),
    ("create table nothing ()", None),
    ("select * from nothing", "a select list of no columns"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    """What SQLite cannot alter faithfully is refused with 0A000 naming it (named None: a setup
    step that must succeed)."""
    assert_refused_clearly(engine_session, sql, named)
