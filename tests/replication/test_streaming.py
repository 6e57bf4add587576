"""Streaming to hot standbys: apply, read-only sessions, catch-up after a standby crash, the sync
modes' waits and degradation (real server processes on loopback ports; SIGKILL as the crash)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest

from tests.replication.cluster import Cluster, applied_lsn, connect, running, wait_caught_up, wait_until
from testsupport.server_process import ServerProcess

BLOCKED_FOR = 1.0  # how long a sync-strict commit must stay unanswered to count as blocked


def _rows(server: ServerProcess, sql: str = "SELECT id, v FROM t ORDER BY id") -> list[tuple[object, ...]]:
    with connect(server) as connection:
        return connection.execute(sql).fetchall()


def test_standbys_apply_the_stream_and_serve_reads(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync", standbys=2)) as cluster:
        with connect(cluster.primary) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY, v text)")
            with primary.cursor() as cursor:
                cursor.executemany("INSERT INTO t VALUES (%s, %s)", [(i, f"row {i}") for i in range(50)])
            primary.execute("UPDATE t SET v = 'changed' WHERE id < 10")
            primary.execute("DELETE FROM t WHERE id >= 40")
            status = primary.execute("SELECT name, state, sync_state, flushed_lsn >= sent_lsn - 1000 "
                                     "FROM heliosdb_replication_status() ORDER BY name").fetchall()
        assert [row[0] for row in status] == ["standby1", "standby2"]
        assert all(row[2] == "sync" for row in status)
        wait_caught_up(cluster.primary, *cluster.standbys)
        expected = _rows(cluster.primary)
        for standby in cluster.standbys:
            assert _rows(standby) == expected
            with connect(standby) as connection:
                assert connection.info.parameter_status("in_hot_standby") == "on"
                assert connection.info.parameter_status("default_transaction_read_only") == "on"
                assert connection.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
                assert connection.execute("SHOW transaction_read_only").fetchone() == ("on",)
                with pytest.raises(psycopg.errors.ReadOnlySqlTransaction) as refused:
                    connection.execute("INSERT INTO t VALUES (1000, 'no')")
                assert f"127.0.0.1:{cluster.primary.port}" in str(refused.value)
        with connect(cluster.primary) as primary:
            assert primary.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
            assert primary.info.parameter_status("in_hot_standby") == "off"


def test_standby_killed_and_restarted_catches_up(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="async")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY, v text)")
            primary.execute("INSERT INTO t SELECT g, 'before' FROM generate_series(1, 20) g")
            wait_caught_up(cluster.primary, standby)
            standby.kill()
            for i in range(21, 121):
                primary.execute("INSERT INTO t VALUES (%s, 'while down')", (i,))
        standby.start()
        wait_caught_up(cluster.primary, standby)
        assert _rows(standby) == _rows(cluster.primary)
        assert len(_rows(standby)) == 120


def test_sync_degrades_to_async_without_a_standby_and_comes_back(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync", sync_timeout_ms=400)) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY, v text)")
            assert primary.info.parameter_status("heliosdb.replication") == "sync"
            standby.kill()
            started = time.monotonic()
            primary.execute("INSERT INTO t VALUES (1, 'degraded')")
            assert time.monotonic() - started >= 0.4
            primary.execute("SELECT 1")  # reported with the next ReadyForQuery, as PostgreSQL reports
            assert primary.info.parameter_status("heliosdb.replication") == "sync (degraded to async)"
            started = time.monotonic()
            primary.execute("INSERT INTO t VALUES (2, 'fast while degraded')")
            assert time.monotonic() - started < 0.4
        assert any("DEGRADED TO ASYNC" in line for line in cluster.primary.stderr_lines)
        standby.start()
        wait_caught_up(cluster.primary, standby)
        with connect(cluster.primary) as primary:
            primary.execute("INSERT INTO t VALUES (3, 'sync again')")

            def back_to_sync() -> bool:
                primary.execute("SELECT 1")
                return primary.info.parameter_status("heliosdb.replication") == "sync"

            wait_until(back_to_sync, "sync mode to come back")
        assert applied_lsn(standby) >= 3


def test_sync_strict_blocks_without_a_standby_and_a_cancel_shows_nothing(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync-strict")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY, v text)")
        standby.kill()
        writer = connect(cluster.primary)
        committed = threading.Event()
        seen: list[object] = []

        def commit() -> None:
            writer.execute("INSERT INTO t VALUES (1, 'waits for a standby')")
            committed.set()

        def read() -> None:
            with connect(cluster.primary) as reader:
                seen.append(reader.execute("SELECT count(*) FROM t").fetchone())

        threads = [threading.Thread(target=commit), threading.Thread(target=read)]
        threads[0].start()
        assert not committed.wait(BLOCKED_FOR), "a sync-strict commit was acknowledged without a standby"
        writer.cancel()
        threads[1].start()
        assert not committed.wait(BLOCKED_FOR), "a cancelled sync-strict wait acknowledged the commit"
        assert not seen, "a reader saw a commit no standby holds"
        standby.start()
        for thread in threads:
            thread.join(30)
        assert committed.is_set() and seen == [(1,)]
        writer.close()
        wait_caught_up(cluster.primary, standby)
        assert _rows(standby) == [(1, "waits for a standby")]
