"""Remote mode's transparent replay against a real server that is SIGKILLed and restarted: a lost
connection between transactions, inside one, and during COMMIT (committed: answered from the
outcome; not committed: replayed under a fresh GTID), a replay that diverges (HZ001, nothing
applied, the Database usable after), serial keys and nextval kept by the replay, the deadline,
and a multi-host DSN."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pytest
from prometheus_client import REGISTRY

import heliosdb_lite as hdb
from heliosdb_lite.config import Config, TransactionReplayConfig
from tests.api.commit_crash import crash_inside_commit
from testsupport.server_process import ServerProcess, free_port

REPLAY_FAILED = "HZ001"


@pytest.fixture
def db(server: ServerProcess) -> Iterator[hdb.Database]:
    database = hdb.Database.connect(server.dsn)
    database.execute("CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL); "
                     "INSERT INTO accounts VALUES (1, 100), (2, 100); "
                     "CREATE TABLE log (id serial PRIMARY KEY, note text NOT NULL); "
                     "CREATE SEQUENCE tickets")
    try:
        yield database
    finally:
        database.close()


def restart(server: ServerProcess) -> None:
    server.kill()
    server.start()


def outcome_lookups(answer: str) -> float:
    return REGISTRY.get_sample_value("heliosdb_transparent_replay_outcome_lookups_total",
                                     {"answer": answer}) or 0.0


def test_a_loss_between_transactions_is_invisible_and_the_session_restored(
        server: ServerProcess, db: hdb.Database) -> None:
    db.execute("SET application_name = 'orders'")
    session = db.query_one("SHOW heliosdb.session_id")
    restart(server)
    assert db.query_one("SHOW application_name") == ("orders",)
    assert db.query_one("SHOW heliosdb.session_id") == session
    assert db.query("SELECT id, balance FROM accounts ORDER BY id") == [(1, 100), (2, 100)]
    metrics = db.replay_metrics()
    assert (metrics["total_replays"], metrics["successful_replays"], metrics["failed_replays"]) == (1, 1, 0)
    assert metrics["journal_size_mb"] > 0


def test_an_open_transaction_is_replayed_with_its_serial_keys_and_sequence_values(
        server: ServerProcess, db: hdb.Database) -> None:
    with db.transaction() as txn:
        assert txn.query_one("INSERT INTO log (note) VALUES ('first') RETURNING id") == (1,)
        assert txn.query_one("SELECT nextval('tickets')") == (1,)
        txn.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1")
        restart(server)
        assert txn.query_one("INSERT INTO log (note) VALUES ('second') RETURNING id") == (2,)
        txn.execute("UPDATE accounts SET balance = balance + 10 WHERE id = 2")
    assert db.query("SELECT id, note FROM log ORDER BY id") == [(1, "first"), (2, "second")]
    assert db.query("SELECT balance FROM accounts ORDER BY id") == [(90,), (110,)]
    assert db.query_one("SELECT nextval('tickets')") == (2,)
    metrics = db.replay_metrics()
    assert metrics["successful_replays"] == 1 and metrics["data_loss_prevented"] == 1


def test_an_interrupted_commit_that_committed_is_answered_from_its_outcome(
        server: ServerProcess, db: hdb.Database) -> None:
    committed_before = outcome_lookups("committed")

    def transfer() -> str:
        with db.transaction() as txn:
            txn.execute("UPDATE accounts SET balance = balance - 5 WHERE id = 1")
            txn.execute("UPDATE accounts SET balance = balance + 5 WHERE id = 2")
        return "committed"

    assert crash_inside_commit(server, transfer, then=server.start) == "committed"
    assert outcome_lookups("committed") == committed_before + 1
    assert db.query("SELECT balance FROM accounts ORDER BY id") == [(95,), (105,)]


def test_an_interrupted_commit_that_did_not_commit_is_replayed_under_a_fresh_gtid(
        server: ServerProcess, db: hdb.Database) -> None:
    not_committed_before = outcome_lookups("not_committed")
    with db.transaction() as txn:
        txn.execute("UPDATE accounts SET balance = balance - 7 WHERE id = 1")
        assert txn.query_one("INSERT INTO log (note) VALUES ('moved 7') RETURNING id") == (1,)
        restart(server)  # the COMMIT below goes to a dead connection
    assert outcome_lookups("not_committed") == not_committed_before + 1
    assert db.query("SELECT balance FROM accounts ORDER BY id") == [(93,), (100,)]
    assert db.query("SELECT id, note FROM log") == [(1, "moved 7")]


def test_an_autocommit_insert_returning_keeps_its_rows_through_an_interrupted_commit(
        server: ServerProcess, db: hdb.Database) -> None:
    returned = crash_inside_commit(
        server, lambda: db.query_one("INSERT INTO log (note) VALUES ('alone') RETURNING id, note"),
        then=server.start)
    assert returned == (1, "alone")
    assert db.query("SELECT id, note FROM log") == [(1, "alone")]


def test_a_query_run_alone_is_sent_again_once_its_gtid_proves_it_wrote_nothing(
        server: ServerProcess, db: hdb.Database) -> None:
    not_committed_before = outcome_lookups("not_committed")
    restart(server)  # the query below goes to a dead connection
    assert db.query("SELECT id, balance FROM accounts ORDER BY id") == [(1, 100), (2, 100)]
    assert outcome_lookups("not_committed") == not_committed_before + 1


def test_a_query_run_alone_that_committed_a_write_is_unreproducible(
        server: ServerProcess, db: hdb.Database) -> None:
    # nextval writes: the query's GTID commits, and its answer is lost with the server
    failure = crash_inside_commit(server, lambda: db.query_one("SELECT nextval('tickets')"),
                                  then=server.start)
    assert isinstance(failure, hdb.ReplayError), failure
    assert failure.sqlstate == REPLAY_FAILED and "cannot be reproduced" in str(failure)
    assert "committed exactly once" in (failure.hint or "")
    assert db.query_one("SELECT nextval('tickets')") == (2,)  # the lost draw was applied once


@pytest.mark.parametrize("lost_at", ["statement", "commit"])
def test_a_replay_that_diverges_fails_with_hz001_and_applies_nothing(
        server: ServerProcess, db: hdb.Database, lost_at: str) -> None:
    with pytest.raises(hdb.ReplayError) as failed, db.transaction() as txn:
        (balance,) = txn.query_one("SELECT balance FROM accounts WHERE id = 1")
        txn.execute("UPDATE accounts SET balance = ? WHERE id = 2", (balance + 1,))
        restart(server)
        with psycopg.connect(server.dsn, autocommit=True) as other:  # changes the row the transaction read
            other.execute("UPDATE accounts SET balance = 0 WHERE id = 1")
        if lost_at == "statement":
            txn.execute("INSERT INTO log (note) VALUES ('never')")
    assert failed.value.sqlstate == REPLAY_FAILED
    assert "SELECT balance FROM accounts WHERE id = 1" in str(failed.value)
    assert "differ from what the client already received" in str(failed.value)
    assert db.query("SELECT id, balance FROM accounts ORDER BY id") == [(1, 0), (2, 100)]
    assert db.query("SELECT count(*) FROM log") == [(0,)]
    with db.transaction() as txn:  # the Database goes on after the rollback
        txn.execute("UPDATE accounts SET balance = 50 WHERE id = 1")
    assert db.query_one("SELECT balance FROM accounts WHERE id = 1") == (50,)
    assert db.replay_metrics()["failed_replays"] == 1


def test_the_deadline_ends_a_recovery_and_the_next_call_reconnects(server: ServerProcess) -> None:
    config = replace(Config(), transaction_replay=TransactionReplayConfig(replay_timeout_seconds=2))
    db = hdb.Database.connect(server.dsn, config=config)
    try:
        server.kill()
        with pytest.raises(hdb.ReplayError) as failed:
            db.query("SELECT 1")
        assert failed.value.sqlstate == REPLAY_FAILED and "replay_timeout_seconds" in str(failed.value)
        server.start()
        assert db.query("SELECT 1") == [(1,)]
    finally:
        db.close()


def test_a_multi_host_dsn_finds_the_live_server(server: ServerProcess) -> None:
    dsn = f"host=127.0.0.1,127.0.0.1 port={free_port()},{server.port} user=postgres dbname=postgres"
    with hdb.Database.connect(dsn) as db:
        assert db.query_one("SELECT 1") == (1,)
        restart(server)
        assert db.query_one("SELECT 2") == (2,)


def test_with_replay_off_a_loss_in_flight_is_an_error_and_the_next_call_reconnects(
        server: ServerProcess) -> None:
    config = replace(Config(), transaction_replay=TransactionReplayConfig(replay_on_connection_loss=False))
    with hdb.Database.connect(server.dsn, config=config) as db:
        db.execute("CREATE TABLE t (a integer)")
        with pytest.raises(hdb.OperationalError) as lost, db.transaction() as txn:
            txn.execute("INSERT INTO t VALUES (1)")
            restart(server)
            txn.execute("INSERT INTO t VALUES (2)")
        assert lost.value.sqlstate == "08006" and "replay was off" in str(lost.value)
        restart(server)
        with pytest.raises(hdb.OperationalError) as lost_alone:
            db.execute("INSERT INTO t VALUES (3)")
        assert lost_alone.value.sqlstate == "08006"
        assert db.query("SELECT a FROM t") == []  # neither was applied; the Database goes on
