"""A primary in `sync` mode that runs degraded to async (new, with no standby listed yet) lists a
standby in etcd's sync set only once that standby holds every acknowledged commit, and from then
on acknowledges nothing without it: a listed standby is electable, so one that lacked an
acknowledged commit would lose it in the next failover (CI once lost a row that way)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psycopg
import pytest

from tests.failover.cluster import FailoverCluster
from tests.failover.committer import Committer

COMMITTERS = 3
WAIT_SECONDS = 60.0


def _acknowledged(committers: list[Committer]) -> int:
    return sum(len(committer.acknowledged) for committer in committers)


def _wait_for_acknowledgements(committers: list[Committer], count: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while _acknowledged(committers) < count:
        assert time.monotonic() < deadline, "the commits stopped"
        time.sleep(0.01)


@pytest.mark.timeout(240)
def test_a_standby_listed_as_sync_holds_every_commit_acknowledged_while_degraded(tmp_path: Path) -> None:
    cluster = FailoverCluster(tmp_path, nodes=2)
    primary, standby = cluster.servers["node1"], cluster.servers["node2"]
    committers: list[Committer] = []
    try:
        cluster.etcd.start()
        cluster.write_config("node1")
        primary.start()
        cluster.wait_for(lambda view: view.leader is not None, "node1 to lead")
        with psycopg.connect(primary.dsn, autocommit=True) as connection:
            connection.execute("CREATE TABLE marks (n integer PRIMARY KEY)")
        committers = [Committer(primary.dsn, first=number * 1_000_000 + 1) for number in range(COMMITTERS)]
        for committer in committers:
            committer.start()
        _wait_for_acknowledgements(committers, 100)
        cluster.write_config("node2")
        standby.start()  # it joins while commits keep coming, acknowledged without it (degraded)
        cluster.wait_for(lambda view: view.sync is not None and "node2" in view.sync.standbys,
                         "node2 listed as sync")
        assert standby.process is not None
        standby.process.send_signal(signal.SIGSTOP)
        frozen_at = _acknowledged(committers)
        _wait_for_acknowledgements(committers, frozen_at + 20 * COMMITTERS)
        view = cluster.view()
        assert view.sync is not None and "node2" not in view.sync.standbys, \
            "commits were acknowledged without the frozen node2 while etcd listed it as electable"
        assert any("DEGRADED TO ASYNC" in line for line in primary.stderr_lines)
    except BaseException:
        print(cluster.logs(60))
        raise
    finally:
        for committer in committers:
            committer.stop.set()
        if standby.process is not None and standby.process.poll() is None:
            standby.process.send_signal(signal.SIGCONT)
        for committer in committers:
            committer.join(WAIT_SECONDS)
        cluster.stop()
