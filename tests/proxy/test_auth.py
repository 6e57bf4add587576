"""Authentication through the proxy: the client proves its password to the proxy with SCRAM, and the
proxy logs in to the server as the same user with the ClientKey that proof revealed (the proxy and
the server read the same users file, as PgBouncer's auth_file holds the server's SCRAM secrets)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.server.credentials import add_user
from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess


@pytest.fixture
def scram_server(tmp_path: Path) -> Iterator[ServerProcess]:
    users = tmp_path / "users.toml"
    add_user(users, "alice", "wonder land")
    process = ServerProcess(tmp_path / "data", args=["--auth-method", "scram-sha-256",
                                                     "--users-file", str(users)]).start()
    try:
        yield process
    finally:
        process.stop()


def _proxy(server: ServerProcess, tmp_path: Path, method: str) -> ProxyProcess:
    config = tmp_path / "proxy.toml"
    config.write_text(f'[proxy]\nauth_method = "{method}"\nusers_file = "{tmp_path / "users.toml"}"\n')
    return ProxyProcess([f"{server.host}:{server.port}"], config=config).start()


def test_scram_through_the_proxy(scram_server: ServerProcess, tmp_path: Path) -> None:
    proxy = _proxy(scram_server, tmp_path, "scram-sha-256")
    try:
        dsn = f"host={proxy.host} port={proxy.port} dbname=postgres user=alice"
        with psycopg.connect(dsn, password="wonder land") as connection:
            assert connection.execute("SELECT current_user").fetchone() == ("alice",)
        with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "alice"'):
            psycopg.connect(dsn, password="wrong")
        with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "bob"'):
            psycopg.connect(f"host={proxy.host} port={proxy.port} dbname=postgres user=bob", password="x")
    finally:
        proxy.stop()


def test_trust_proxy_cannot_log_in_to_a_scram_server(scram_server: ServerProcess, tmp_path: Path) -> None:
    proxy = _proxy(scram_server, tmp_path, "trust")
    try:
        with pytest.raises(psycopg.OperationalError, match="holds no SCRAM keys"):
            psycopg.connect(f"host={proxy.host} port={proxy.port} dbname=postgres user=alice")
    finally:
        proxy.stop()


def test_the_proxy_refuses_trust_on_a_network_address(tmp_path: Path) -> None:
    import subprocess
    import sys

    config = tmp_path / "proxy.toml"
    config.write_text('[proxy]\nlisten = "0.0.0.0"\n')
    done = subprocess.run([sys.executable, "-m", "heliosdb_lite.cli", "proxy", "--config", str(config)],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "proxy.auth_method: trust lets anyone" in done.stderr
