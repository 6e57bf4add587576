"""Concurrent sessions against a real server: conflicting read-modify-write transactions lose no
update and do not deadlock, readers do not wait for an open writer, and the timeouts end waits
with PostgreSQL's SQLSTATEs (55P03, 57014, FATAL 25P03); real pgbench clients keep balances exact."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator

import apsw
import psycopg
import psycopg.errors
import pytest

from heliosdb_lite.engine.store import STORE_FILE
from tests.server.cancelling import cancel, start
from testsupport.server_process import ServerProcess

pytestmark = pytest.mark.timeout(60)
THREAD_DEADLINE = 30.0  # a deadlock shows as a worker still alive after this


@pytest.fixture
def dsn(shared_server: ServerProcess) -> str:
    return shared_server.dsn


@pytest.fixture
def counter(dsn: str, request: pytest.FixtureRequest) -> str:
    """A fresh one-row counter table named after the test; its row has id 1 and n 0."""
    table = "counter_" + re.sub(r"\W", "_", request.node.name)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, n int NOT NULL)")
        connection.execute(f"INSERT INTO {table} VALUES (1, 0)")
    return table


def read_counter(dsn: str, table: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(f"SELECT n FROM {table} WHERE id = 1").fetchone()
    assert row is not None
    return int(row[0])


def run_workers(count: int, work: Callable[[int], int]) -> list[int]:
    """Run `work(worker)` on `count` threads; every thread must finish within THREAD_DEADLINE."""
    results: list[int] = [0] * count
    errors: list[BaseException] = []

    def target(worker: int) -> None:
        try:
            results[worker] = work(worker)
        except BaseException as error:  # reported by the caller's assertion
            errors.append(error)

    threads = [threading.Thread(target=target, args=(worker,), daemon=True) for worker in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_DEADLINE)
    assert not any(thread.is_alive() for thread in threads), "a worker is stuck (deadlock?)"
    assert not errors, errors
    return results


WORKERS = 6
ROUNDS = 15


@pytest.mark.parametrize("in_block", [False, True], ids=["autocommit", "block"])
def test_concurrent_increments_lose_no_update(dsn: str, counter: str, in_block: bool) -> None:
    def work(_: int) -> int:
        with psycopg.connect(dsn, autocommit=True) as connection:
            for _ in range(ROUNDS):
                if in_block:
                    with connection.transaction():
                        connection.execute(f"UPDATE {counter} SET n = n + 1 WHERE id = 1")
                else:
                    connection.execute(f"UPDATE {counter} SET n = n + 1 WHERE id = 1")
        return ROUNDS

    committed = sum(run_workers(WORKERS, work))
    assert read_counter(dsn, counter) == committed == WORKERS * ROUNDS


def test_read_committed_read_then_write_for_update_loses_no_update(dsn: str, counter: str) -> None:
    def work(_: int) -> int:
        with psycopg.connect(dsn, autocommit=True) as connection:
            for _ in range(ROUNDS):
                connection.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                row = connection.execute(f"SELECT n FROM {counter} WHERE id = 1 FOR UPDATE").fetchone()
                assert row is not None
                connection.execute(f"UPDATE {counter} SET n = {row[0] + 1} WHERE id = 1")
                connection.execute("COMMIT")
        return ROUNDS

    committed = sum(run_workers(WORKERS, work))
    assert read_counter(dsn, counter) == committed == WORKERS * ROUNDS


def increment_repeatable_read(connection: psycopg.Connection, table: str) -> int:
    """One read-then-write increment at REPEATABLE READ, retried on 40001; returns the retries."""
    retries = 0
    while True:
        try:
            connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            row = connection.execute(f"SELECT n FROM {table} WHERE id = 1").fetchone()
            assert row is not None
            connection.execute(f"UPDATE {table} SET n = {row[0] + 1} WHERE id = 1")
            connection.execute("COMMIT")
            return retries
        except psycopg.errors.SerializationFailure:
            connection.execute("ROLLBACK")
            retries += 1


def test_repeatable_read_read_then_write_retries_and_loses_no_update(dsn: str, counter: str) -> None:
    def work(_: int) -> int:
        with psycopg.connect(dsn, autocommit=True) as connection:
            for _ in range(ROUNDS):
                increment_repeatable_read(connection, counter)
        return ROUNDS

    committed = sum(run_workers(WORKERS, work))
    assert read_counter(dsn, counter) == committed == WORKERS * ROUNDS


def test_repeatable_read_write_on_stale_snapshot_fails_with_40001(dsn: str, counter: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as stale, psycopg.connect(dsn, autocommit=True) as other:
        stale.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        assert stale.execute(f"SELECT n FROM {counter} WHERE id = 1").fetchone() == (0,)
        other.execute(f"UPDATE {counter} SET n = 10 WHERE id = 1")
        assert stale.execute(f"SELECT n FROM {counter} WHERE id = 1").fetchone() == (0,)
        with pytest.raises(psycopg.errors.SerializationFailure) as failure:
            stale.execute(f"UPDATE {counter} SET n = 1 WHERE id = 1")
        assert failure.value.sqlstate == "40001"
        stale.execute("ROLLBACK")
        assert increment_repeatable_read(stale, counter) == 0
    assert read_counter(dsn, counter) == 11


@pytest.fixture
def open_writer(dsn: str, counter: str) -> Iterator[threading.Event]:
    """A session that has updated the counter to 1 and holds its write transaction open until the
    yielded event is set (the fixture then commits)."""
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute("BEGIN")
                connection.execute(f"UPDATE {counter} SET n = 1 WHERE id = 1")
                holding.set()
                assert release.wait(THREAD_DEADLINE)
                connection.execute("COMMIT")
        except BaseException as error:
            failures.append(error)
            holding.set()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    assert holding.wait(THREAD_DEADLINE) and not failures, failures
    yield release
    release.set()
    thread.join(THREAD_DEADLINE)
    assert not thread.is_alive() and not failures, failures


@pytest.mark.parametrize("isolation", ["READ COMMITTED", "REPEATABLE READ"])
def test_reader_does_not_wait_for_open_writer(dsn: str, counter: str, open_writer: threading.Event,
                                              isolation: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as reader:
        reader.execute("SET statement_timeout = '5s'")  # a blocked reader fails instead of hanging
        reader.execute(f"BEGIN ISOLATION LEVEL {isolation}")
        assert reader.execute(f"SELECT n FROM {counter} WHERE id = 1").fetchone() == (0,)
        reader.execute("COMMIT")
    open_writer.set()  # only now may the writer commit: the read above ran while it held the writer


def test_lock_timeout_raises_55p03_while_another_session_writes(dsn: str, counter: str,
                                                               open_writer: threading.Event) -> None:
    with psycopg.connect(dsn, autocommit=True) as waiter:
        waiter.execute("SET lock_timeout = '100ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable) as failure:
            waiter.execute(f"UPDATE {counter} SET n = n + 1 WHERE id = 1")
        assert failure.value.sqlstate == "55P03"
        assert waiter.execute(f"SELECT n FROM {counter} WHERE id = 1").fetchone() == (0,)
    open_writer.set()


def test_statement_timeout_raises_57014(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SET statement_timeout = '200ms'")
        with pytest.raises(psycopg.errors.QueryCanceled) as failure:
            connection.execute("SELECT pg_sleep(5)")
        assert failure.value.sqlstate == "57014"
        assert "statement timeout" in str(failure.value)
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_idle_in_transaction_timeout_terminates_session_with_25p03(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SET idle_in_transaction_session_timeout = '200ms'")
        connection.execute("SELECT 1")  # idle outside a transaction: no timeout
        connection.execute("BEGIN")
        connection.execute("SELECT 1")
        readable, _, _ = select.select([connection.fileno()], [], [], THREAD_DEADLINE)
        assert readable, "the server sent nothing while the session idled in its transaction"
        with pytest.raises(psycopg.errors.IdleInTransactionSessionTimeout) as failure:
            connection.execute("SELECT 1")
        assert failure.value.sqlstate == "25P03"
        assert failure.value.diag.severity == "FATAL"
        assert connection.closed or connection.broken


@pytest.mark.skipif(shutil.which("pgbench") is None, reason="pgbench is not installed (make deps)")
def test_pgbench_simple_protocol_clients_keep_the_balances_consistent(shared_server: ServerProcess) -> None:
    """Real `pgbench -M simple` (literals inlined: the literal-normalised translation cache's
    workload): 4 clients x 50 tpcb transactions all commit and every balance adds up."""
    env = {**os.environ, "PGHOST": shared_server.host, "PGPORT": str(shared_server.port),
           "PGUSER": "postgres", "PGDATABASE": "postgres"}
    for command in (["pgbench", "-i", "-s", "1", "-q"],
                    ["pgbench", "-M", "simple", "-n", "-c", "4", "-t", "50"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=THREAD_DEADLINE)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "number of failed transactions: 0" in done.stdout
    with psycopg.connect(shared_server.dsn, autocommit=True) as connection:
        row = connection.execute(
            "select (select sum(abalance) from pgbench_accounts),"
            " (select sum(tbalance) from pgbench_tellers), (select sum(bbalance) from pgbench_branches),"
            " (select sum(delta) from pgbench_history),"
            " (select count(*) from pgbench_history)").fetchone()
    assert row is not None
    assert row[0] == row[1] == row[2] == row[3]
    assert row[4] == 200


def test_statement_timeout_ends_a_wait_for_the_writer_with_57014(dsn: str, counter: str,
                                                                 open_writer: threading.Event) -> None:
    with psycopg.connect(dsn, autocommit=True) as waiter:
        waiter.execute("SET statement_timeout = '200ms'")
        with pytest.raises(psycopg.errors.QueryCanceled) as failure:
            waiter.execute(f"UPDATE {counter} SET n = n + 1 WHERE id = 1")
        assert failure.value.sqlstate == "57014"
    open_writer.set()


def test_cancel_request_ends_a_wait_for_the_writer_with_57014(dsn: str, counter: str,
                                                              open_writer: threading.Event) -> None:
    with psycopg.connect(dsn, autocommit=True) as waiter:
        finished = threading.Event()

        def cancel_until_finished() -> None:  # a CancelRequest only acts while the UPDATE runs
            while not finished.wait(0.05):
                waiter.cancel()

        canceller = threading.Thread(target=cancel_until_finished, daemon=True)
        canceller.start()
        try:
            with pytest.raises(psycopg.errors.QueryCanceled) as failure:
                waiter.execute(f"UPDATE {counter} SET n = n + 1 WHERE id = 1")
        finally:
            finished.set()
            canceller.join(THREAD_DEADLINE)
        assert failure.value.sqlstate == "57014"
        assert "user request" in str(failure.value)
    open_writer.set()


LONG_QUERY = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) "
              "SELECT count(*) FROM r")  # minutes of SQLite's own work, unless cancelled


def _worst_select_1(connection: psycopg.Connection[tuple[object, ...]], times: int = 20) -> float:
    worst = 0.0
    for _ in range(times):
        started = time.monotonic()
        assert connection.execute("SELECT 1").fetchone() == (1,)
        worst = max(worst, time.monotonic() - started)
    return worst


def test_a_long_query_neither_stalls_another_session_nor_escapes_cancel(dsn: str) -> None:
    """Issue 14's guarantee with engine calls on the event loop: a statement's execution runs in
    a worker thread, so another session's SELECT 1 waits no more than 50 ms longer than it does
    with nothing running (the machine's own noise), and a CancelRequest still ends it with 57014."""
    with psycopg.connect(dsn, autocommit=True) as busy, psycopg.connect(dsn, autocommit=True) as other:
        baseline = _worst_select_1(other)
        running = start(busy, LONG_QUERY)
        while_busy = _worst_select_1(other)
        assert running.worker.is_alive(), "the long query ended before the probe: make it longer"
        assert while_busy - baseline < 0.05, (while_busy, baseline)
        outcome = cancel(busy, running)
        assert isinstance(outcome, psycopg.errors.QueryCanceled)
        assert outcome.sqlstate == "57014"
        assert busy.execute("SELECT 1").fetchone() == (1,)


def _count_to(n: int) -> str:
    return (f"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < {n}) "
            "SELECT count(*) FROM r")


def test_a_read_that_outruns_the_event_loop_s_budget_starts_over_on_a_thread(dsn: str, counter: str) -> None:
    """A read runs on the event loop for at most 10 ms (server.session.INLINE_EXECUTION_SECONDS);
    one that takes longer is interrupted, leaves nothing behind, and runs again on a worker
    thread: inside a transaction that has written, its answer and the transaction are intact."""
    with psycopg.connect(dsn) as connection:
        connection.execute(f"UPDATE {counter} SET n = 41 WHERE id = 1")
        assert connection.execute(_count_to(300_000)).fetchone() == (300_000,)
        assert connection.execute(f"SELECT n FROM {counter} WHERE id = 1").fetchone() == (41,)
        assert connection.execute(_count_to(300_000)).fetchone() == (300_000,)  # now on a thread at once
        connection.commit()
    with psycopg.connect(dsn) as other:
        assert other.execute(f"SELECT n FROM {counter} WHERE id = 1").fetchone() == (41,)


def test_a_read_with_an_effect_never_starts_over(dsn: str) -> None:
    """pg_notify in a long read: run once, on a worker thread, so one notification arrives."""
    with psycopg.connect(dsn, autocommit=True) as listener, psycopg.connect(dsn, autocommit=True) as notifier:
        listener.execute("LISTEN long_read")
        notifier.execute(f"SELECT pg_notify('long_read', 'once'), ({_count_to(300_000)})")
        listener.execute("SELECT 1")  # notifications arrive between statements
        received = [(note.channel, note.payload) for note in listener.notifies(timeout=0, stop_after=5)]
        assert received == [("long_read", "once")]


def test_a_write_that_meets_sqlite_s_lock_waits_for_it_off_the_event_loop(
        shared_server: ServerProcess, dsn: str, counter: str) -> None:
    """A bounded write runs on the event loop (engine.write_bounds); when another connection holds
    SQLite's write lock (as outcome lookups and checkpoints briefly do), it waits in a worker
    thread: another session's SELECT 1 is not held up meanwhile, and the write lands once the lock
    is free."""
    holder = apsw.Connection(str(shared_server.data_dir / STORE_FILE))
    with psycopg.connect(dsn, autocommit=True) as writer, psycopg.connect(dsn, autocommit=True) as other:
        baseline = _worst_select_1(other)
        holder.execute("BEGIN IMMEDIATE")
        try:
            running = start(writer, f"UPDATE {counter} SET n = n + 1 WHERE id = 1")
            while_waiting = _worst_select_1(other)
            assert running.worker.is_alive(), "the write did not wait for the lock"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        running.worker.join(THREAD_DEADLINE)
        assert running.outcome == [None]
    assert while_waiting - baseline < 0.05, (while_waiting, baseline)
    assert read_counter(dsn, counter) == 1
