"""Clients find the primary and the standby by themselves: libpq (psql) and psycopg multi-host
strings with target_session_attrs, asyncpg's target_session_attrs, `heliosdb-health-check --role`,
and `heliosdb-lite promote` (real server processes; the standby listed first and last)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest
from asyncpg.connect_utils import SessionAttribute

from tests.replication.cluster import Cluster, connect, running, wait_caught_up
from testsupport.server_process import ServerProcess

BIN = Path(sys.executable).parent
PRIMARY_ANSWER, STANDBY_ANSWER = "f", "t"  # SELECT pg_is_in_recovery() as text


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running(Cluster(tmp_path_factory.mktemp("clients"), mode="sync")) as started:
        with connect(started.primary) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY)")
        wait_caught_up(started.primary, *started.standbys)
        yield started


def _both_orders(cluster: Cluster) -> list[list[ServerProcess]]:
    standby = cluster.standbys[0]
    return [[cluster.primary, standby], [standby, cluster.primary]]


def _multi_host(servers: list[ServerProcess], attrs: str) -> str:
    hosts = ",".join(server.host for server in servers)
    ports = ",".join(str(server.port) for server in servers)
    return (f"host={hosts} port={ports} user=postgres dbname=postgres connect_timeout=10 "
            f"target_session_attrs={attrs}")


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PGCONNECT_TIMEOUT": "10"}, check=False)


@pytest.mark.parametrize(("attrs", "answer"), [("read-write", PRIMARY_ANSWER), ("primary", PRIMARY_ANSWER),
                                               ("standby", STANDBY_ANSWER), ("read-only", STANDBY_ANSWER),
                                               ("prefer-standby", STANDBY_ANSWER)])
def test_psql_and_psycopg_pick_the_server_target_session_attrs_names(cluster: Cluster, attrs: str,
                                                                      answer: str) -> None:
    psql = shutil.which("psql")
    for servers in _both_orders(cluster):
        dsn = _multi_host(servers, attrs)
        with psycopg.connect(dsn, autocommit=True) as connection:
            assert connection.execute("SELECT pg_is_in_recovery()").fetchone() == (answer == "t",)
        if psql is not None:
            done = _run([psql, "-X", "-A", "-t", "-c", "SELECT pg_is_in_recovery()", dsn])
            assert (done.returncode, done.stdout.strip()) == (0, answer), done.stderr


@pytest.mark.parametrize(("attrs", "in_recovery"), [("read-write", False), ("primary", False),
                                                    ("standby", True), ("read-only", True),
                                                    ("prefer-standby", True)])
async def test_asyncpg_picks_the_server_target_session_attrs_names(cluster: Cluster, attrs: str,
                                                                   in_recovery: bool) -> None:
    for servers in _both_orders(cluster):
        connection = await asyncpg.connect(host=[server.host for server in servers],
                                           port=[server.port for server in servers], user="postgres",
                                           database="postgres", target_session_attrs=SessionAttribute(attrs),
                                           timeout=10)
        try:
            assert await connection.fetchval("SELECT pg_is_in_recovery()") is in_recovery
        finally:
            await connection.close()


def test_health_check_role_names_primary_and_standby(cluster: Cluster) -> None:
    for server, role in ((cluster.primary, "primary"), (cluster.standbys[0], "standby")):
        done = _run([str(BIN / "heliosdb-health-check"), "--host", server.host, "--port", str(server.port),
                     "--role"])
        assert (done.returncode, done.stdout, done.stderr) == (0, f"{role}\n", "")


def test_promote_command_refuses_a_primary(cluster: Cluster) -> None:
    done = _run([sys.executable, "-m", "heliosdb_lite.cli", "promote", "--port", str(cluster.primary.port)])
    assert done.returncode == 1
    assert "the server is not in standby mode (SQLSTATE 55000)" in done.stderr


def test_promote_command_promotes_a_standby(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="async")) as pair:
        standby = pair.standbys[0]
        with connect(pair.primary) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY)")
            primary.execute("INSERT INTO t VALUES (1)")
        wait_caught_up(pair.primary, standby)
        done = _run([sys.executable, "-m", "heliosdb_lite.cli", "promote", "--port", str(standby.port)])
        assert (done.returncode, done.stderr) == (0, "")
        # the first primary writes epoch 0, its first promoted standby epoch 1
        assert done.stdout == f"promoted: 127.0.0.1:{standby.port} is the primary of epoch 1\n"
        with connect(standby) as promoted:
            promoted.execute("INSERT INTO t VALUES (2)")
            assert promoted.execute("SELECT count(*) FROM t").fetchone() == (2,)
        health = _run([str(BIN / "heliosdb-health-check"), "--port", str(standby.port), "--role"])
        assert health.stdout == "primary\n"


