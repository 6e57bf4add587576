"""A power loss and the users file (CREATE ROLE's changes are written to it, fsynced, right after the
journal append and before the journal's fsync): a role whose journal entry the power loss took is
gone after the restart and cannot log in; a role whose COMMIT was acknowledged, or whose
transaction the store kept (recovery writes it back into the journal), is there and logs in.

The machine (`tests.replay.machine`) runs the engine sessions and the commit protocol on lossy disks;
after the reboot a real server starts on the data directory, its start-up recovery settles the users
file, and clients log in over TCP with SCRAM."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from heliosdb_lite.server.users import UNSYNCED_ROLES_FILE, UsersFile
from tests.replay.lossy_vfs import LossyVFS
from tests.replay.machine import Machine
from tests.server.credentials import add_user
from testsupport.server_process import ServerProcess

ADMIN_PASSWORD = "admin password"
TIMEOUT = 10


def _machine(tmp_path: Path, vfs: LossyVFS) -> tuple[Machine, Path]:
    users_file = tmp_path / "users.toml"
    add_user(users_file, "postgres", ADMIN_PASSWORD)
    machine = Machine(tmp_path, vfs, users=UsersFile(users_file, tmp_path / "data" / UNSYNCED_ROLES_FILE))
    machine.transaction(0, ["CREATE TABLE t (id integer PRIMARY KEY)"])
    machine.transaction(0, ["CREATE USER x_acknowledged PASSWORD 'kept'"])
    return machine, users_file


def _server(tmp_path: Path, users_file: Path) -> ServerProcess:
    return ServerProcess(tmp_path / "data",
                         args=["--auth-method", "scram-sha-256", "--users-file", str(users_file)],
                         env={"HELIOSDB_TRANSACTION_REPLAY_JOURNAL_PATH": str(tmp_path / "journal")})


def _logs_in(server: ServerProcess, user: str, password: str) -> bool:
    try:
        with psycopg.connect(host=server.host, port=server.port, user=user, password=password,
                             dbname="postgres", connect_timeout=TIMEOUT) as connection:
            return connection.execute("select current_user").fetchone() == (user,)
    except psycopg.OperationalError as error:
        assert "password authentication failed" in str(error)
        return False


def _roles(server: ServerProcess) -> list[str]:
    with psycopg.connect(host=server.host, port=server.port, user="postgres", password=ADMIN_PASSWORD,
                         dbname="postgres", connect_timeout=TIMEOUT) as connection:
        return [name for (name,) in connection.execute(
            "select rolname from pg_roles where rolname like 'x\\_%' order by 1").fetchall()]


@pytest.mark.parametrize("keep_store", [0.0, 1.0])
def test_a_role_the_power_loss_took_from_the_journal(lossy_vfs: LossyVFS, tmp_path: Path,
                                                     keep_store: float) -> None:
    """keep_store 0: journal append and store COMMIT both lost, the role must go; 1: the store kept
    the COMMIT (the OS wrote its WAL back), recovery writes the entry back, the role stays."""
    machine, users_file = _machine(tmp_path, lossy_vfs)
    machine.stall_journal()  # the journal's fsync hangs until the power goes
    machine.transaction(1, ["CREATE USER x_unsynced PASSWORD 'lost'", "INSERT INTO t VALUES (1)"],
                        acknowledge=False)
    assert UsersFile(users_file).role("x_unsynced") is not None  # written before the journal's fsync
    machine.power.arm(0, keep_store=keep_store, keep_journal=0.0)
    machine.shut_down()
    server = _server(tmp_path, users_file).start()
    try:
        kept = keep_store == 1.0
        assert _logs_in(server, "x_acknowledged", "kept")
        assert _logs_in(server, "x_unsynced", "lost") is kept
        assert _roles(server) == (["x_acknowledged", "x_unsynced"] if kept else ["x_acknowledged"])
        with psycopg.connect(host=server.host, port=server.port, user="postgres", password=ADMIN_PASSWORD,
                             dbname="postgres", autocommit=True, connect_timeout=TIMEOUT) as connection:
            assert connection.execute("select count(*) from t").fetchone() == (int(kept),)
            connection.execute("create user x_after password 'after'")  # reuses the lost entry's LSN
        server.kill()
        server = _server(tmp_path, users_file).start()
        assert _logs_in(server, "x_after", "after")
        assert _logs_in(server, "x_unsynced", "lost") is kept
    finally:
        server.stop()
