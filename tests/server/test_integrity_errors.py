"""Integrity errors over the wire, the server beside a real PostgreSQL 15 (skipped without it): the
same SQLSTATE, message, DETAIL and schema, table, column and constraint fields (psycopg's `diag`) as
PostgreSQL's. 23503 for a foreign key SQLite enforces (declared in CREATE TABLE) and one ALTER TABLE
added (triggers), on an insert or update of the referencing row, a delete or re-keying of the
referenced row, a self-reference and a deferred key at COMMIT (`Key (x)=(1) is not present in table
"p".`), and the 42703 / 42704 / 42830 errors of a REFERENCES PostgreSQL cannot implement; 23505,
23502 and 23514 in a schema other than public (their fields; PostgreSQL's "Failing row contains"
DETAIL is not given)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.server.conftest import Connections

SETUP = [
    "create table fk_p (id int primary key, k text unique, born date unique)",
    "create table fk_c (id int, pid int references fk_p, pk text references fk_p (k), "
    "pborn date references fk_p (born))",
    "create table fk_d (x int, constraint fk_d_deferred foreign key (x) references fk_p "
    "deferrable initially deferred)",
    "create table fk_self (id int primary key, up int references fk_self)",
    "create table fk_added (a int, b text)",
    "alter table fk_added add constraint fk_added_to_p foreign key (a) references fk_p",
    "insert into fk_p values (1, 'a', '2024-02-29'), (2, 'b', null)",
    "insert into fk_c values (1, 1, 'a', '2024-02-29')",
    "insert into fk_self values (1, null), (2, 1)",
    "insert into fk_added values (2, 'x')",
    "create schema ix",
    "create table ix.u (id int primary key, k int unique, n int not null, v int check (v > 0), "
    "constraint named_chk check (k < 100))",
    "insert into ix.u values (1, 1, 1, 1)",
]

REFUSED = [
    "insert into fk_c values (2, 99, null, null)",
    "insert into fk_c values (2, null, 'zz', null)",
    "insert into fk_c values (2, null, null, '2001-01-01')",
    "insert into fk_c select 5, 77, null, null",
    "update fk_c set pid = 7",
    "delete from fk_p where id = 1",
    "update fk_p set id = 5 where id = 1",
    "update fk_p set k = 'q' where id = 1",
    "insert into fk_self values (3, 9)",
    "delete from fk_self where id = 1",
    "update fk_self set id = 10 where id = 1",
    "insert into fk_added values (42, 'y')",
    "update fk_added set a = 43",
    "delete from fk_p where id = 2",
    "update fk_p set id = 3 where id = 2",
    "insert into ix.u values (1, 2, 1, 1)",
    "insert into ix.u values (2, 1, 1, 1)",
    "insert into ix.u values (1, 5, 1, 1) on conflict (k) do nothing",
]

# PostgreSQL's DETAIL of these is the failing row, which the engine does not give
WITHOUT_DETAIL = [
    "insert into ix.u values (2, 2, null, 1)",
    "update ix.u set n = null",
    "insert into ix.u values (2, 2, 1, -1)",
    "insert into ix.u values (2, 200, 1, 1)",
]

REFUSED_DEFINITIONS = [
    # what PostgreSQL cannot implement
    "create table fk_bad1 (a int references fk_p (nothere))",
    "create table fk_bad2 (a int, b text, foreign key (a, b) references fk_p (id, k))",
    "create table fk_bad3 (a int, b int, foreign key (a, b) references fk_p (id))",
    "create table fk_bad4 (a int references fk_c)",
]


def _error(connection: psycopg.Connection[Any], sql: str) -> tuple[Any, ...]:
    with pytest.raises(psycopg.Error) as raised:
        connection.execute(sql)
    diag = raised.value.diag
    return (diag.sqlstate, diag.message_primary, diag.message_detail, diag.schema_name, diag.table_name,
            diag.column_name, diag.constraint_name)


@pytest.fixture(scope="module")
def connections(connections: Connections) -> Connections:
    """conftest's (server, PostgreSQL) connections, with the tables and rows of SETUP."""
    for connection in connections:
        for sql in SETUP:
            connection.execute(sql)
    return connections


@pytest.mark.parametrize("sql", [*REFUSED, *REFUSED_DEFINITIONS])
def test_same_error_and_fields(connections: Connections, sql: str) -> None:
    ours, theirs = connections
    assert _error(ours, sql) == _error(theirs, sql)


@pytest.mark.parametrize("sql", WITHOUT_DETAIL)
def test_same_error_and_fields_but_detail(connections: Connections, sql: str) -> None:
    ours, theirs = connections
    ours_error, theirs_error = _error(ours, sql), _error(theirs, sql)
    assert ours_error[:2] + ours_error[3:] == theirs_error[:2] + theirs_error[3:]


def test_deferred_key_at_commit(connections: Connections) -> None:
    """A deferred key left unresolved fails the COMMIT naming it, with its key, on both."""
    errors = []
    for connection in connections:
        connection.execute("begin")
        connection.execute("insert into fk_d values (42)")
        errors.append(_error(connection, "commit"))
        assert connection.info.transaction_status.name == "IDLE"
    assert errors[0] == errors[1]
    assert errors[0][6] == "fk_d_deferred"


def test_rows_unchanged_after_refusals(connections: Connections) -> None:
    """The refused statements changed nothing (the engine's probe of the key rolled back)."""
    sql = "select (select count(*) from fk_c), (select count(*) from fk_p), (select count(*) from fk_self)"
    ours, theirs = (connection.execute(sql).fetchall() for connection in connections)
    assert ours == theirs
