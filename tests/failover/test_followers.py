"""Three nodes in sync mode (one sync acknowledgement of two listed standbys): when the primary is
SIGKILLed, the most advanced standby takes over, and the other standby re-points its stream at the
new primary without a restart (one start-up in its log, a `follows the primary` line), catches up
and is listed as sync again; every acknowledged row is on both survivors."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.failover.cluster import FailoverCluster
from tests.replication.cluster import wait_caught_up

READY = "HeliosDB-Lite ready"


@pytest.mark.timeout(240)
def test_the_other_standby_follows_the_new_primary_without_a_restart(tmp_path: Path) -> None:
    cluster = FailoverCluster(tmp_path, nodes=3)
    try:
        cluster.start()
        view = cluster.wait_healthy()
        assert view.leader is not None and view.sync is not None and len(view.sync.standbys) == 2
        old = view.leader.name
        with psycopg.connect(cluster.servers[old].dsn, autocommit=True) as connection:
            connection.execute("CREATE TABLE t (v integer)")
            for value in range(50):
                connection.execute("INSERT INTO t VALUES (%s)", (value,))
        cluster.servers[old].kill()
        del cluster.servers[old]  # the survivors must be healthy without it
        view = cluster.wait_for(lambda view: view.leader is not None and view.leader.name != old
                                and cluster.healthy(view), "a new leader, followed by the other standby")
        assert view.leader is not None
        new = cluster.servers[view.leader.name]
        follower_name = next(name for name in cluster.servers if name != view.leader.name)
        follower = cluster.servers[follower_name]
        assert sum(READY in line for line in follower.stderr_lines) == 1, "the follower restarted"
        assert any(f"follows the primary at {new.host}:{new.port}" in line for line in follower.stderr_lines)
        with psycopg.connect(new.dsn, autocommit=True) as connection:
            connection.execute("INSERT INTO t VALUES (50)")
        wait_caught_up(new, follower)
        for server in (new, follower):
            with psycopg.connect(server.dsn, autocommit=True) as connection:
                assert connection.execute("SELECT count(*), sum(v) FROM t").fetchone() == (51, sum(range(51)))
    except BaseException:
        print(cluster.logs(60))
        raise
    finally:
        cluster.stop()
