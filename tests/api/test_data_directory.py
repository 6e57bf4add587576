"""One data directory, two ways in: the embedded API and `heliosdb-lite serve` use the same format
and the same lock. A directory one holds is refused to the other with SQLSTATE 55006 naming the
holder; a directory the API wrote is served by the server, and the other way round."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

import heliosdb_lite as hdb
from testsupport.server_process import ServerProcess, free_port, run_server_until_exit

OBJECT_IN_USE = "55006"


def test_a_running_server_holds_its_directory(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        with pytest.raises(hdb.OperationalError) as refused:
            hdb.Database.open(tmp_path / "data")
        assert refused.value.sqlstate == OBJECT_IN_USE
        assert server.process is not None
        assert f"already open (pid {server.process.pid}: heliosdb-lite serve on port {server.port})" in str(
            refused.value)
        assert "hdb.Database.connect" in (refused.value.hint or "")
    finally:
        server.stop()
    with hdb.Database.open(tmp_path / "data") as db:  # released with the server
        assert db.query_one("SELECT 1") == (1,)


def test_an_open_database_holds_its_directory(tmp_path: Path) -> None:
    with hdb.Database.open(tmp_path / "data") as db:
        with pytest.raises(hdb.OperationalError) as refused:
            hdb.connect(tmp_path / "data")
        assert refused.value.sqlstate == OBJECT_IN_USE
        code, stderr = run_server_until_exit(tmp_path / "data", ["--port", str(free_port())])
        assert code == 1, stderr
        assert "is already open" in stderr and "embedded hdb.Database" in stderr
        assert "Traceback" not in stderr
        assert db.query_one("SELECT 2") == (2,)
    ServerProcess(tmp_path / "data").start().stop()  # released by close


def test_a_directory_moves_between_the_api_and_the_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with hdb.Database.open(data_dir) as db:
        db.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL, amount numeric(8,2))")
        db.execute("CREATE SEQUENCE tickets START 100")
        with db.transaction() as txn:
            txn.execute("INSERT INTO notes (body, amount) VALUES (?, ?), (?, ?)",
                        ("api one", 1.25, "api two", 2))
            assert txn.query_one("SELECT nextval('tickets')") == (100,)
    server = ServerProcess(data_dir).start()
    try:
        with psycopg.connect(server.dsn, autocommit=True) as connection:
            rows = connection.execute("SELECT id, body, amount::text FROM notes ORDER BY id").fetchall()
            assert rows == [(1, "api one", "1.25"), (2, "api two", "2.00")]
            connection.execute("INSERT INTO notes (body) VALUES ('server three')")
            assert connection.execute("SELECT nextval('tickets')").fetchone() == (101,)
    finally:
        assert server.terminate() == 0
    with hdb.Database.open(data_dir) as db:
        assert db.query("SELECT id, body FROM notes ORDER BY id") == [
            (1, "api one"), (2, "api two"), (3, "server three")]
        assert db.query_one("INSERT INTO notes (body) VALUES ('api four') RETURNING id") == (4,)
        assert db.query_one("SELECT nextval('tickets')") == (102,)
