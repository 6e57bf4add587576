"""Differential script for SQL-level prepared statements and two-phase commit: PREPARE with and
without parameter types, EXECUTE with arguments (cast to the parameters' types), DEALLOCATE [ALL],
pg_prepared_statements (from_sql), their errors (42P05, 26000, 42601), and PREPARE TRANSACTION /
COMMIT PREPARED / ROLLBACK PREPARED as PostgreSQL 15 answers them with its default
max_prepared_transactions = 0, pg_prepared_xacts empty. Each statement runs against the engine and a
real PostgreSQL 15 in order; outcome, error message and notices must agree. Skipped without
PostgreSQL."""

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

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "create table pp (id int primary key, name text)",
    "prepare gen_series as select generate_series(1, 3) as n",
    "execute gen_series",
    "prepare ins (int, text) as insert into pp values ($1, $2)",
    "execute ins (1, 'one')",
    "execute ins (1 + 1, 'two' || '!')",
    "execute ins ('3', 3)",
    "execute ins (4)",
    "execute ins (1, 'again')",
    "prepare ins as select 1",
    "prepare pick (int) as select name from pp where id = $1",
    "execute pick (2)",
    "prepare inferred as select name from pp where id = $1",
    "execute inferred (3)",
    "select name, statement, parameter_types::text, from_sql from pg_prepared_statements order by name",
    "execute nowhere",
    "deallocate nowhere",
    "deallocate prepare pick",
    "execute pick (2)",
    "begin",
    "prepare in_block as select 42",
    "rollback",
    "execute in_block",
    "prepare bad as begin",
    "deallocate all",
    "select count(*) from pg_prepared_statements",
    "select gid, owner, database from pg_prepared_xacts",
    "prepare transaction 'nothing'",
    "begin",
    "insert into pp values (10, 'ten')",
    "prepare transaction 'x1'",
    "select count(*) from pp where id = 10",
    "begin",
    "select 1/0",
    "prepare transaction 'x2'",
    "commit prepared 'x1'",
    "rollback prepared 'x1'",
    "begin",
    "commit prepared 'x1'",
    "rollback",
]


reference = reference_database("differential_prepare")
engine_session = engine_store("differential_prepare")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
