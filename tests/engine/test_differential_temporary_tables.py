"""Differential script for CREATE TEMPORARY TABLE ... ON COMMIT DROP | DELETE ROWS | PRESERVE ROWS
(engine/temporary_tables.py): dropped or emptied when the transaction commits (an autocommit
statement's too), forgotten on rollback, a serial temporary table made again in the next
transaction, a temporary table that shadows a permanent one, and 42P16 for ON COMMIT on a table
that is not temporary. Each statement runs against the engine and a real PostgreSQL 15 in order;
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
    "begin",
    "create temporary table dropped (id serial, v text) on commit drop",
    "insert into dropped (v) values ('a')",
    "select * from dropped",
    "commit",
    "select * from dropped",
    "create temp table emptied (a int) on commit delete rows",
    "begin",
    "insert into emptied values (1)",
    "select count(*) from emptied",
    "commit",
    "select count(*) from emptied",
    "insert into emptied values (2)",
    "select count(*) from emptied",
    "create temp table kept (a int) on commit preserve rows",
    "insert into kept values (1)",
    "select count(*) from kept",
    "create table permanent (a int) on commit drop",
    "create temp table at_once (a int) on commit drop",
    "select * from at_once",
    "begin",
    "create temp table rolled_back (a int) on commit drop",
    "rollback",
    "select * from rolled_back",
    "drop table emptied",
    "begin",
    "commit",
    "begin",
    "create temporary table books (id serial primary key, title text) on commit drop",
    "insert into books (title) values ('a') returning id",
    "commit",
    "begin",
    "create temporary table books (id serial primary key, title text) on commit drop",
    "insert into books (title) values ('b') returning id",
    "select nextval('books_id_seq')",
    "commit",
    "select * from books",
    "create table shadow (x int)",
    "begin",
    "create temp table shadow (x int) on commit drop",
    "insert into shadow values (1)",
    "commit",
    "select count(*) from shadow",
    "drop table shadow",
]

reference = reference_database("differential_temporary_tables")
engine_session = engine_store("differential_temporary_tables")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
