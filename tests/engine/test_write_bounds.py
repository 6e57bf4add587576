"""Which writes may run on the event loop (engine.write_bounds, EngineSession.can_write_inline):
the plan decides, on real SQLite; a write on the loop never waits for SQLite's lock, and a
transaction's COMMIT runs there only while what it wrote is small."""

from __future__ import annotations

from pathlib import Path

import apsw
import pytest

from heliosdb_lite.engine.interface import StatementYielded
from heliosdb_lite.engine.session import INLINE_COMMIT_WRITES, INLINE_PARAMETER_BYTES, SQLiteSession
from heliosdb_lite.engine.store import STORE_FILE
from heliosdb_lite.engine.write_bounds import MAX_VALUES_ROWS

SCHEMA = [
    "CREATE TABLE accounts (aid int PRIMARY KEY, bid int, abalance int)",
    "CREATE TABLE history (tid int, aid int, delta int, mtime timestamp)",
    "CREATE TABLE u (a text PRIMARY KEY, b int UNIQUE, c int)",
    "CREATE INDEX u_c ON u (c)",
    "CREATE TABLE two (a int, b int, c int, PRIMARY KEY (a, b))",
    "CREATE TABLE parent (id int PRIMARY KEY, v int)",
    "CREATE TABLE child (id int PRIMARY KEY, p int REFERENCES parent (id) ON DELETE CASCADE)",
    "CREATE TABLE checked (id int PRIMARY KEY, v int)",
    "ALTER TABLE checked ADD CONSTRAINT positive CHECK (v > 0)",  # kept by triggers
    "CREATE SCHEMA s1",
    "CREATE TABLE s1.t (id int PRIMARY KEY, v int)",
]

BOUNDED = [
    "UPDATE accounts SET abalance = abalance + -4163 WHERE aid = 51579",
    "UPDATE accounts SET abalance = abalance + $1 WHERE aid = $2",
    "INSERT INTO history (tid, aid, delta, mtime) VALUES (1, 2, 3, CURRENT_TIMESTAMP)",
    "INSERT INTO u VALUES ('a', 1, 2), ('b', 2, 3)",
    "INSERT INTO u VALUES ('x', 5, 5) ON CONFLICT (a) DO UPDATE SET c = excluded.c",
    "INSERT INTO u SELECT 'q', 9, 9",
    "UPDATE u SET c = 1 WHERE b = 3",
    "DELETE FROM u WHERE a = 'x' RETURNING c",
    "UPDATE two SET c = 1 WHERE a = 1 AND b = 2",
    "INSERT INTO child VALUES (1, 1)",
    "UPDATE s1.t SET v = 1 WHERE id = 3",
    "INSERT INTO u VALUES ('z', 1, pg_try_advisory_xact_lock(1)::int)",
]

UNBOUNDED = [
    "DELETE FROM u",  # SQLite truncates: no search step at all
    "UPDATE u SET c = 1 WHERE c = 3",  # a non-unique index
    "UPDATE u SET c = 2 WHERE a > 'x'",  # a range of a unique key
    "UPDATE two SET c = 1 WHERE a = 1",  # part of a unique key
    "UPDATE accounts SET abalance = 0 WHERE aid IN (SELECT aid FROM accounts WHERE abalance > 0)",
    "DELETE FROM parent WHERE id = 1",  # the cascade scans the child table
    "UPDATE checked SET v = 2 WHERE id = 1",  # a table with triggers
    "UPDATE u SET c = pg_sleep(1)::text::int WHERE a = 'x'",  # a function that waits
    "INSERT INTO u VALUES ('z', 1, pg_advisory_xact_lock(1)::text::int)",
    "INSERT INTO u VALUES " + ", ".join(f"('k{i}', {i}, {i})" for i in range(MAX_VALUES_ROWS + 1)),
    "CREATE TABLE later (id int)",
    "SELECT 1 FROM u FOR UPDATE",
]


@pytest.fixture
def schema_session(session: SQLiteSession) -> SQLiteSession:
    for sql in SCHEMA:
        session.execute(session.prepare(sql, ()), [])
    return session


@pytest.mark.parametrize("sql", BOUNDED)
def test_a_write_of_a_few_rows_found_by_key_is_bounded(schema_session: SQLiteSession, sql: str) -> None:
    statement = schema_session.prepare(sql, ())
    assert statement.writes and statement.bounded_write


@pytest.mark.parametrize("sql", UNBOUNDED)
def test_a_write_whose_work_the_plan_does_not_bound_is_not(schema_session: SQLiteSession, sql: str) -> None:
    statement = schema_session.prepare(sql, ())
    assert statement.writes and not statement.bounded_write


def _run(session: SQLiteSession, sql: str, params: list[object] | None = None) -> None:
    session.execute(session.prepare(sql, ()), params or [])


def test_a_commit_runs_inline_only_while_the_transaction_wrote_little(schema_session: SQLiteSession) -> None:
    session = schema_session
    update = session.prepare("UPDATE accounts SET abalance = abalance + 1 WHERE aid = $1", ())
    commit = session.prepare("COMMIT", ())
    _run(session, "BEGIN")
    for aid in range(INLINE_COMMIT_WRITES - 1):
        assert session.can_write_inline(update, [aid])
        session.execute(update, [aid])
    assert session.can_write_inline(commit, [])
    session.execute(update, [0])
    assert not session.can_write_inline(update, [1]) and not session.can_write_inline(commit, [])
    session.execute(commit, [])
    assert session.can_write_inline(update, [1])  # a new transaction starts from nothing


def test_an_unbounded_write_or_ddl_keeps_the_commit_off_the_loop(schema_session: SQLiteSession) -> None:
    session = schema_session
    commit = session.prepare("COMMIT", ())
    for unbounded in ("UPDATE u SET c = 1 WHERE c = 3", "CREATE TABLE in_block (id int)"):
        _run(session, "BEGIN")
        _run(session, "UPDATE accounts SET abalance = 1 WHERE aid = 1")
        assert session.ending_is_short
        _run(session, unbounded)
        assert not session.ending_is_short and not session.can_write_inline(commit, [])
        session.execute(commit, [])
        assert session.ending_is_short


def test_large_parameters_keep_a_bounded_write_off_the_loop(schema_session: SQLiteSession) -> None:
    insert = schema_session.prepare("INSERT INTO u VALUES ($1, 1, 1)", ())
    assert schema_session.can_write_inline(insert, ["x" * INLINE_PARAMETER_BYTES])
    assert not schema_session.can_write_inline(insert, ["x" * (INLINE_PARAMETER_BYTES + 1)])


def test_a_write_that_would_turn_a_repeatable_read_snapshot_into_a_writer_stays_off_the_loop(
        schema_session: SQLiteSession) -> None:
    session = schema_session
    update = session.prepare("UPDATE accounts SET abalance = 1 WHERE aid = 1", ())
    _run(session, "BEGIN ISOLATION LEVEL REPEATABLE READ")
    _run(session, "SELECT count(*) FROM accounts")
    assert not session.can_write_inline(update, [])
    session.execute(update, [])
    assert session.can_write_inline(update, [])  # the write transaction is open now
    _run(session, "ROLLBACK")


def test_a_write_on_the_loop_yields_instead_of_waiting_for_sqlite_s_lock(
        schema_session: SQLiteSession, tmp_path: Path) -> None:
    """Another connection holds SQLite's write lock (as the server's outcome lookups and checkpoints
    briefly do): the write yields at once and leaves nothing; in a thread it waits, then runs."""
    session = schema_session
    _run(session, "INSERT INTO accounts VALUES (1, 1, 0)")
    update = session.prepare("UPDATE accounts SET abalance = abalance + 5 WHERE aid = 1", ())
    holder = apsw.Connection(str(tmp_path / "data" / STORE_FILE))
    for in_block in (False, True):
        if in_block:
            _run(session, "BEGIN")
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StatementYielded):
                session.execute(update, [], wait_for_locks=False)
        finally:
            holder.execute("ROLLBACK")
        assert session.transaction_status == ("T" if in_block else "I")
        session.execute(update, [])
        if in_block:
            _run(session, "COMMIT")
    balance = session.execute(session.prepare("SELECT abalance FROM accounts WHERE aid = 1", ()), [])
    assert [tuple(row) for row in balance.rows] == [(10,)]
    holder.close()
