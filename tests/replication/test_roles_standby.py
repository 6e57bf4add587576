"""Roles made with SQL reach hot standbys with the journal: each node has its own users file (its
admin added offline with `heliosdb-lite user add`, which is local), and CREATE / ALTER / DROP ROLE on
the primary change the standby's as it streams, with the same SCRAM verifier: a new role logs in
on the standby at once, a new password replaces the old one there, NOLOGIN and DROP ROLE refuse
the login there, and a promoted standby keeps them. A standby refuses role changes (25006). A
standby seeded from a copy of the primary's store (the primary no longer retains LSN 1) takes the
primary's users file with it: a role made before the standby existed logs in once it is promoted.
An old primary rejoining after a failover takes the new primary's users file: the roles of its lost
transactions are gone, the new primary's (of a later epoch, at LSNs its own lost ones had) are
there, and its log names the lost ones. Nodes sharing a writable users file: a lagging standby's
start-up leaves the primary's role changes alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.replication.cluster import (
    FILLER_BYTES,
    SEGMENT_FILLERS,
    Cluster,
    connect,
    running,
    start_rebuilt_from_copy,
    wait_caught_up,
)
from tests.replication.failover import promote
from tests.server.credentials import add_user
from testsupport.server_process import ServerProcess, free_port

ADMIN_PASSWORD = "admin password"
TIMEOUT = 10


def _node_args(tmp_path: Path, name: str) -> tuple[str, ...]:
    users = tmp_path / f"{name}-users.toml"
    add_user(users, "postgres", ADMIN_PASSWORD)
    return ("--auth-method", "scram-sha-256", "--users-file", str(users))


def _password_cluster(tmp_path: Path) -> Cluster:
    cluster = Cluster(tmp_path / "pair", mode="sync", standbys=0,
                      primary_args=_node_args(tmp_path, "primary"))
    cluster.standbys.append(cluster.standby_of(cluster.primary, "standby1",
                                               args=_node_args(tmp_path, "standby1"),
                                               replication_user="postgres", password=ADMIN_PASSWORD))
    return cluster


def login(server: ServerProcess, user: str, password: str) -> psycopg.Connection[Any]:
    return psycopg.connect(host=server.host, port=server.port, user=user, password=password,
                           dbname="postgres", autocommit=True, connect_timeout=TIMEOUT)


def _logs_in(server: ServerProcess, user: str, password: str) -> None:
    with login(server, user, password) as connection:
        assert connection.execute("select current_user").fetchone() == (user,)


def _refused(server: ServerProcess, user: str, password: str, message: str) -> None:
    with pytest.raises(psycopg.OperationalError, match=message):
        login(server, user, password)


def test_role_changes_reach_the_standby_and_its_promotion(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", ADMIN_PASSWORD)  # the cluster helpers' connections, as postgres
    with running(_password_cluster(tmp_path)) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary:
            primary.execute("create role x_streamed login password 'first'")
            wait_caught_up(cluster.primary, standby)
            _logs_in(standby, "x_streamed", "first")

            primary.execute("alter role x_streamed password 'second'")
            wait_caught_up(cluster.primary, standby)
            _refused(standby, "x_streamed", "first", "password authentication failed")
            _logs_in(standby, "x_streamed", "second")

            primary.execute("alter role x_streamed nologin")
            wait_caught_up(cluster.primary, standby)
            _refused(standby, "x_streamed", "second", 'role "x_streamed" is not permitted to log in')

            primary.execute("begin")
            primary.execute("drop role x_streamed")
            primary.execute("create user x_kept password 'kept'")
            primary.execute("create user x_rolled_back password 'never'")
            primary.execute("rollback")
            primary.execute("begin")
            primary.execute("drop role x_streamed")
            primary.execute("create user x_kept password 'kept'")
            primary.execute("commit")
            wait_caught_up(cluster.primary, standby)
            _refused(standby, "x_streamed", "second", "password authentication failed")
            _refused(standby, "x_rolled_back", "never", "password authentication failed")
            _logs_in(standby, "x_kept", "kept")

        with connect(standby) as reader, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            reader.execute("create role x_on_the_standby")

        cluster.primary.kill()
        promote(standby)
        _logs_in(standby, "x_kept", "kept")
        with login(standby, "x_kept", "kept") as promoted:
            promoted.execute("alter role x_kept password 'after promotion'")
        _logs_in(standby, "x_kept", "after promotion")


def _role_names(server: ServerProcess) -> list[str]:
    with connect(server) as connection:
        return [name for (name,) in connection.execute(
            "select rolname from pg_roles where rolname like 'x\\_%' order by 1").fetchall()]


def test_a_standby_seeded_from_a_store_copy_has_the_roles_made_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The standby starts after the primary released its first journal segment: it is rebuilt from
    a copy of the store and takes the primary's users file with it; after a failover the role made
    before the copy logs in with its password, the one dropped before it does not."""
    monkeypatch.setenv("PGPASSWORD", ADMIN_PASSWORD)
    cluster = _password_cluster(tmp_path)
    primary, standby = cluster.primary, cluster.standbys[0]
    try:
        primary.start()
        with connect(primary) as connection:
            connection.execute("create user x_before password 'made before the copy'")
            connection.execute("create role x_dropped login password 'dropped'")
            connection.execute("create table filler (id integer primary key, v text)")
            for number in range(SEGMENT_FILLERS):
                connection.execute("insert into filler values (%s, repeat('x', %s))", (number, FILLER_BYTES))
            connection.execute("drop role x_dropped")
        start_rebuilt_from_copy(primary, standby)
        with connect(primary) as connection:
            connection.execute("create user x_after password 'streamed after the copy'")
        wait_caught_up(primary, standby)
        _logs_in(standby, "x_before", "made before the copy")
        primary.kill()
        promote(standby)
        _logs_in(standby, "x_before", "made before the copy")
        _logs_in(standby, "x_after", "streamed after the copy")
        _refused(standby, "x_dropped", "dropped", "password authentication failed")
        assert _role_names(standby) == ["x_after", "x_before"]
    finally:
        cluster.stop()


def test_a_rejoining_old_primary_takes_the_new_primary_roles(tmp_path: Path) -> None:
    """The old primary's users file holds the roles of its lost transactions, at LSNs the new
    primary's history reuses: after the rejoin it has the new primary's roles, not those."""
    cluster = Cluster(tmp_path, mode="async")
    old, new = cluster.primary, cluster.standbys[0]
    with running(cluster):
        with connect(old) as primary:
            primary.execute("create table t (id integer primary key)")
            primary.execute("create role x_replicated")
        wait_caught_up(old, new)
        new.kill()
        with connect(old) as primary:
            for number in range(3):  # async: acknowledged, never streamed
                primary.execute(f"create role x_lost_{number}")
            primary.execute("drop role x_replicated")
        old.kill()
        new.start()
        promote(new)
        with connect(new) as primary:
            primary.execute("create role x_new")  # its LSN is one the old primary's lost roles had
        cluster.make_standby(old, new, "standby1")
        old.start()
        assert any("REJOIN" in line for line in old.stderr_lines)
        assert any("create x_lost_2" in line and "drop x_replicated" in line for line in old.stderr_lines)
        wait_caught_up(new, old)
        assert _role_names(new) == ["x_new", "x_replicated"]
        assert _role_names(old) == ["x_new", "x_replicated"]
        with connect(new) as primary:
            primary.execute("create role x_after_rejoin")
        wait_caught_up(new, old)
        assert _role_names(old) == ["x_after_rejoin", "x_new", "x_replicated"]


def test_a_standby_sharing_the_users_file_leaves_the_primary_roles_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both nodes use one writable users file. The primary's role change it has not yet pruned from
    its own roles-unsynced.toml is past a lagging standby's journal when that one restarts (with its
    primary out of reach, so it streams nothing): the standby's recovery must not set it back, since
    it knows only its own unsynced changes; once it reaches the primary it has the role too."""
    monkeypatch.setenv("PGPASSWORD", ADMIN_PASSWORD)
    args = _node_args(tmp_path, "shared")
    cluster = Cluster(tmp_path / "pair", mode="async", standbys=0, primary_args=args)
    standby = cluster.standby_of(cluster.primary, "standby1", args=args, replication_user="postgres",
                                 password=ADMIN_PASSWORD)
    cluster.standbys.append(standby)
    with running(cluster):
        wait_caught_up(cluster.primary, standby)
        standby.kill()
        with connect(cluster.primary) as primary:
            primary.execute("create user x_while_away password 'away'")
        cluster.reconfigure(standby, primary_host=f"127.0.0.1:{free_port()}")
        standby.start()
        _logs_in(cluster.primary, "x_while_away", "away")
        standby.stop()
        cluster.make_standby(standby, cluster.primary, "standby1")
        standby.start()
        wait_caught_up(cluster.primary, standby)
        _logs_in(standby, "x_while_away", "away")
