"""Every built-in pg_proc and pg_operator row (`pg_catalog.builtins`) is true of the running server:
calling the function, aggregate or window function, or applying the operator, to NULLs of its
argument types succeeds and gives a column of its result type, and pg_typeof of it (the type the
translator gives it inside other expressions) names that type. And psql 15's `\\df sum` lists what
PostgreSQL 15 lists, less the signatures not implemented here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from heliosdb_lite.engine.pg_catalog.builtins import OPERATORS_ROWS, ROUTINES, Operator, Routine
from heliosdb_lite.protocol import codecs
from tests.server.psql_client import run_psql
from testsupport.server_process import ServerProcess


@pytest.fixture(scope="module")
def connection(shared_server: ServerProcess) -> Iterator[psycopg.Connection]:
    with psycopg.connect(shared_server.dsn, autocommit=True) as connection:
        yield connection


def _null(oid: int) -> str:
    return f"cast(null as {codecs.format_type(oid)})"


def _routine_call(routine: Routine) -> str:
    arguments = ", ".join(_null(oid) for oid in routine.arguments)
    if routine.kind == "w":
        return f"{routine.name}({arguments}) over ()"
    if routine.kind == "a":
        return f"{routine.name}({arguments or '*'})"
    return f"{routine.name}({arguments})"


def _operator_use(operator: Operator) -> str:
    left = f"{_null(operator.left)} " if operator.left else ""
    return f"({left}{operator.name} {_null(operator.right)})"


def _types(connection: psycopg.Connection, expression: str) -> tuple[int, str]:
    """The type OID of `expression`'s result column, and the type the translator gives it inside
    an expression (pg_typeof), for a row of one column."""
    cursor = connection.execute(f"select {expression}, pg_typeof({expression}) from (values (1)) as rows(x)")
    assert cursor.description is not None
    row = cursor.fetchone()
    assert row is not None
    return cursor.description[0].type_code, row[1]


def _expected(oid: int) -> tuple[int, str]:
    return oid, codecs.format_type(oid)


def test_every_routine_row_is_true(connection: psycopg.Connection) -> None:
    wrong = [(call, _types(connection, call), _expected(routine.result))
             for routine in ROUTINES for call in [_routine_call(routine)]
             if _types(connection, call) != _expected(routine.result)]
    assert wrong == []


def test_every_operator_row_is_true(connection: psycopg.Connection) -> None:
    wrong = [(use, _types(connection, use), _expected(operator.result))
             for operator in OPERATORS_ROWS for use in [_operator_use(operator)]
             if _types(connection, use) != _expected(operator.result)]
    assert wrong == []


def _listing(host: str, port: int, directory: Path) -> list[str]:
    script = directory / "df.sql"
    script.write_text("\\df sum\n")
    done = run_psql(host, port, script)
    assert done.returncode == 0, done.stderr
    return [line.rstrip() for line in done.stdout.splitlines() if "| sum " in line]


def test_psql_lists_sum(shared_server: ServerProcess, reference_pg: str, tmp_path: Path) -> None:
    ours = _listing(shared_server.host, shared_server.port, tmp_path)
    fields = dict(item.split("=", 1) for item in reference_pg.split())
    theirs = _listing(fields["host"], int(fields["port"]), tmp_path)
    missing = [line for line in theirs if "interval" in line or "money" in line]
    assert ours == [line for line in theirs if line not in missing]
    assert len(ours) == 6
