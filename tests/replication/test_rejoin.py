"""Split brain and rejoin (real server processes, SIGKILL as the crash): an old primary restarted
after its standby's promotion learns of the newer epoch before it listens and refuses writes, and
keeps refusing them across a restart with its peer down; then,
configured as the new primary's standby, it cuts its journal where the histories part, lists the
transaction only it had, rebuilds its store and converges (`journal verify` clean, rows equal).
A standby the primary's retained journal no longer reaches is rebuilt from a copy of its store."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from tests.chaos.gtids import journal_verify
from tests.replication.cluster import (
    FILLER_BYTES,
    SEGMENT_FILLERS,
    Cluster,
    connect,
    running,
    start_rebuilt_from_copy,
    wait_caught_up,
    wait_until,
)
from tests.replication.failover import promote
from testsupport.server_process import ServerProcess

BLOCKED_FOR = 1.0  # how long a sync-strict commit must stay unanswered to count as blocked
BIN = Path(sys.executable).parent


def _rows(server: ServerProcess) -> list[tuple[object, ...]]:
    with connect(server) as connection:
        return connection.execute("SELECT id, v FROM t ORDER BY id").fetchall()


def _commit_never_acknowledged(cluster: Cluster) -> list[BaseException]:
    """With the standby down, a sync-strict commit on the primary reaches its journal and waits;
    the primary is then killed. Returns what the committing client got (an error)."""
    cluster.standbys[0].kill()
    outcome: list[BaseException] = []
    writer = connect(cluster.primary)

    def commit() -> None:
        try:
            writer.execute("INSERT INTO t VALUES (100, 'only on the old primary')")
        except psycopg.Error as error:
            outcome.append(error)

    thread = threading.Thread(target=commit)
    thread.start()
    thread.join(BLOCKED_FOR)
    assert thread.is_alive(), "a sync-strict commit was acknowledged without a standby"
    cluster.primary.kill()
    thread.join(30)
    writer.close()
    return outcome


def _assert_fenced(server: ServerProcess) -> None:
    with connect(server) as fenced:
        assert fenced.info.parameter_status("heliosdb.replication") == "fenced"
        assert fenced.info.parameter_status("default_transaction_read_only") == "on"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            fenced.execute("INSERT INTO t VALUES (101, 'split brain')")


def test_old_primary_is_fenced_then_rejoins_and_converges(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path, mode="sync-strict")
    old, new = cluster.primary, cluster.standbys[0]
    cluster.reconfigure(old, standby_host=f"127.0.0.1:{new.port}")
    with running(cluster):
        with connect(old) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY, v text)")
            primary.execute("INSERT INTO t SELECT g, 'replicated' FROM generate_series(1, 20) g")
        wait_caught_up(old, new)
        outcome = _commit_never_acknowledged(cluster)
        assert len(outcome) == 1, "the client of the unreplicated commit got an answer"

        new.start()
        promote(new)
        old.start()  # as a primary still: it asks its standby_host, sees epoch 1, is fenced before listening
        _assert_fenced(old)
        old.stop()
        new.stop()
        old.start()  # its peer is down now: it stays fenced all the same (file DEPOSED)
        _assert_fenced(old)
        new.start()
        health = subprocess.run([str(BIN / "heliosdb-health-check"), "--port", str(old.port), "--role"],
                                capture_output=True, text=True, timeout=30, check=False)
        assert health.stdout == "fenced\n"
        assert (101,) not in [(row[0],) for row in _rows(old)]

        old.stop()
        cluster.make_standby(old, new, "standby1")
        old.start()
        assert any("REJOIN" in line for line in old.stderr_lines)
        listings = list(old.data_dir.glob("rejoin-*-lost-transactions.tsv"))
        assert len(listings) == 1
        lost = listings[0].read_text().splitlines()
        assert len(lost) == 2 and lost[0].startswith("lsn\tgtid")
        with connect(new) as primary:
            primary.execute("INSERT INTO t VALUES (200, 'after the rejoin')")  # sync-strict: old acknowledges
        wait_caught_up(new, old)
        expected = [(i, "replicated") for i in range(1, 21)] + [(200, "after the rejoin")]
        assert _rows(new) == expected
        assert _rows(old) == expected
        with connect(old) as standby:
            assert standby.info.parameter_status("in_hot_standby") == "on"
    for server in (old, new):
        verified = journal_verify(server.data_dir / "journal")
        assert verified.returncode == 0, verified.stdout + verified.stderr


def test_standby_beyond_retention_is_rebuilt_from_a_store_copy(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path, mode="async")
    primary, standby = cluster.primary, cluster.standbys[0]
    with running(cluster):
        with connect(primary) as connection:
            connection.execute("CREATE TABLE t (id integer PRIMARY KEY, v text)")
            connection.execute("INSERT INTO t VALUES (1, 'streamed')")
        wait_caught_up(primary, standby)
        standby.kill()
        with connect(primary) as connection:
            for number in range(2, 2 + SEGMENT_FILLERS):  # past a 16 MiB journal segment
                connection.execute("INSERT INTO t VALUES (%s, repeat('x', %s))", (number, FILLER_BYTES))
        start_rebuilt_from_copy(primary, standby)
        with connect(primary) as connection:
            connection.execute("INSERT INTO t VALUES (1000, 'streamed after the copy')")
        wait_caught_up(primary, standby)
        query = "SELECT id, length(v), md5(v) FROM t ORDER BY id"
        with connect(primary) as on_primary, connect(standby) as on_standby:
            assert on_standby.execute(query).fetchall() == on_primary.execute(query).fetchall()
    verified = journal_verify(standby.data_dir / "journal")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_standby_of_a_standby_starts_and_says_why_it_cannot_stream(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path, mode="async")
    with running(cluster):
        chained = cluster.standby_of(cluster.standbys[0], "chained")
        chained.start()  # its start-up EPOCH_HISTORY is refused: it starts as it is
        try:
            assert any("refused its epoch history" in line and "not a primary (standby" in line
                       for line in chained.stderr_lines)
            wait_until(lambda: any("stream from primary" in line and "not a primary (standby" in line
                                   for line in chained.stderr_lines), "the stream's refusal")
        finally:
            chained.stop()
