"""Differential script for INSERT ... ON CONFLICT with several rows proposed for the same key: DO
UPDATE refuses (21000, nothing of the statement applied) whether the key is a primary key, a
composite UNIQUE constraint or a unique index, named by its columns or ON CONSTRAINT, and whether
the rows come from VALUES, INSERT ... SELECT or a WITH query; NULL keys never collide; DO NOTHING
keeps the first and skips the rest; ON CONSTRAINT naming a foreign key or CHECK constraint (42809)
or another table's constraint (42704). Each statement runs against the engine and a real PostgreSQL
15 in order; the outcome (tag, columns, rows, SQLSTATE, transaction status), the error message and
the notices must agree; the refusal's hint too. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from heliosdb_lite.errors import CARDINALITY_VIOLATION
from tests.engine.differential import (
    assert_same_error,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    # a primary key of plain ints
    "create table t (k int primary key, v int)",
    "insert into t values (1, 10)",
    "insert into t (k, v) values (1, 1), (1, 2) on conflict (k) do update set v = excluded.v",
    "insert into t (k, v) values (2, 1), (2, 2) on conflict (k) do update set v = excluded.v",
    "insert into t (k, v) values (3, 1), (4, 1), (3, 2) on conflict (k) do update set v = excluded.v "
    "returning k, v",
    "insert into t (k, v) values (2, 1), (2, 2) on conflict (k) do update set v = excluded.v where false",
    "select k, v from t order by k",
    # different keys: updated and inserted once each
    "insert into t (k, v) values (1, 5), (2, 6) on conflict (k) do update set v = t.v + excluded.v "
    "returning k, v",
    "select k, v from t order by k",
    # DO NOTHING: the first proposed row is inserted, the next with its key skipped
    "insert into t (k, v) values (7, 1), (7, 2), (8, 3) on conflict (k) do nothing returning k, v",
    "insert into t (k, v) values (9, 1), (9, 2) on conflict do nothing",
    "select k, v from t order by k",
    # INSERT ... SELECT and WITH
    "insert into t select g % 2 + 20, g from generate_series(1, 4) g "
    "on conflict (k) do update set v = excluded.v",
    "insert into t select g + 20, g from generate_series(1, 3) g "
    "on conflict (k) do update set v = excluded.v",
    "with proposed (k, v) as (values (30, 1), (30, 2)) insert into t select k, v from proposed "
    "on conflict (k) do update set v = excluded.v",
    "with proposed (k, v) as (values (30, 1), (31, 2)) insert into t select k, v from proposed "
    "on conflict (k) do update set v = excluded.v",
    "insert into t select g % 2 + 40, g from generate_series(1, 4) g on conflict (k) do nothing",
    "select k, v from t order by k",
    # ON CONFLICT ON CONSTRAINT
    "insert into t values (50, 1), (50, 2) on conflict on constraint t_pkey do update set v = excluded.v",
    "insert into t values (50, 1), (51, 2) on conflict on constraint t_pkey do update set v = excluded.v",
    "insert into t values (52, 1) on conflict on constraint no_such do update set v = excluded.v",
    "insert into t values (50, 7), (50, 8) on conflict on constraint t_pkey do nothing",
    # a foreign key or CHECK constraint has no index (42809); another table's constraint is none (42704)
    "create table upsert_fk (k int primary key references t, v int check (v > 0), "
    "constraint upsert_named_fk foreign key (v) references t)",
    "create table upsert_other (k int, constraint upsert_other_check check (k > 0))",
    "insert into upsert_fk values (50, 50) on conflict on constraint upsert_fk_k_fkey do nothing",
    "insert into upsert_fk values (50, 50) on conflict on constraint upsert_named_fk do nothing",
    "insert into upsert_fk values (50, 50) on conflict on constraint upsert_fk_v_check do nothing",
    "insert into upsert_fk values (50, 50) on conflict on constraint upsert_other_check do nothing",
    "select k, v from t where k >= 50 order by k",
    # a composite UNIQUE constraint; a NULL part never conflicts
    "create table pair (a int, b int, v int, unique (a, b))",
    "insert into pair values (1, 1, 1), (1, 2, 1), (1, null, 1), (1, null, 2) "
    "on conflict (a, b) do update set v = excluded.v",
    "insert into pair values (2, 1, 1), (2, 2, 1), (2, 1, 2) on conflict (a, b) do update set v = excluded.v",
    "insert into pair values (2, 1, 1), (2, 1, 2) on conflict on constraint pair_a_b_key "
    "do update set v = excluded.v",
    "insert into pair values (1, 1, 5), (3, 1, 5) on conflict on constraint pair_a_b_key "
    "do update set v = excluded.v returning a, b, v",
    "select a, b, v from pair order by a, b, v",
    # a unique index, text keys, and a transaction left in error
    "create table named (k text, v int)",
    "create unique index named_k on named (k)",
    "insert into named values ('a', 1), ('b', 1)",
    "insert into named values ('a', 2), ('A', 2), ('a', 3) on conflict (k) do update set v = excluded.v",
    "insert into named values ('a', 2), ('A', 2) on conflict (k) do update set v = excluded.v",
    "begin",
    "insert into named values ('c', 1), ('c', 2) on conflict (k) do update set v = excluded.v",
    "select k, v from named order by k",
    "rollback",
    "select k, v from named order by k",
    # a key the INSERT leaves to its serial default never repeats
    "create table numbered (id serial primary key, v int)",
    "insert into numbered (v) values (1), (1) on conflict (id) do update set v = excluded.v",
    "select id, v from numbered order by id",
]

DUPLICATE = "insert into t (k, v) values (60, 1), (60, 2) on conflict (k) do update set v = excluded.v"

reference = reference_database("differential_upsert")
engine_session = engine_store("differential_upsert")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


def test_refusal_hint(reference: Any, engine_session: SQLiteSession) -> None:
    """The refusal of a second update carries PostgreSQL's SQLSTATE, message and hint."""
    assert assert_same_error(reference, engine_session, DUPLICATE).sqlstate == CARDINALITY_VIOLATION
