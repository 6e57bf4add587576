"""The seed's third failure scenario through `hdb.Database.connect`: the primary of a sync pair is
SIGKILLed, or stays up and is deposed, and its standby promoted. A DSN naming both servers (the
standby first) reaches the primary (`target_session_attrs=read-write`); after the failover the open
transaction is replayed on the promoted standby, and an interrupted COMMIT is resolved there by its
GTID, since the outcomes came with the journal. The application sees no error; every write is
there once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import heliosdb_lite as hdb
from tests.api.commit_crash import crash_inside_commit
from tests.replication.cluster import Cluster, running, wait_caught_up, wait_until
from tests.replication.failover import promote
from testsupport.server_process import ServerProcess


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Cluster]:
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        yield cluster


def both(cluster: Cluster) -> str:
    standby, primary = cluster.standbys[0], cluster.primary
    return f"host=127.0.0.1,127.0.0.1 port={standby.port},{primary.port} user=postgres dbname=postgres"


def test_an_open_transaction_moves_to_the_promoted_standby(pair: Cluster) -> None:
    with hdb.Database.connect(both(pair)) as db:
        db.execute("CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)")
        assert db.query_one("SELECT pg_is_in_recovery()") == (False,)
        with db.transaction() as txn:
            assert txn.query_one("INSERT INTO orders (item) VALUES ('before') RETURNING id") == (1,)
            wait_caught_up(pair.primary, *pair.standbys)
            pair.primary.kill()
            promote(pair.standbys[0])
            assert txn.query_one("INSERT INTO orders (item) VALUES ('after') RETURNING id") == (2,)
        assert db.query("SELECT id, item FROM orders ORDER BY id") == [(1, "before"), (2, "after")]
        assert db.query_one("SELECT pg_is_in_recovery()") == (False,)
        assert db.replay_metrics()["successful_replays"] == 1


def test_a_commit_interrupted_by_the_failover_is_resolved_on_the_new_primary(pair: Cluster) -> None:
    primary, standby = pair.primary, pair.standbys[0]
    with hdb.Database.connect(both(pair)) as db:
        db.execute("CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)")
        wait_caught_up(primary, standby)

        def order() -> str:
            with db.transaction() as txn:
                txn.execute("INSERT INTO orders (item) VALUES ('in flight')")
            return "committed"

        assert crash_inside_commit(primary, order, then=lambda: promote(standby)) == "committed"
        assert db.query("SELECT item FROM orders") == [("in flight",)]
        assert db.query_one("SELECT pg_is_in_recovery()") == (False,)


def test_a_deposed_primary_that_stays_up_hands_the_transaction_to_the_new_one(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path, mode="sync")
    standby = cluster.standbys[0]
    cluster.reconfigure(cluster.primary, standby_host=f"127.0.0.1:{standby.port}")  # it learns of a promotion
    with running(cluster), hdb.Database.connect(both(cluster)) as db:
        db.execute("CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)")
        with db.transaction() as txn:
            txn.execute("INSERT INTO orders (item) VALUES ('before')")
            wait_caught_up(cluster.primary, standby)
            promote(standby)  # the old primary, still up, is deposed and ends its sessions (57P01)
            wait_until(lambda: deposed(cluster.primary), "the old primary to learn of the promotion")
            txn.execute("INSERT INTO orders (item) VALUES ('after')")
        assert db.query("SELECT item FROM orders ORDER BY id") == [("before",), ("after",)]
        assert db.query_one("SELECT pg_is_in_recovery()") == (False,)


def deposed(server: ServerProcess) -> bool:
    """Whether `server` knows it was deposed (it reports `fenced`, or refuses sessions saying so)."""
    try:
        with psycopg.connect(server.dsn, autocommit=True, connect_timeout=10) as connection:
            return connection.info.parameter_status("heliosdb.replication") == "fenced"
    except psycopg.OperationalError as refused:
        return "deposed" in str(refused)
