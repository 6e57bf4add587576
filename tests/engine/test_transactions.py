"""Transaction blocks: status I/T/E, the failed state, savepoints, implicit blocks, the writer lock."""

from __future__ import annotations

import pytest

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession

from .helpers import error, rows, run, value

ABORTED = "current transaction is aborted, commands ignored until end of transaction block"


@pytest.fixture
def table(session: SQLiteSession) -> SQLiteSession:
    run(session, "create table t (id int primary key)")
    return session


def ids(session: SQLiteSession) -> list[int]:
    return [r[0] for r in rows(session, "select id from t order by id")]


def test_commit_and_rollback(table: SQLiteSession) -> None:
    assert table.transaction_status == "I"
    assert run(table, "begin").command_tag() == "BEGIN"
    assert table.transaction_status == "T"
    run(table, "insert into t values (1)")
    assert run(table, "commit").command_tag() == "COMMIT"
    assert table.transaction_status == "I"
    assert run(table, "start transaction isolation level read committed").command_tag() == "START TRANSACTION"
    run(table, "insert into t values (2)")
    assert run(table, "rollback").command_tag() == "ROLLBACK"
    assert ids(table) == [1]
    run(table, "begin work")
    run(table, "insert into t values (3)")
    assert run(table, "end").command_tag() == "COMMIT"
    run(table, "begin")
    run(table, "insert into t values (4)")
    assert run(table, "abort").command_tag() == "ROLLBACK"
    assert ids(table) == [1, 3]


def test_failed_block_ignores_everything_until_its_end(table: SQLiteSession) -> None:
    run(table, "begin")
    run(table, "insert into t values (1)")
    assert error(table, "insert into t values (1)").sqlstate == "23505"
    assert table.transaction_status == "E"
    failure = error(table, "select 1")
    assert (failure.sqlstate, failure.message) == ("25P02", ABORTED)
    with pytest.raises(Exception, match="25P02"):
        table.prepare("select 2", ())
    assert run(table, "commit").command_tag() == "ROLLBACK"
    assert table.transaction_status == "I"
    assert ids(table) == []


def test_parse_error_in_a_block_fails_it(table: SQLiteSession) -> None:
    run(table, "begin")
    assert error(table, "selec 1").sqlstate == "42601"
    assert table.transaction_status == "E"
    run(table, "rollback")
    assert table.transaction_status == "I"


def test_commit_and_begin_outside_and_inside(table: SQLiteSession) -> None:
    assert run(table, "commit").command_tag() == "COMMIT"
    assert run(table, "rollback").command_tag() == "ROLLBACK"
    run(table, "begin")
    assert run(table, "begin").command_tag() == "BEGIN"
    assert table.transaction_status == "T"
    run(table, "commit")
    assert table.transaction_status == "I"


def test_savepoints(table: SQLiteSession) -> None:
    run(table, "begin")
    assert run(table, "savepoint before_anything").command_tag() == "SAVEPOINT"
    run(table, "insert into t values (1)")
    run(table, 'savepoint "Second"')
    run(table, "insert into t values (2)")
    assert error(table, "insert into t values (2)").sqlstate == "23505"
    assert table.transaction_status == "E"
    assert run(table, 'rollback to savepoint "Second"').command_tag() == "ROLLBACK"
    assert table.transaction_status == "T"
    run(table, "insert into t values (3)")
    assert run(table, 'release "Second"').command_tag() == "RELEASE"
    assert error(table, 'rollback to "Second"').sqlstate == "3B001"
    run(table, "rollback")
    run(table, "begin")
    run(table, "insert into t values (5)")
    run(table, "savepoint a")
    run(table, "insert into t values (6)")
    run(table, "rollback to a")
    run(table, "commit")
    assert ids(table) == [5]


def test_rollback_to_a_savepoint_taken_before_any_write(table: SQLiteSession) -> None:
    run(table, "begin")
    run(table, "savepoint s")
    run(table, "insert into t values (1)")
    run(table, "rollback to savepoint s")
    run(table, "insert into t values (2)")
    run(table, "commit")
    assert ids(table) == [2]


def test_savepoint_outside_a_block(table: SQLiteSession) -> None:
    assert error(table, "savepoint s").sqlstate == "25P01"


def test_implicit_block_commits_or_rolls_back(table: SQLiteSession) -> None:
    table.begin_implicit()
    run(table, "insert into t values (1)")
    run(table, "insert into t values (2)")
    table.end_implicit(True)
    table.begin_implicit()
    run(table, "insert into t values (3)")
    assert error(table, "insert into t values (3)").sqlstate == "23505"
    table.end_implicit(False)
    assert table.transaction_status == "I"
    assert ids(table) == [1, 2]


def test_begin_inside_an_implicit_block_makes_it_explicit(table: SQLiteSession) -> None:
    table.begin_implicit()
    run(table, "insert into t values (1)")
    run(table, "begin")
    run(table, "insert into t values (2)")
    table.end_implicit(True)
    assert table.transaction_status == "T"
    run(table, "rollback")
    assert ids(table) == []


def test_commit_inside_an_implicit_block_starts_a_new_one(table: SQLiteSession) -> None:
    table.begin_implicit()
    run(table, "insert into t values (1)")
    run(table, "commit")
    run(table, "insert into t values (2)")
    table.end_implicit(False)
    assert ids(table) == [1]


def test_vacuum_refuses_a_block(table: SQLiteSession) -> None:
    assert run(table, "vacuum").command_tag() == "VACUUM"
    assert run(table, "analyze t").command_tag() == "ANALYZE"
    run(table, "begin")
    assert error(table, "vacuum").sqlstate == "25001"
    run(table, "rollback")


def test_read_only_transaction_refuses_writes(table: SQLiteSession) -> None:
    run(table, "begin read only")
    assert value(table, "show transaction_read_only") == "on"
    failure = error(table, "insert into t values (1)")
    assert failure.sqlstate == "25006"
    assert failure.message == "cannot execute INSERT in a read-only transaction"
    run(table, "rollback")
    assert value(table, "show transaction_read_only") == "off"


def test_isolation_level_is_shown(table: SQLiteSession) -> None:
    run(table, "begin isolation level serializable")
    assert value(table, "show transaction isolation level") == "serializable"
    run(table, "commit")
    assert value(table, "show transaction isolation level") == "read committed"
    run(table, "set session characteristics as transaction isolation level repeatable read")
    run(table, "begin")
    assert value(table, "show transaction_isolation") == "repeatable read"
    run(table, "commit")


def test_read_committed_sees_each_commit_until_it_writes(engine: SQLiteEngine, table: SQLiteSession) -> None:
    other = engine.open_session("postgres", "postgres", {})
    run(table, "begin")
    assert ids(table) == []
    run(other, "insert into t values (1)")
    assert ids(table) == [1]
    run(table, "commit")


def test_repeatable_read_keeps_its_snapshot(engine: SQLiteEngine, table: SQLiteSession) -> None:
    other = engine.open_session("postgres", "postgres", {})
    run(table, "begin isolation level repeatable read")
    assert ids(table) == []
    run(other, "insert into t values (1)")
    assert ids(table) == []
    assert error(table, "insert into t values (2)").sqlstate == "40001"
    run(table, "rollback")
    assert ids(table) == [1]


def test_second_writer_times_out_with_55P03(engine: SQLiteEngine, table: SQLiteSession) -> None:
    other = engine.open_session("postgres", "postgres", {})
    run(table, "begin")
    run(table, "insert into t values (1)")
    failure = error(other, "insert into t values (2)")
    assert failure.sqlstate == "55P03"
    run(other, "begin")
    assert error(other, "insert into t values (3)").sqlstate == "55P03"
    assert other.transaction_status == "E"
    run(other, "rollback")
    run(table, "commit")
    run(other, "insert into t values (2)")
    assert ids(other) == [1, 2]


def test_set_is_undone_by_rollback(session: SQLiteSession) -> None:
    run(session, "begin")
    run(session, "set application_name = 'inside'")
    run(session, "rollback")
    assert value(session, "show application_name") == ""
    run(session, "begin")
    run(session, "set local application_name = 'local'")
    assert value(session, "show application_name") == "local"
    run(session, "commit")
    assert value(session, "show application_name") == ""
    run(session, "begin")
    run(session, "set application_name = 'kept'")
    run(session, "commit")
    assert value(session, "show application_name") == "kept"


def test_warnings_for_misplaced_transaction_commands(session: SQLiteSession) -> None:
    run(session, "commit")
    run(session, "rollback")
    run(session, "set local application_name = 'x'")
    run(session, "set transaction read only")
    run(session, "begin")
    run(session, "begin")
    run(session, "commit")
    assert [(n.severity, n.sqlstate, n.message) for n in session.notices()] == [
        ("WARNING", "25P01", "there is no transaction in progress"),
        ("WARNING", "25P01", "there is no transaction in progress"),
        ("WARNING", "25P01", "SET LOCAL can only be used in transaction blocks"),
        ("WARNING", "25P01", "SET TRANSACTION can only be used in transaction blocks"),
        ("WARNING", "25001", "there is already a transaction in progress")]
    assert session.notices() == []


def test_statement_timeout(session: SQLiteSession) -> None:
    run(session, "set statement_timeout = 50")
    failure = error(session, "select pg_sleep(30)")
    assert (failure.sqlstate, failure.message) == ("57014", "canceling statement due to statement timeout")
    run(session, "reset statement_timeout")
    assert value(session, "select 1") == 1


def test_lock_timeout_bounds_the_wait_for_the_writer(engine: SQLiteEngine, table: SQLiteSession) -> None:
    other = engine.open_session("postgres", "postgres", {})
    run(other, "set lock_timeout = '10ms'")
    run(table, "begin")
    run(table, "insert into t values (1)")
    failure = error(other, "insert into t values (2)")
    assert (failure.sqlstate, failure.message) == ("55P03", "canceling statement due to lock timeout")
    run(table, "commit")
