"""psql 15's describe commands over schemas (`\\dn`, `\\dt`, `\\dt s.*`, `\\d s.t`, `\\d+`, `\\di`,
`\\dv`, `\\ds`, `\\d` on a view, an ALWAYS identity column) print on HeliosDB-Lite what they print on
PostgreSQL 15 for the same schema: both servers run, and their outputs are compared line by line
(trailing blanks aside).

The same objects are made on both: on PostgreSQL by `POSTGRES_DDL`; on HeliosDB-Lite through
`STORAGE_SQL`, the SQLite objects schemas.py's naming rule stores them as (`s.t` is the table
"s.t"), written to the data directory before the server starts.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from heliosdb_lite.engine.passthrough import SQLiteEngine
from tests.server.psql_client import run_psql
from tests.server_process import ServerProcess

POSTGRES_DDL = """\
create schema s;
create table s.t(id serial primary key, a text not null default 'x', b varchar(10) unique);
create index t_a_idx on s.t(a);
create table s.u(id int primary key, t_id int references s.t(id));
create view s.v as select id, count(*) as n from s.t group by id;
create sequence s.q;
create table t(id int generated always as identity primary key, note varchar(20), amount numeric(8,2));
create view pv as select id, note from t;
"""

STORAGE_SQL = (
    "CREATE TABLE _helios_schemas (name TEXT PRIMARY KEY, owner TEXT)",
    "INSERT INTO _helios_schemas VALUES ('s', 'postgres')",
    "CREATE TABLE IF NOT EXISTS _helios_sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO _helios_sequences VALUES ('s.q', 0)",
    "CREATE TABLE IF NOT EXISTS _helios_view_columns (view TEXT, position INTEGER, oid INTEGER, "
    "typmod INTEGER, PRIMARY KEY (view, position))",
    """CREATE TABLE "s.t" ("id" integer PRIMARY KEY AUTOINCREMENT, "a" text NOT NULL DEFAULT ('x'), """
    """"b" varchar(10) UNIQUE)""",
    """CREATE INDEX "s.t_a_idx" ON "s.t" (a)""",
    """CREATE TABLE "s.u" ("id" int4 PRIMARY KEY NOT NULL, "t_id" int4 REFERENCES "s.t" ("id"))""",
    """CREATE VIEW "s.v" AS SELECT id, COUNT(*) AS n FROM "s.t" GROUP BY id""",
    "INSERT INTO _helios_view_columns VALUES ('s.v', 0, 23, -1), ('s.v', 1, 20, -1)",
    """CREATE TABLE "t" ("id" integer PRIMARY KEY AUTOINCREMENT DEFAULT (NULL /* generated always as """
    """identity */), "note" varchar(20), "amount" numeric(8,2))""",
    """CREATE VIEW "pv" AS SELECT id, note FROM t""",
    "INSERT INTO _helios_view_columns VALUES ('pv', 0, 23, -1), ('pv', 1, 1043, 24)",
)


def write_storage(data_dir: Path) -> None:
    """Make the schema's SQLite objects in a data directory no server is using."""
    engine = SQLiteEngine(data_dir)
    try:
        session = engine.open_session("postgres", "postgres", {})
        for statement in STORAGE_SQL:
            session._connection.execute(statement)
        session.close()
    finally:
        engine.close()


@pytest.fixture(scope="module")
def heliosdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir = tmp_path_factory.mktemp("describe") / "data"
    write_storage(data_dir)
    server = ServerProcess(data_dir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def postgres(reference_pg: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    host, port = _host_port(reference_pg)
    done = psql(host, port, tmp_path_factory.mktemp("ddl"), POSTGRES_DDL)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return host, port


def _host_port(dsn: str) -> tuple[str, int]:
    fields = dict(item.split("=", 1) for item in dsn.split())
    return fields["host"], int(fields["port"])


def psql(host: str, port: int, directory: Path, script: str) -> subprocess.CompletedProcess[str]:
    path = directory / "script.sql"
    path.write_text(script)
    return run_psql(host, port, path)


def lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]


@pytest.mark.parametrize("commands", [
    r"\dn",
    r"\dt",
    r"\dt s.*",
    r"\d s.t",
    r"\d s.u",
    r"\d t",
    r"\d+ t",
    r"\d+ s.t",
    r"\di s.*",
    r"\dv s.*",
    r"\ds s.*",
    r"\dtvs",
    r"\d s.v",
    r"\d pv",
    "set search_path = s, public;\n\\dt",
    "set search_path = s, public;\n\\d t",
    "set search_path = s;\n\\d s.u",
])
def test_same_output_as_postgresql(heliosdb: ServerProcess, postgres: tuple[str, int], tmp_path: Path,
                                   commands: str) -> None:
    ours = psql(heliosdb.host, heliosdb.port, tmp_path, commands + "\n")
    theirs = psql(*postgres, tmp_path, commands + "\n")
    assert theirs.returncode == 0, theirs.stderr
    assert lines(ours) == lines(theirs)
