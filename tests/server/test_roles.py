"""CREATE / ALTER / DROP ROLE and USER over the server's users file: PostgreSQL's answers and errors
(these tests pass against PostgreSQL 15 too, HELIOSDB_CLIENT_TESTS_TARGET=postgres), transactional
changes, password_encryption and libpq's encrypt_password / change_password; then, HeliosDB-only,
roles created with SQL log in with their passwords (md5 and SCRAM verifiers, the md5 method) after
a SIGKILL and a restart, and a NOLOGIN role is refused; a crash between the role's journal entry
and its users-file write (or its store commit) leaves the role there exactly once: recovery applies
it from the journal, and never over an offline `user add` made after it reached the file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg8000.native
import psycopg
import pytest

from heliosdb_lite.fault_points import ENVIRONMENT_VARIABLE, FAULT_EXIT
from tests.server.cancelling import start
from tests.server.conftest import Target
from tests.server.credentials import add_user
from testsupport.server_process import ServerProcess

TIMEOUT = 10


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True, connect_timeout=TIMEOUT) as connection:
        yield connection


def outcome(connection: psycopg.Connection[Any], sql: str) -> tuple[str | None, str | None]:
    """(status, None) or (None, "SQLSTATE message")."""
    try:
        return connection.execute(sql).statusmessage, None
    except psycopg.Error as error:
        return None, f"{error.sqlstate} {error.diag.message_primary}"


def test_create_alter_drop_and_their_errors(conn: psycopg.Connection[Any]) -> None:
    notices: list[str] = []
    conn.add_notice_handler(lambda diagnostic: notices.append(str(diagnostic.message_primary)))
    steps = [
        "create user x_role_a with password 'secret'",
        "create user x_role_a",
        "create role x_role_b nologin",
        'create role """q\'"',
        "alter user x_role_a with password null",
        "alter role x_role_b login password 'p'",
        "alter role x_role_none password 'p'",
        "create role public",
        'create role "pg_x"',
        "drop role x_role_none",
        "drop role if exists x_role_none",
        'drop user x_role_a, x_role_b, """q\'"',
        "drop role x_role_a",
    ]
    assert [outcome(conn, sql) for sql in steps] == [
        ("CREATE ROLE", None),
        (None, '42710 role "x_role_a" already exists'),
        ("CREATE ROLE", None),
        ("CREATE ROLE", None),
        ("ALTER ROLE", None),
        ("ALTER ROLE", None),
        (None, '42704 role "x_role_none" does not exist'),
        (None, '42939 role name "public" is reserved'),
        (None, '42939 role name "pg_x" is reserved'),
        (None, '42704 role "x_role_none" does not exist'),
        ("DROP ROLE", None),
        ("DROP ROLE", None),
        (None, '42704 role "x_role_a" does not exist'),
    ]
    assert notices == ['role "x_role_none" does not exist, skipping']


def test_roles_in_pg_roles_and_pg_user(conn: psycopg.Connection[Any]) -> None:
    conn.execute("create user x_role_in_catalog")
    conn.execute("create role x_role_no_login")
    try:
        assert conn.execute("select rolname, rolcanlogin from pg_roles where rolname like 'x_role%' "
                            "order by rolname").fetchall() == [("x_role_in_catalog", True),
                                                               ("x_role_no_login", False)]
        assert conn.execute("select usename from pg_user where usename like 'x_role%'").fetchall() == \
            [("x_role_in_catalog",)]
    finally:
        conn.execute("drop role x_role_in_catalog, x_role_no_login")
    assert conn.execute("select count(*) from pg_roles where rolname like 'x_role%'").fetchone() == (0,)


def test_a_role_name_the_users_file_cannot_hold_is_refused(conn: psycopg.Connection[Any],
                                                            target: Target) -> None:
    target.skip_unless_heliosdb("PostgreSQL takes control characters in a quoted name")
    assert outcome(conn, 'create role "x\x01"')[1] == "42602 user name 'x\\x01' contains control characters"
    assert outcome(conn, "select 1") == ("SELECT 1", None)


def test_role_changes_follow_the_transaction(conn: psycopg.Connection[Any]) -> None:
    for sql in ("begin", "create role x_role_tx", "savepoint s", "create role x_role_sp", "rollback to s"):
        conn.execute(sql)
    assert outcome(conn, "create role x_role_tx") == (None, '42710 role "x_role_tx" already exists')
    conn.execute("rollback")
    assert outcome(conn, "drop role x_role_tx") == (None, '42704 role "x_role_tx" does not exist')
    conn.execute("begin")
    conn.execute("create role x_role_kept")
    conn.execute("commit")
    assert outcome(conn, "drop role x_role_kept") == ("DROP ROLE", None)


def test_a_role_created_by_two_transactions_at_once_exists_once(target: Target) -> None:
    """The second CREATE ROLE of one name waits for the first transaction and fails once it commits,
    instead of overwriting the role at its own commit: 42710 here (its check runs after the wait),
    23505 in PostgreSQL (pg_authid's unique index finds the committed row)."""
    with psycopg.connect(target.dsn, connect_timeout=TIMEOUT) as first, \
            psycopg.connect(target.dsn, autocommit=True, connect_timeout=TIMEOUT) as second:
        first.execute("create role x_role_twice login password 'first'")
        running = start(second, "create role x_role_twice")
        first.commit()
        running.worker.join(TIMEOUT)
        assert not running.worker.is_alive()
        [error] = running.outcome
        assert isinstance(error, psycopg.errors.DuplicateObject | psycopg.errors.UniqueViolation)
        try:
            assert second.execute("select rolcanlogin from pg_roles where rolname = 'x_role_twice'"
                                  ).fetchall() == [(True,)]
        finally:
            second.execute("drop role x_role_twice")


def test_password_encryption_and_libpq_password_calls(conn: psycopg.Connection[Any]) -> None:
    conn.execute("set password_encryption to 'md5'")
    assert conn.execute("show password_encryption").fetchone() == ("md5",)
    assert conn.pgconn.encrypt_password(b"psycopg2", b"ashesh") == b"md594839d658c28a357126f105b9cb14cfc"
    conn.execute("set password_encryption to 'scram-sha-256'")
    assert conn.pgconn.encrypt_password(b"psycopg2", b"ashesh").startswith(b"SCRAM-SHA-256$")
    assert outcome(conn, "set password_encryption to 'des'")[1] == \
        '22023 invalid value for parameter "password_encryption": "des"'
    with pytest.raises(psycopg.OperationalError, match='role "x_role_nobody" does not exist'):
        conn.pgconn.change_password(b"x_role_nobody", b"psycopg")


def test_pg8000_create_user_with_a_password(native: pg8000.native.Connection) -> None:
    native.run("create user x_role_boltzmann with password 'cha\uff6fs';")
    native.run("drop role x_role_boltzmann")
    assert native.run("select 1") == [[1]]


def login(server: ServerProcess, user: str, password: str) -> psycopg.Connection[Any]:
    return psycopg.connect(host=server.host, port=server.port, user=user, password=password,
                           dbname="postgres", autocommit=True, connect_timeout=TIMEOUT)


def _journaled_roles(journal: Path) -> list[dict[str, Any]]:
    """The role changes `heliosdb-lite journal dump --json` lists (verifiers never among them)."""
    done = subprocess.run([sys.executable, "-m", "heliosdb_lite.cli", "journal", "dump", "--json",
                           "--journal", str(journal)], capture_output=True, text=True, timeout=60, check=True)
    assert "SCRAM-SHA-256$" not in done.stdout
    return [role for line in done.stdout.splitlines() for role in json.loads(line).get("roles", [])]


def test_role_created_by_sql_logs_in_after_a_restart(tmp_path: Path, target: Target) -> None:
    target.skip_unless_heliosdb("the users file of a server started here")
    users_file = tmp_path / "users.toml"
    add_user(users_file, "postgres", "admin password")
    args = ["--auth-method", "md5", "--users-file", str(users_file)]
    server = ServerProcess(tmp_path / "data", args=args).start()
    try:
        with login(server, "postgres", "admin password") as admin:
            admin.execute("create user x_role_scram with password 'scram password'")
            admin.execute("set password_encryption = 'md5'")
            admin.execute("create user x_role_md5 with password 'md5 password'")
            admin.execute("create role x_role_closed password 'closed'")
        server.kill()
        server = ServerProcess(tmp_path / "data", args=args).start()
        for user, password in (("x_role_md5", "md5 password"), ("x_role_scram", "scram password")):
            with login(server, user, password) as connection:
                assert connection.execute("select current_user").fetchone() == (user,)
        with pytest.raises(psycopg.OperationalError, match='role "x_role_closed" is not permitted to log in'):
            login(server, "x_role_closed", "closed")
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            login(server, "x_role_md5", "wrong")
    finally:
        server.stop()


@pytest.mark.parametrize("point", ["journal_appended", "roles_applied"])
def test_a_crash_in_create_role_commits_it_exactly_once(tmp_path: Path, target: Target, point: str) -> None:
    """`journal_appended`: the entry is written, the users file and the store are not: recovery
    applies it. `roles_applied`: the users file has it, the store not: recovery redoes the entry but
    not its role change, so an offline `user add` of the role after the crash stays."""
    target.skip_unless_heliosdb("the users file of a server started here")
    users_file = tmp_path / "users.toml"
    add_user(users_file, "postgres", "admin password")
    args = ["--auth-method", "scram-sha-256", "--users-file", str(users_file)]
    server = ServerProcess(tmp_path / "data", args=args, env={ENVIRONMENT_VARIABLE: point}).start()
    try:
        with login(server, "postgres", "admin password") as admin, pytest.raises(psycopg.OperationalError):
            admin.execute("create user x_role_crash with password 'sql password'")
        assert server.process is not None and server.process.wait(timeout=TIMEOUT) == FAULT_EXIT
        assert _journaled_roles(tmp_path / "data" / "journal") == [
            {"action": "create", "name": "x_role_crash", "login": True, "password_set": True}]
        if point == "roles_applied":
            add_user(users_file, "x_role_crash", "offline password")
        server = ServerProcess(tmp_path / "data", args=args).start()
        password, wrong = ("sql password", "offline password") if point == "journal_appended" else \
            ("offline password", "sql password")
        with login(server, "x_role_crash", password) as connection:
            assert connection.execute("select count(*) from pg_roles where rolname = 'x_role_crash'"
                                      ).fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            login(server, "x_role_crash", wrong)
    finally:
        server.stop()


def test_a_users_file_that_cannot_be_written_refuses_role_changes(tmp_path: Path, target: Target) -> None:
    """A read-only users file (docker/compose.yml mounts it so) refuses CREATE ROLE before anything is
    journaled (55000), and the server goes on: a change journaled and then not writable would stop
    it. /proc refuses a new file even to root."""
    target.skip_unless_heliosdb("the users file of a server started here")
    server = ServerProcess(tmp_path / "data", args=["--users-file", "/proc/heliosdb-users.toml"]).start()
    try:
        with psycopg.connect(server.dsn, autocommit=True, connect_timeout=TIMEOUT) as connection:
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="cannot be written"):
                connection.execute("create role x_role_nowhere")
            assert connection.execute("select count(*) from pg_roles where rolname = 'x_role_nowhere'"
                                      ).fetchone() == (0,)
    finally:
        server.stop()
    assert _journaled_roles(tmp_path / "data" / "journal") == []
