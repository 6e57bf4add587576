"""pg8000 against the server over TCP: the native API (named parameters, prepared statements,
errors as dicts of protocol fields) and the DB-API (format parameters, commit/rollback,
executemany). pg8000 parses every statement as the unnamed statement, Syncs, then binds it: the
unnamed statement must survive the Sync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pg8000.dbapi
import pg8000.native
import pytest

from tests.server.conftest import Target

TIMEOUT = 10



@pytest.fixture
def dbapi(target: Target) -> Iterator[pg8000.dbapi.Connection]:
    connection = pg8000.dbapi.connect(user="postgres", host=target.host, port=target.port,
                                      database="postgres", timeout=TIMEOUT)
    try:
        yield connection
    finally:
        connection.close()


def test_native_run_with_parameters(native: pg8000.native.Connection) -> None:
    native.run("create table p8n_items (id integer primary key, name text, price numeric, day date)")
    native.run("insert into p8n_items values (:id, :name, :price, :day)",
               id=1, name="widget", price=Decimal("9.99"), day=dt.date(2024, 1, 31))
    native.run("insert into p8n_items values (2, 'gadget', 20, null), (3, 'gizmo', 0.5, null)")
    assert native.row_count == 2
    rows = native.run("select id, name, price, day from p8n_items where price < :limit order by id",
                      limit=Decimal(10))
    assert rows == [[1, "widget", Decimal("9.99"), dt.date(2024, 1, 31)], [3, "gizmo", Decimal("0.5"), None]]
    assert [c["name"] for c in native.columns or ()] == ["id", "name", "price", "day"]


def test_native_unnamed_statement_reused_and_interleaved(native: pg8000.native.Connection) -> None:
    native.run("create table p8n_reuse (id integer primary key, square integer)")
    for i in range(10):
        native.run("insert into p8n_reuse values (:i, :sq)", i=i, sq=i * i)
        assert native.run("select count(*) from p8n_reuse") == [[i + 1]]
    assert [native.run("select square from p8n_reuse where id = :i", i=i)[0][0] for i in range(10)] == [
        i * i for i in range(10)]


def test_native_parameters_joined_without_spaces(native: pg8000.native.Connection) -> None:
    """pg8000 turns `:a,:b` into `$1,$2` (its own test_max_parameters joins them so)."""
    names = [f"p{i}" for i in range(12)]
    sql = f"select 5 in ({','.join(f':{name}' for name in names)})"
    assert native.run(sql, **{name: i for i, name in enumerate(names)}) == [[True]]


def test_native_prepared_statement(native: pg8000.native.Connection) -> None:
    statement = native.prepare("select :a::integer + :b::integer")
    try:
        assert [statement.run(a=i, b=1) for i in range(3)] == [[[1]], [[2]], [[3]]]
    finally:
        statement.close()


def test_native_errors_carry_sqlstate(native: pg8000.native.Connection) -> None:
    native.run("create table p8n_errors (id integer primary key)")
    native.run("insert into p8n_errors values (1)")
    with pytest.raises(pg8000.native.DatabaseError) as unique:
        native.run("insert into p8n_errors values (:id)", id=1)
    fields = unique.value.args[0]
    assert (fields["C"], fields["S"], fields["V"]) == ("23505", "ERROR", "ERROR")
    with pytest.raises(pg8000.native.DatabaseError) as undefined:
        native.run("select * from p8n_missing")
    assert undefined.value.args[0]["C"] == "42P01"
    assert undefined.value.args[0]["M"] == 'relation "p8n_missing" does not exist'
    with pytest.raises(pg8000.native.DatabaseError) as syntax:
        native.run("selec 1")
    assert syntax.value.args[0]["C"] == "42601"
    assert native.run("select 'still fine'") == [["still fine"]]


def test_dbapi_commit_rollback_and_executemany(dbapi: pg8000.dbapi.Connection) -> None:
    cursor = dbapi.cursor()
    cursor.execute("create table p8d_items (id integer primary key, name text)")
    dbapi.commit()
    cursor.execute("insert into p8d_items values (%s, %s)", (1, "kept"))
    dbapi.commit()
    cursor.execute("insert into p8d_items values (%s, %s)", (2, "discarded"))
    dbapi.rollback()
    cursor.executemany("insert into p8d_items values (%s, %s)", [(i, f"n{i}") for i in range(10, 110)])
    dbapi.commit()
    cursor.execute("select count(*), min(id), max(id) from p8d_items")
    assert cursor.fetchone() == [101, 1, 109]
    cursor.execute("select name from p8d_items where id = %s", (1,))
    assert cursor.fetchall() == (["kept"],)
    assert [d[0] for d in cursor.description] == ["name"]
    dbapi.commit()


def test_dbapi_error_then_rollback(dbapi: pg8000.dbapi.Connection) -> None:
    cursor = dbapi.cursor()
    cursor.execute("create table p8d_errors (id integer primary key)")
    dbapi.commit()
    cursor.execute("insert into p8d_errors values (%s)", (1,))
    with pytest.raises(pg8000.dbapi.DatabaseError) as unique:
        cursor.execute("insert into p8d_errors values (%s)", (1,))
    assert unique.value.args[0]["C"] == "23505"
    with pytest.raises(pg8000.dbapi.DatabaseError) as failed:
        cursor.execute("select 1")
    assert failed.value.args[0]["C"] == "25P02"
    dbapi.rollback()
    cursor.execute("select count(*) from p8d_errors")
    assert cursor.fetchone() == [0]


def test_parameter_type_refused_at_parse_keeps_connection_usable(native: pg8000.native.Connection) -> None:
    """pg8000 parses and Syncs, then sends Describe and Bind before reading the description: a
    type the server cannot take must be refused at Parse (as PostgreSQL refuses what it cannot
    parse), not after a ParameterDescription, else the pending Bind desynchronises the connection."""
    point = 600  # a type HeliosDB-Lite has no codec for (PostgreSQL has)
    try:
        rows = native.run("select :p as p", p="(1,2)", types={"p": point})
    except pg8000.native.DatabaseError as refused:
        assert refused.args[0]["C"] == "0A000"
    else:
        assert rows == [[(1.0, 2.0)]]  # PostgreSQL has the type; pg8000 reads a point as a tuple
    assert native.run("select 'still fine'") == [["still fine"]]
