"""The engine drives the commit protocol's TransactionLog hooks around every SQLite write transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from heliosdb_lite.engine.interface import CommitAlreadyDecided
from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.errors import DatabaseError

from .helpers import error, rows, run

GTID = "00000000-0000-0000-0000-00000000002a"


class RecordingLog:
    """A TransactionLog that records the calls and can refuse or short-circuit a commit."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.refusal: Exception | None = None
        self.responses: list[tuple[str, int | None]] = []

    def attached(self, connection: Any) -> None:
        self.events.append(("attached",))

    def opened(self, connection: Any) -> None:
        assert connection.in_transaction
        self.events.append(("opened",))

    journals_roles = False

    def committing(self, connection: Any, requested_gtid: str | None,
                   responses: Sequence[tuple[str, int | None]] = (), roles: Sequence[Any] = ()) -> None:
        assert connection.in_transaction
        self.events.append(("committing", requested_gtid))
        self.responses = list(responses)
        if self.refusal is not None:
            raise self.refusal

    def commit_refused(self, connection: Any, error: BaseException) -> None:
        self.events.append(("commit_refused", type(error).__name__))

    def finished(self, committed: bool) -> None:
        self.events.append(("finished", committed))

    def has_room(self, size: int) -> bool:
        return True


@pytest.fixture
def log() -> RecordingLog:
    return RecordingLog()


@pytest.fixture
def logged(engine: SQLiteEngine, log: RecordingLog) -> SQLiteSession:
    session = engine.open_session("postgres", "postgres", {}, log)
    run(session, "create table t (id int primary key)")
    log.events.clear()
    return session


def test_attached_once_at_open(engine: SQLiteEngine, log: RecordingLog) -> None:
    engine.open_session("postgres", "postgres", {}, log)
    assert log.events == [("attached",)]


def test_autocommit_write(logged: SQLiteSession, log: RecordingLog) -> None:
    run(logged, "insert into t values (1)")
    assert log.events == [("opened",), ("committing", None), ("finished", True)]


def test_reads_open_nothing(logged: SQLiteSession, log: RecordingLog) -> None:
    run(logged, "select * from t")
    run(logged, "begin")
    run(logged, "select * from t")
    run(logged, "commit")
    assert log.events == []


def test_block_commit_and_rollback(logged: SQLiteSession, log: RecordingLog) -> None:
    run(logged, "begin")
    run(logged, "insert into t values (1)")
    run(logged, "insert into t values (2)")
    run(logged, "commit")
    run(logged, "begin")
    run(logged, "insert into t values (3)")
    run(logged, "rollback")
    assert log.events == [("opened",), ("committing", None), ("finished", True),
                          ("opened",), ("finished", False)]


def test_failed_statement_outside_a_block(logged: SQLiteSession, log: RecordingLog) -> None:
    run(logged, "insert into t values (1)")
    log.events.clear()
    assert error(logged, "insert into t values (1)").sqlstate == "23505"
    assert log.events == [("opened",), ("finished", False)]


def test_requested_gtid_is_passed_and_consumed(logged: SQLiteSession, log: RecordingLog) -> None:
    run(logged, f"set heliosdb.gtid = '{GTID}'")
    run(logged, "insert into t values (1)")
    run(logged, "insert into t values (2)")
    assert [event for event in log.events if event[0] == "committing"] == [
        ("committing", GTID), ("committing", None)]


def test_refused_commit_rolls_back(logged: SQLiteSession, log: RecordingLog) -> None:
    log.refusal = DatabaseError("40P02", "fenced")
    run(logged, "begin")
    run(logged, "insert into t values (1)")
    assert error(logged, "commit").sqlstate == "40P02"
    assert logged.transaction_status == "I"
    log.refusal = None
    assert rows(logged, "select count(*) from t") == [(0,)]
    assert log.events[-1] == ("finished", False)


def test_already_decided_commit_reports_commit_and_applies_nothing(logged: SQLiteSession,
                                                                   log: RecordingLog) -> None:
    log.refusal = CommitAlreadyDecided("already committed")
    run(logged, "begin")
    run(logged, "insert into t values (1)")
    assert run(logged, "commit").command_tag() == "COMMIT"
    log.refusal = None
    assert rows(logged, "select count(*) from t") == [(0,)]
    assert log.events[-2:] == [("committing", None), ("finished", False)]


def test_implicit_block_commits_through_the_log(logged: SQLiteSession, log: RecordingLog) -> None:
    logged.begin_implicit()
    run(logged, "insert into t values (1)")
    run(logged, "insert into t values (2)")
    logged.end_implicit(True)
    assert log.events == [("opened",), ("committing", None), ("finished", True)]


def test_copy_in_commits_through_the_log(logged: SQLiteSession, log: RecordingLog) -> None:
    logged.copy_in_rows(logged.prepare("copy t from stdin", ()), [[1], [2]])
    assert log.events == [("opened",), ("committing", None), ("finished", True)]


def test_already_decided_commit_leaves_a_notice(logged: SQLiteSession, log: RecordingLog) -> None:
    log.refusal = CommitAlreadyDecided("transaction x was already committed")
    run(logged, "insert into t values (1)")
    assert [(n.severity, n.message) for n in logged.notices()] == [
        ("NOTICE", "transaction x was already committed")]


def test_committing_gets_the_answers_of_the_autocommit_statement(logged: SQLiteSession,
                                                                 log: RecordingLog) -> None:
    run(logged, "insert into t values (1), (2)")
    assert log.responses == [("INSERT 0 2", None)]
    run(logged, "update t set id = id + 10 returning id")
    assert log.responses == [("UPDATE 2", 2)]


def test_committing_gets_the_answers_of_the_block(logged: SQLiteSession, log: RecordingLog) -> None:
    run(logged, "begin")
    run(logged, "set application_name = 'x'")
    run(logged, "select count(*) from t")
    run(logged, "insert into t values (1) returning id")
    run(logged, "commit")
    assert log.responses == [("BEGIN", None), ("SET", None), ("SELECT 1", 1), ("INSERT 0 1", 1)]


def test_an_implicit_block_starts_its_own_answers(logged: SQLiteSession, log: RecordingLog) -> None:
    run(logged, "select 1")
    logged.begin_implicit()
    run(logged, "insert into t values (5)")
    run(logged, "delete from t where id = 5")
    logged.end_implicit(True)
    assert log.responses == [("INSERT 0 1", None), ("DELETE 1", None)]
