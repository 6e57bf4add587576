"""SET heliosdb.transaction_timestamp pins the next transaction's timestamp (now() and the other
transaction timestamps), and a transaction that reads its timestamp reports it as the
heliosdb.transaction_timestamp parameter: what a transparent replay uses to give a replayed
transaction the timestamp its client already saw."""

from __future__ import annotations

import datetime as dt

from heliosdb_lite.engine.session import SQLiteSession

from .helpers import error, run, value

PINNED = "2020-01-02T03:04:05.123456+00:00"
MOMENT = dt.datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)


def _reported(session: SQLiteSession) -> str | None:
    return dict(session.parameter_changes()).get("heliosdb.transaction_timestamp")


def test_pins_the_next_block(session: SQLiteSession) -> None:
    run(session, f"SET heliosdb.transaction_timestamp = '{PINNED}'")
    run(session, "BEGIN")
    assert value(session, "SELECT now()") == MOMENT
    assert value(session, "SELECT current_timestamp") == MOMENT
    assert value(session, "SELECT transaction_timestamp()") == MOMENT
    assert value(session, "SELECT current_date::text") == "2020-01-02"
    run(session, "COMMIT")
    assert value(session, "SELECT now()") > MOMENT  # cleared when that transaction ended


def test_pins_the_next_autocommit_statement_only(session: SQLiteSession) -> None:
    run(session, f"SET heliosdb.transaction_timestamp = '{PINNED}'")
    assert value(session, "SELECT now()") == MOMENT
    assert value(session, "SELECT now()") > MOMENT


def test_a_transaction_reports_the_timestamp_it_read(session: SQLiteSession) -> None:
    session.parameter_changes()
    run(session, "BEGIN")
    assert _reported(session) is None
    moment = value(session, "SELECT now()")
    assert dt.datetime.fromisoformat(_reported(session) or "") == moment
    value(session, "SELECT now()")
    assert _reported(session) is None  # already reported for this transaction
    run(session, "COMMIT")


def test_statement_and_clock_timestamps_are_not_pinned(session: SQLiteSession) -> None:
    run(session, f"SET heliosdb.transaction_timestamp = '{PINNED}'")
    run(session, "BEGIN")
    assert value(session, "SELECT clock_timestamp()") > MOMENT
    assert value(session, "SELECT statement_timestamp()") > MOMENT
    run(session, "ROLLBACK")


def test_a_value_that_is_not_a_reported_timestamp_is_refused(session: SQLiteSession) -> None:
    failure = error(session, "SET heliosdb.transaction_timestamp = 'yesterday'")
    assert failure.sqlstate == "22007"
    assert "heliosdb.transaction_timestamp" in failure.message
