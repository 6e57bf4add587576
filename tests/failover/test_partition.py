"""A primary cut off from etcd while its clients and its standby still reach it (a black-holed TCP
relay in front of etcd, tests/failover/relay.py): it stops acknowledging within ttl - retry_timeout
of the cut, before its lease can expire and before the other node takes over; every commit it
acknowledged is on the new primary; it restarts itself as a standby and, once it reaches etcd again,
rejoins the new primary."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from tests.failover.cluster import FailoverCluster
from tests.failover.committer import Committer

TTL, RETRY_TIMEOUT = 3, 1
SLACK = 0.3  # between the server's decision and the client's receipt, on a loaded machine


@pytest.mark.timeout(240)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_primary_cut_off_from_etcd_stops_acknowledging_before_its_lease_expires(
        tmp_path: Path, mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    cluster = FailoverCluster(tmp_path, mode=mode, ttl=TTL, loop_wait=1, retry_timeout=RETRY_TIMEOUT,
                              relays=True)
    try:
        cluster.start()
        view = cluster.wait_healthy()
        assert view.leader is not None
        old = view.leader.name
        with Committer(cluster.servers[old].dsn) as committer:
            committer.wait_for(20)
            cut = time.monotonic()
            cluster.partition(old)
            new_view = cluster.wait_for(lambda view: view.leader is not None and view.leader.name != old,
                                        "another node to take over")
            took_over = time.monotonic()
        assert not committer.is_alive(), "the client is still blocked on the cut-off primary"
        last_ack = max(committer.acknowledged.values())
        with capsys.disabled():
            print(f"\n{mode}: cut at 0; the cut-off primary's last acknowledgement at {last_ack - cut:.2f} s "
                  f"(bound ttl - retry_timeout = {TTL - RETRY_TIMEOUT} s); the other node led at "
                  f"{took_over - cut:.2f} s; {len(committer.acknowledged)} commits acknowledged")
        assert last_ack - cut <= TTL - RETRY_TIMEOUT + SLACK
        assert last_ack < took_over
        assert new_view.leader is not None
        new = cluster.servers[new_view.leader.name]
        with psycopg.connect(new.dsn, autocommit=True) as connection:
            present = {n for (n,) in connection.execute("SELECT n FROM marks")}
        lost = set(committer.acknowledged) - present
        assert not lost, f"acknowledged commits missing on the new primary: {sorted(lost)[:10]}"
        assert any("RESTARTING this server" in line for line in cluster.servers[old].stderr_lines)
        cluster.heal(old)
        cluster.wait_healthy()
    except BaseException:
        print(cluster.logs(60))
        raise
    finally:
        cluster.stop()
