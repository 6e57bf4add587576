"""etcd lost for every node (SIGKILL of the only member): the primary stops acknowledging within
ttl - retry_timeout and restarts itself; no node is writable while etcd is away (no split brain:
nobody can become primary without it); once etcd is back a leader is elected again, the other node
follows it, and every commit acknowledged before the loss is there."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from tests.failover.cluster import FailoverCluster
from tests.failover.committer import Committer

TTL, RETRY_TIMEOUT = 3, 1
SLACK = 0.3
WAIT = 30.0


def _read_only(dsn: str) -> bool | None:
    """Whether the server says it is read-only; None while it does not answer (restarting)."""
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=2) as connection:
            return connection.execute("SHOW transaction_read_only").fetchone() == ("on",)
    except psycopg.OperationalError:
        return None


@pytest.mark.timeout(240)
def test_without_etcd_the_cluster_is_read_only_until_etcd_returns(tmp_path: Path) -> None:
    cluster = FailoverCluster(tmp_path, ttl=TTL, loop_wait=1, retry_timeout=RETRY_TIMEOUT)
    try:
        cluster.start()
        view = cluster.wait_healthy()
        assert view.leader is not None
        old, old_epoch = cluster.servers[view.leader.name], view.leader.epoch
        with Committer(old.dsn) as committer:
            committer.wait_for(20)
            lost = time.monotonic()
            cluster.etcd.stop()
            deadline = lost + WAIT
            while not any("RESTARTING this server" in line for line in old.stderr_lines):
                assert time.monotonic() < deadline, "the primary did not give up its leadership"
                time.sleep(0.05)
        last_ack = max(committer.acknowledged.values())
        assert last_ack - lost <= TTL - RETRY_TIMEOUT + SLACK
        for server in cluster.servers.values():
            deadline = time.monotonic() + WAIT
            while (state := _read_only(server.dsn)) is None:
                assert time.monotonic() < deadline, f"{server.data_dir} does not answer"
                time.sleep(0.05)
            assert state, f"{server.data_dir} is writable without etcd"
        cluster.etcd.start()
        view = cluster.wait_for(lambda view: view.leader is not None and view.leader.epoch > old_epoch
                                and cluster.healthy(view), "a new leadership, followed")
        assert view.leader is not None
        with psycopg.connect(cluster.servers[view.leader.name].dsn, autocommit=True) as connection:
            present = {n for (n,) in connection.execute("SELECT n FROM marks")}
            connection.execute("INSERT INTO marks VALUES (-1)")
        assert set(committer.acknowledged) <= present
    except BaseException:
        print(cluster.logs(60))
        raise
    finally:
        cluster.stop()
