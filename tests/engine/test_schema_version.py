"""The schema version a session keeps (`store/table_info.py:Catalog`): read again when it can have
changed — another session's DDL once committed (not before), its own DDL and what a savepoint
undoes of it, a REPEATABLE READ snapshot older than the latest DDL, a maintenance connection's
commit (a standby applying the journal) — and otherwise not read at all for a statement. A version
that comes back after a rollback, with other tables and types, is not taken for the one before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import apsw
import pytest

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.errors import DatabaseError

from .helpers import columns, rows, run


def names(session: SQLiteSession, sql: str) -> list[str]:
    """The result columns of sql, as prepared and as executed."""
    prepared = [name for name, _, _ in columns(session, sql)]
    executed = [column.name for column in run(session, sql).columns or ()]
    assert executed == prepared
    return executed


def test_another_sessions_ddl_is_seen_once_committed(engine: SQLiteEngine, session: SQLiteSession) -> None:
    other = engine.open_session("postgres", "postgres", {})
    run(session, "create table t (a int)")
    assert names(other, "select * from t") == ["a"]
    run(session, "begin")
    run(session, "alter table t add column b text")
    assert names(session, "select * from t") == ["a", "b"]
    assert names(other, "select * from t") == ["a"]  # uncommitted
    run(session, "commit")
    assert names(other, "select * from t") == ["a", "b"]
    run(other, "alter table t add column c int")  # autocommit DDL
    assert names(session, "select * from t") == ["a", "b", "c"]


def test_another_sessions_rolled_back_ddl_is_never_seen(engine: SQLiteEngine,
                                                       session: SQLiteSession) -> None:
    other = engine.open_session("postgres", "postgres", {})
    run(session, "create table t (a int)")
    run(session, "begin")
    run(session, "alter table t add column b text")
    run(session, "rollback")
    assert names(session, "select * from t") == ["a"]
    assert names(other, "select * from t") == ["a"]


def test_own_uncommitted_ddl_is_seen_by_the_next_statement(session: SQLiteSession) -> None:
    run(session, "create table t (a int)")
    run(session, "insert into t (a) values (0)")
    run(session, "begin")
    run(session, "alter table t add column b serial")  # the INSERT below fills b from its table info
    run(session, "insert into t (a) values (1)")
    assert rows(session, "select a, b from t order by a") == [(0, 1), (1, 2)]
    run(session, "commit")


def test_own_ddl_undone_by_a_savepoint(session: SQLiteSession) -> None:
    run(session, "create table t (a int)")
    run(session, "begin")
    run(session, "savepoint s")
    run(session, "alter table t add column b text")
    assert names(session, "select * from t") == ["a", "b"]
    run(session, "rollback to savepoint s")
    assert names(session, "select * from t") == ["a"]
    run(session, "commit")
    assert names(session, "select * from t") == ["a"]


def _type_recreated(session: SQLiteSession, begin: str, undo: str) -> None:
    """Twice: `begin`, make an enum and a table of its array type, insert through a prepared
    statement, `undo` it all; the schema version is the same number both times."""
    for _ in range(2):
        run(session, begin)
        run(session, "create type mood as enum ('sad', 'ok')")
        run(session, "create table feelings (m mood[])")
        insert = session.prepare("insert into feelings values ($1::mood[])", (0,))
        session.execute(insert, [["ok"]])
        assert rows(session, "select m::text from feelings") == [("{ok}",)]
        run(session, undo)


def test_a_type_made_again_after_a_rollback(session: SQLiteSession) -> None:
    _type_recreated(session, "begin", "rollback")
    assert rows(session, "select count(*) from pg_type where typname = 'mood'") == [(0,)]


def test_a_type_made_again_after_a_savepoint_undid_it(session: SQLiteSession) -> None:
    run(session, "begin")
    _type_recreated(session, "savepoint s", "rollback to savepoint s")
    run(session, "commit")
    assert rows(session, "select count(*) from pg_type where typname = 'mood'") == [(0,)]


def test_a_statement_prepared_in_a_change_undone_is_prepared_again(session: SQLiteSession) -> None:
    """Not run as prepared before: its result's columns differ now, which PostgreSQL refuses too."""
    run(session, "begin")
    run(session, "create table t (a int)")
    select = session.prepare("select * from t", ())
    run(session, "rollback")
    run(session, "begin")
    run(session, "create table t (b text)")
    with pytest.raises(DatabaseError, match="cached plan must not change result type"):
        session.execute(select, [])
    run(session, "rollback")


def test_a_repeatable_read_snapshot_then_the_latest_schema(engine: SQLiteEngine,
                                                            session: SQLiteSession) -> None:
    other = engine.open_session("postgres", "postgres", {})
    run(session, "create table t (a int)")
    run(session, "begin isolation level repeatable read")
    assert names(session, "select * from t") == ["a"]
    run(other, "alter table t add column b text")
    assert names(session, "select * from t") == ["a"]  # the snapshot's schema
    run(session, "commit")
    assert names(session, "select * from t") == ["a", "b"]


def test_a_maintenance_connections_ddl_is_seen(engine: SQLiteEngine, session: SQLiteSession) -> None:
    run(session, "create table t (a int)")
    assert names(session, "select * from t") == ["a"]
    maintenance = engine.maintenance_connection()  # what a standby applies the journal with
    try:
        maintenance.execute("ALTER TABLE t ADD COLUMN b INTEGER")
    finally:
        maintenance.close()
    assert names(session, "select * from t") == ["a", "b"]


@contextmanager
def schema_version_reads(session: SQLiteSession) -> Iterator[list[str]]:
    """The PRAGMA schema_version statements the session's connection runs meanwhile."""
    connection: apsw.Connection = session._connection
    reads: list[str] = []

    def trace(_cursor: apsw.Cursor, sql: str, _bindings: object) -> bool:
        if "schema_version" in sql:
            reads.append(sql)
        return True

    connection.exec_trace = trace
    try:
        yield reads
    finally:
        connection.exec_trace = None


def test_a_statement_reads_the_schema_version_only_after_a_change(engine: SQLiteEngine,
                                                                  session: SQLiteSession) -> None:
    other = engine.open_session("postgres", "postgres", {})
    run(session, "create table t (a int)")
    run(session, "insert into t values (1)")
    run(session, "select a from t where a = 1")
    with schema_version_reads(session) as reads:
        for n in range(3):
            run(session, f"select a from t where a = {n}")
            run(session, "update t set a = a + 1")
    assert reads == []
    run(other, "create table u (b int)")
    with schema_version_reads(session) as reads:
        run(session, "select a from t where a = 1")
        run(session, "select a from t where a = 2")
    assert len(reads) == 1


@pytest.mark.parametrize(("ddl", "use"), [
    ("create type mood as enum ('a', 'b')", "select 'a'::mood"),
    ("create domain posint as int check (value > 0)", "select 1::posint"),
    ("create extension citext", "select 'A'::citext = 'a'"),
    ("create function one() returns int language sql as 'select 1'", "select one()"),
    ("create type pair as (a int, b int)", "select row(1, 2)::pair"),
])
def test_the_first_type_or_function_another_session_creates_is_seen(
        engine: SQLiteEngine, session: SQLiteSession, ddl: str, use: str) -> None:
    """The first of its kind creates the engine table that holds it (`_helios_types`, ...): a session
    that had read the schema before finds that table, as a new session does."""
    other = engine.open_session("postgres", "postgres", {})
    run(session, "select 1")
    run(other, ddl)
    assert len(rows(session, use)) == 1
