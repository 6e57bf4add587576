"""CREATE DATABASE and DROP DATABASE (server/databases.py): a database is a store of its own with its
own journal, listed in pg_database and connected to by name. Against the shared server and, for the
statements' answers (SQLSTATE, message, notices), the same script against the reference PostgreSQL
15; a server of its own for what survives a restart and a SIGKILL, and for the refusal under
replication."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import pytest

from tests.server.conftest import DRIVER_TIMEOUT, Target
from testsupport.server_process import ServerProcess


def connect(host: str, port: int, database: str = "postgres") -> psycopg.Connection[Any]:
    return psycopg.connect(host=host, port=port, user="postgres", dbname=database, autocommit=True,
                           connect_timeout=int(DRIVER_TIMEOUT))


def outcome(connection: psycopg.Connection[Any], sql: str) -> tuple[Any, ...]:
    """(status message or SQLSTATE, error message, notices) of `sql`."""
    notices: list[str] = []
    connection.add_notice_handler(lambda diagnostic: notices.append(str(diagnostic.message_primary)))
    try:
        cursor = connection.execute(sql)
    except psycopg.Error as error:
        return error.sqlstate, error.diag.message_primary, notices
    return cursor.statusmessage, None, notices


@pytest.fixture
def name() -> str:
    return f"db_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def reference_target(reference_pg: str) -> Target:
    params = psycopg.conninfo.conninfo_to_dict(reference_pg)
    return Target(str(params["host"]), int(str(params["port"])), is_reference_postgres=True)


@pytest.fixture
def heliosdb_target(shared_server: ServerProcess) -> Target:
    return Target(shared_server.host, shared_server.port)


def script(name: str) -> list[str]:
    return [
        f"create database {name}",
        f"create database {name}",
        f"drop database if exists {name}_none",
        f"drop database {name}_none",
        "drop database postgres",
        "begin",
        f"create database {name}_block",
        "rollback",
        f"drop database {name}",
        f"drop database if exists {name}",
    ]


def test_same_answers_as_postgresql(heliosdb_target: Target, reference_target: Target, name: str) -> None:
    with connect(heliosdb_target.host, heliosdb_target.port) as ours, \
            connect(reference_target.host, reference_target.port) as theirs:
        for sql in script(name):
            assert outcome(ours, sql) == outcome(theirs, sql), sql


def test_a_database_of_its_own(heliosdb_target: Target, name: str) -> None:
    host, port = heliosdb_target.host, heliosdb_target.port
    with connect(host, port) as main:
        main.execute("create table only_in_postgres (a int)")
        main.execute(f"create database {name}")
        listed = main.execute("select datname from pg_database where datname = %s", (name,)).fetchall()
        assert listed == [(name,)]
        with connect(host, port, name) as other:
            assert other.execute("select current_database()").fetchone() == (name,)
            assert other.execute("select count(*) from pg_class where relname = 'only_in_postgres'"
                                 ).fetchone() == (0,)
            other.execute("create table only_in_postgres (b text)")
            other.execute("insert into only_in_postgres values ('theirs')")
            other.execute("begin")
            other.execute("insert into only_in_postgres values ('a second writer')")
            main.execute("insert into only_in_postgres values (1)")  # not blocked: a writer slot each
            other.execute("commit")
            assert other.execute("select b from only_in_postgres").fetchall() == \
                [("theirs",), ("a second writer",)]
            with pytest.raises(psycopg.errors.ObjectInUse) as busy:
                main.execute(f"drop database {name}")
            assert busy.value.diag.message_detail == "There is 1 other session using the database."
            with pytest.raises(psycopg.errors.ObjectInUse, match="currently open database"):
                other.execute(f"drop database {name}")
        assert main.execute("select a from only_in_postgres").fetchall() == [(1,)]
        main.execute(f"drop database {name}")
        assert main.execute("select count(*) from pg_database where datname = %s", (name,)).fetchone() == (0,)
    with pytest.raises(psycopg.OperationalError, match=f'database "{name}" does not exist'):
        connect(host, port, name)


async def test_asyncpg_introspection_in_a_created_database(heliosdb_target: Target, name: str) -> None:
    """asyncpg's test_introspection: its setup creates a database, a test connects to it."""
    admin = await asyncpg.connect(host=heliosdb_target.host, port=heliosdb_target.port, user="postgres",
                                  database="postgres", timeout=DRIVER_TIMEOUT)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        other = await asyncpg.connect(host=heliosdb_target.host, port=heliosdb_target.port, user="postgres",
                                      database=name, timeout=DRIVER_TIMEOUT)
        try:
            assert await other.fetchval("SELECT $1::int[]", [1, 2]) == [1, 2]
        finally:
            await other.close()
        await admin.execute(f"DROP DATABASE {name}")
    finally:
        await admin.close()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "data").start()
    try:
        yield server
    finally:
        server.stop()


def test_committed_rows_survive_sigkill_and_a_half_made_database_goes(own_server: ServerProcess,
                                                                       tmp_path: Path) -> None:
    with connect(own_server.host, own_server.port) as main:
        main.execute("create database kept")
    with connect(own_server.host, own_server.port, "kept") as kept:
        kept.execute("create table t (a int)")
        kept.execute("insert into t select generate_series(1, 100)")
    journal = tmp_path / "data" / "databases" / "kept" / "journal"
    assert any(journal.iterdir())
    half_made = tmp_path / "data" / "databases" / ".new-half"
    half_made.mkdir()
    own_server.kill()
    own_server.start()
    assert not half_made.exists()
    with connect(own_server.host, own_server.port, "kept") as kept:
        assert kept.execute("select count(*), sum(a) from t").fetchone() == (100, 5050)
    with connect(own_server.host, own_server.port) as main:
        assert main.execute("select count(*) from pg_database where datname like '%half%'").fetchone() == (0,)


def test_refused_when_replication_would_not_carry_it(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", env={"HELIOSDB_REPLICATION_REPLICATE_JOURNAL": "true"}).start()
    try:
        with connect(server.host, server.port) as main, \
                pytest.raises(psycopg.errors.FeatureNotSupported, match="with replication"):
            main.execute("create database nowhere")
    finally:
        server.stop()


def test_refusals_name_what_is_refused(heliosdb_target: Target, name: str) -> None:
    with connect(heliosdb_target.host, heliosdb_target.port) as main:
        for sql, message in [
            (f"create database {name} encoding latin1", "ENCODING latin1"),
            (f"create database {name} with template = mydb", "TEMPLATE mydb"),
            (f"create database {name} tablespace x", "option TABLESPACE"),
            (f"create database {name} owner someone", "OWNER another role"),
            (f"drop database {name} with (force)", "FORCE"),
            ('create database "a b"', 'database name "a b"'),
            ("drop database template1", "template"),
        ]:
            with pytest.raises(psycopg.Error) as refused:
                main.execute(sql)
            assert (refused.value.sqlstate, message in str(refused.value)) == ("0A000", True), sql
        main.execute(f"create database {name} with owner postgres template template0 encoding 'UTF8'")
        main.execute(f"drop database {name}")
