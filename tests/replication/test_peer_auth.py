"""A standby's replication connection to a primary that asks for SCRAM-SHA-256 over TLS: the
standby verifies the primary's certificate (sslmode verify-full), authenticates with SCRAM, and
streams; a standby that requires TLS of a primary without it is refused and says why."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.replication.cluster import Cluster, connect, running, value, wait_until
from tests.server.credentials import add_user, self_signed_certificate
from testsupport.server_process import ServerProcess

USER, PASSWORD = "replicator", "a 'quoted' pässword"


def _count(server: ServerProcess) -> int:
    return int(value(server, "SELECT count(*) FROM t"))


def test_standby_streams_over_tls_with_scram(tmp_path: Path) -> None:
    certificate, key = self_signed_certificate(tmp_path)
    users = tmp_path / "users.toml"
    add_user(users, USER, PASSWORD)
    cluster = Cluster(tmp_path / "pair", mode="sync", standbys=0,
                      primary_args=("--auth-method", "scram-sha-256", "--users-file", str(users),
                                    "--tls-cert", str(certificate), "--tls-key", str(key)))
    cluster.standbys.append(cluster.standby_of(cluster.primary, "standby1", replication_user=USER,
                                               password=PASSWORD, sslmode="verify-full",
                                               sslrootcert=str(certificate)))
    with running(cluster):
        with psycopg.connect(cluster.primary.dsn, autocommit=True, connect_timeout=10, user=USER,
                             password=PASSWORD, sslmode="verify-full",
                             sslrootcert=str(certificate)) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY)")
            primary.execute("INSERT INTO t SELECT g FROM generate_series(1, 30) g")
            row = primary.execute("SELECT name, sync_state FROM heliosdb_replication_status()").fetchone()
            assert row == ("standby1", "sync")
        wait_until(lambda: _count(cluster.standbys[0]) == 30, "the standby to apply the rows")


def test_standby_requiring_tls_of_a_primary_without_it_is_refused(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path, mode="async", standbys=0)
    cluster.standbys.append(cluster.standby_of(cluster.primary, "standby1", sslmode="require"))
    with running(cluster):
        wait_until(lambda: any("does not accept TLS (replication.sslmode = require)" in line
                               for line in cluster.standbys[0].stderr_lines), "the standby's refusal")
        with connect(cluster.primary) as primary:
            assert primary.execute("SELECT count(*) FROM heliosdb_replication_status()").fetchone() == (0,)
