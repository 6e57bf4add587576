"""Constraints SQLite checks at COMMIT never reach the journal: a deferred foreign key violated at
COMMIT is 23503 and a rollback, as on PostgreSQL 15, the server and other sessions untouched; a
SIGKILL and restart, and a restore from the journal, never produce a store that fails
`foreign_key_check`. Deferrable kinds SQLite cannot defer (UNIQUE, PRIMARY KEY, keys added by
ALTER TABLE) are refused with 0A000 instead of being checked at the wrong time."""

from __future__ import annotations

from pathlib import Path

import apsw
import psycopg
import pytest

from heliosdb_lite.replay.restore import restore
from testsupport.server_process import ServerProcess

SCHEMA = [
    "create table selfref (x serial primary key, y int references selfref(x) deferrable initially deferred)",
    "create table parent (id int primary key, code text unique)",
    "create table by_column (id int constraint by_column_named references parent(id) "
    "deferrable initially deferred)",
    "create table by_table (id int, code text, foreign key (code) references parent(code) "
    "deferrable initially deferred)",
    "create table by_table_named (a int, b int, constraint two_keys foreign key (a) references parent(id) "
    "deferrable initially deferred)",
    "create table deferrable_immediate (id int references parent(id) deferrable initially immediate)",
    "create table immediate (id int references parent(id))",
    "create table mixed (deferred_id int references parent(id) deferrable initially deferred, "
    "immediate_id int references parent(id))",
]

# (statements of one transaction, then the COMMIT's 23503 message and detail)
VIOLATED_AT_COMMIT = [
    (["insert into selfref(y) values (-1)"],
     'insert or update on table "selfref" violates foreign key constraint "selfref_y_fkey"',
     'Key (y)=(-1) is not present in table "selfref".'),
    (["insert into by_column values (5)"],
     'insert or update on table "by_column" violates foreign key constraint "by_column_named"',
     'Key (id)=(5) is not present in table "parent".'),
    (["insert into by_table values (1, 'nope')"],
     'insert or update on table "by_table" violates foreign key constraint "by_table_code_fkey"',
     'Key (code)=(nope) is not present in table "parent".'),
    (["insert into by_table_named values (7, 0)"],
     'insert or update on table "by_table_named" violates foreign key constraint "two_keys"',
     'Key (a)=(7) is not present in table "parent".'),
    (["insert into mixed values (8, null)"],
     'insert or update on table "mixed" violates foreign key constraint "mixed_deferred_id_fkey"',
     'Key (deferred_id)=(8) is not present in table "parent".'),
    (["set constraints all deferred", "insert into deferrable_immediate values (9)"],
     'insert or update on table "deferrable_immediate" violates foreign key constraint '
     '"deferrable_immediate_id_fkey"', 'Key (id)=(9) is not present in table "parent".'),
]

RESOLVED_BEFORE_COMMIT = [
    ["insert into by_column values (20)", "insert into parent values (20, 'twenty')"],
    ["insert into mixed values (21, null)", "insert into parent values (21, 'x21')",
     "insert into mixed values (21, 21)"],
    ["set constraints all deferred", "insert into deferrable_immediate values (22)",
     "insert into parent values (22, 'x22')"],
    ["insert into selfref(y) values (null)", "insert into selfref(y) values (1)"],
]


def _store_violations(store: Path) -> list[tuple[object, ...]]:
    connection = apsw.Connection(str(store), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()


@pytest.fixture
def prepared(tmp_path: Path) -> ServerProcess:
    server = ServerProcess(tmp_path / "data").start()
    with psycopg.connect(server.dsn, autocommit=True) as connection:
        for statement in SCHEMA:
            connection.execute(statement)
    return server


def test_deferred_violations_fail_at_commit_and_leave_the_server_up(prepared: ServerProcess,
                                                                    tmp_path: Path) -> None:
    server = prepared
    try:
        with psycopg.connect(server.dsn, autocommit=True) as bystander, \
                psycopg.connect(server.dsn, autocommit=True) as connection:
            bystander.execute("insert into parent values (1, 'one')")
            for statements, message, detail in VIOLATED_AT_COMMIT:
                connection.execute("begin")
                for statement in statements:
                    connection.execute(statement)
                with pytest.raises(psycopg.errors.ForeignKeyViolation) as raised:
                    connection.execute("commit")
                diagnostics = raised.value.diag
                assert (diagnostics.message_primary, diagnostics.message_detail) == (message, detail)
                assert connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
                assert connection.execute("select 1").fetchone() == (1,)
            for statements in RESOLVED_BEFORE_COMMIT:
                with connection.transaction():
                    for statement in statements:
                        connection.execute(statement)
            assert bystander.execute("select count(*) from parent").fetchone() == (4,)
            assert server.process is not None and server.process.poll() is None
            counts = [connection.execute(f"select count(*) from {table}").fetchone()
                      for table in ("selfref", "by_column", "by_table", "by_table_named", "mixed",
                                    "deferrable_immediate")]
            assert counts == [(2,), (1,), (0,), (0,), (2,), (1,)]
            with pytest.raises(psycopg.errors.ForeignKeyViolation):  # immediate keys fail at their statement
                connection.execute("insert into mixed values (null, 99)")
        server.kill()
        server.start()
        with psycopg.connect(server.dsn, autocommit=True) as connection:
            assert connection.execute("select count(*) from mixed").fetchone() == (2,)
    finally:
        server.stop()
    assert _store_violations(tmp_path / "data" / "store.db") == []
    restore(tmp_path / "data" / "journal", tmp_path / "restored", show_progress=False)
    assert _store_violations(tmp_path / "restored" / "store.db") == []


def test_set_constraints(prepared: ServerProcess) -> None:
    server = prepared
    try:
        with psycopg.connect(server.dsn, autocommit=True) as connection:
            connection.execute("set constraints all deferred")  # outside a block: a warning, no effect
            connection.execute("begin")
            connection.execute("insert into by_column values (30)")
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                connection.execute("set constraints all immediate")  # the pending violation, now
            assert connection.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
            connection.execute("rollback")
            with pytest.raises(psycopg.errors.FeatureNotSupported):
                connection.execute("set constraints by_column_named deferred")
            with pytest.raises(psycopg.errors.SyntaxError):
                connection.execute("set constraints all later")
            assert connection.execute("select count(*) from by_column").fetchone() == (0,)
    finally:
        server.stop()


@pytest.mark.parametrize("statement", [
    "create table u1 (a int unique deferrable initially deferred)",
    "create table u2 (a int primary key deferrable)",
    "create table u3 (a int, unique (a) deferrable)",
    "create table u4 (a int, primary key (a) deferrable initially deferred)",
    "alter table immediate add foreign key (id) references parent(id) deferrable initially deferred",
])
def test_constraints_sqlite_cannot_defer_are_refused(shared_server: ServerProcess, statement: str) -> None:
    with psycopg.connect(shared_server.dsn, autocommit=True) as connection:
        connection.execute("create table if not exists parent (id int primary key)")
        connection.execute("create table if not exists immediate (id int references parent(id))")
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            connection.execute(statement)
