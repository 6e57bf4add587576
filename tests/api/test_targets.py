"""What `connect` and `Database.open` make of their target: a DSN (URI or key=value, several hosts)
is remote, a Config, a TOML file or a directory is embedded; a URI reaches a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

import heliosdb_lite as hdb
from heliosdb_lite.api.targets import embedded_config, is_dsn
from heliosdb_lite.config import Config
from testsupport.server_process import ServerProcess


@pytest.mark.parametrize(("target", "remote"), [
    ("postgresql://app@db1,db2/app", True), ("postgres://localhost", True), ("POSTGRESQL://x", True),
    ("host=127.0.0.1 port=5432", True), (" dbname=app", True), ("/data/orders.db", False),
    ("orders.db", False), ("heliosdb.toml", False), (Path("x=y"), False),
])
def test_dsns_are_told_from_paths(target: str | Path, remote: bool) -> None:
    assert is_dsn(target) is remote


def test_embedded_targets(tmp_path: Path) -> None:
    toml = tmp_path / "app.toml"
    toml.write_text(f'[database]\npath = "{tmp_path / "from-file"}"\n', encoding="utf-8")
    assert embedded_config(toml).database.path == tmp_path / "from-file"
    assert embedded_config(tmp_path / "dir").database.path == tmp_path / "dir"
    config = Config.from_file(toml)
    assert embedded_config(config) is config
    with hdb.Database.open(config) as db:
        assert db.query_one("SELECT 1") == (1,)
    assert (tmp_path / "from-file" / "store.db").is_file()


def test_a_uri_connects_remotely(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        with hdb.connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres", autocommit=True) as db:
            assert db.execute("SELECT current_user").fetchone() == ("postgres",)
    finally:
        server.stop()
