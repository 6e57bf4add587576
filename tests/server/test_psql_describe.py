"""psql 15's describe commands over schemas (`\\dn`, `\\dn+`, `\\dt`, `\\dt s.*`, `\\d s.t`, `\\d+`,
`\\di`, `\\dv`, `\\ds`, `\\d` on a view, a sequence and an index, an ALWAYS identity column, a table
whose defaults and NOT NULL were changed by ALTER TABLE) print on
HeliosDB-Lite what they print on PostgreSQL 15 for the same schema: both servers run the same DDL,
then each command, and their outputs are compared line by line (trailing blanks aside). Not
compared: `\\d+` on a view, whose definition PostgreSQL prints deparsed (here: as stored).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.server.psql_client import run_psql
from tests.server_process import ServerProcess

DDL = """\
create schema s;
create table s.t(id serial primary key, a text not null default 'x', b varchar(10) unique);
create index t_a_idx on s.t(a);
create table s.u(id int primary key, t_id int references s.t(id));
create view s.v as select id, count(*) as n from s.t group by id;
create sequence s.q;
create table t(id int generated always as identity primary key, note varchar(20), amount numeric(8,2));
create view pv as select id, note from t;
create schema "Mixed Case";
create table "Mixed Case"."Tab"(x int primary key, "Y" text, z bigserial);
create index "Tab_Y_idx" on "Mixed Case"."Tab"("Y");
create table keyless(a int, b serial);
create table altered(a int, b int default 1);
alter table altered alter column b set default 42;
alter table altered add column c int;
alter table altered alter column c set not null;
alter table altered add column d serial;
alter table altered add column e text default 'x';
alter table altered alter column e drop default;
"""
# the reference server is shared by the whole test session: these objects live in their own database
DATABASE = "psql_describe"


@pytest.fixture(scope="module")
def heliosdb(shared_server: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    done = psql(shared_server.host, shared_server.port, tmp_path_factory.mktemp("ddl"), DDL)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return shared_server.host, shared_server.port


@pytest.fixture(scope="module")
def postgres(reference_pg: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    with psycopg.connect(reference_pg, autocommit=True) as admin:
        admin.execute(f"drop database if exists {DATABASE}")
        admin.execute(f"create database {DATABASE}")
    host, port = _host_port(reference_pg)
    done = psql(host, port, tmp_path_factory.mktemp("ddl"), DDL)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return host, port


def _host_port(dsn: str) -> tuple[str, int]:
    fields = dict(item.split("=", 1) for item in dsn.split())
    return fields["host"], int(fields["port"])


def psql(host: str, port: int, directory: Path, script: str) -> subprocess.CompletedProcess[str]:
    """psql on `script` in database DATABASE (the one line `\\c` prints is output on both servers)."""
    path = directory / "script.sql"
    path.write_text(f"\\c {DATABASE}\n{script}")
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
    r"\d s.q",
    r"\d s.t_id_seq",
    r"\d s.t_a_idx",
    r"\di",
    r"\dn+",
    r"\d",
    r"\d keyless",
    r"\d altered",
    r'\dt "Mixed Case".*',
    r'\d "Mixed Case"."Tab"',
    'set search_path = "Mixed Case", public;\n\\dt\n\\d "Tab"\n\\ds',
    "set search_path = s, public;\n\\dt",
    "set search_path = s, public;\n\\d t",
    "set search_path = s;\n\\d s.u",
])
def test_same_output_as_postgresql(heliosdb: tuple[str, int], postgres: tuple[str, int], tmp_path: Path,
                                   commands: str) -> None:
    ours = psql(*heliosdb, tmp_path, commands + "\n")
    theirs = psql(*postgres, tmp_path, commands + "\n")
    assert theirs.returncode == 0, theirs.stderr
    assert lines(ours) == lines(theirs)
