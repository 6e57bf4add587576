"""Fixtures and checks shared by the differential tests (`test_differential*.py`): each script runs
in its own database of the reference PostgreSQL 15 and its own engine store; a statement's outcome
(columns, type OIDs, typmods, values in text form, command tag or SQLSTATE), its transaction status
and its messages, on either side."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs.styles import text_style
from heliosdb_lite.protocol.codecs.time_zones import setting_zone

psycopg = pytest.importorskip("psycopg")


def reference_database(name: str) -> Callable[..., Iterator[Any]]:
    """A module fixture: an autocommit connection to a fresh database `name` of the reference
    PostgreSQL (TimeZone UTC)."""

    @pytest.fixture(scope="module")
    def reference(reference_pg: str) -> Iterator[Any]:
        with psycopg.connect(reference_pg, autocommit=True) as admin:
            admin.execute(f"drop database if exists {name}")
            admin.execute(f"create database {name}")
        with psycopg.connect(reference_pg.replace("dbname=postgres", f"dbname={name}"),
                             autocommit=True) as connection:
            connection.execute("set timezone = 'Etc/UTC'")
            yield connection

    return reference


def engine_store(name: str) -> Callable[..., Iterator[SQLiteSession]]:
    """A module fixture: a session on a fresh engine store of its own."""

    @pytest.fixture(scope="module")
    def engine_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteSession]:
        engine = SQLiteEngine(Path(tmp_path_factory.mktemp(name)) / "data")
        yield engine.open_session("postgres", "postgres", {})
        engine.close()

    return engine_session


def assert_refused_clearly(session: SQLiteSession, sql: str, named: str | None) -> None:
    """`sql` fails with 0A000 and a message naming `named` (None: a setup step that must succeed)."""
    if named is None:
        session.execute(session.prepare(sql, ()), [])
        return
    with pytest.raises(DatabaseError) as refused:
        session.execute(session.prepare(sql, ()), [])
    assert (refused.value.sqlstate, named.lower() in refused.value.message.lower()) == ("0A000", True), \
        refused.value


Outcome = tuple[Any, ...]


def reference_outcome(connection: Any, sql: str, messages: list[str] | None = None) -> Outcome:
    """The outcome of `sql` on PostgreSQL; an error's message is appended to `messages`."""
    try:
        cursor = connection.execute(sql, prepare=False)
    except psycopg.Error as error:
        if messages is not None:
            messages.append(error.diag.message_primary)
        return ("error", error.sqlstate)
    result = cursor.pgresult
    if result is None or result.nfields == 0:
        return ("ok", None, None, cursor.statusmessage)
    columns = [(result.fname(i).decode(), result.ftype(i), result.fmod(i)) for i in range(result.nfields)]
    rows = [[result.get_value(r, c) for c in range(result.nfields)] for r in range(result.ntuples)]
    return ("ok", columns, rows, cursor.statusmessage)


def engine_outcome(session: SQLiteSession, sql: str, messages: list[str] | None = None) -> Outcome:
    """The outcome of `sql` on the engine; an error's message is appended to `messages`."""
    try:
        statement = session.prepare(sql, ())
        cursor = session.execute(statement, [])
    except DatabaseError as error:
        if messages is not None:
            messages.append(error.message)
        return ("error", error.sqlstate)
    if not statement.columns:  # as the reference's: a result of no columns is told by its tag
        if statement.columns is not None:
            cursor.fetch(0)  # the tag counts the rows read
        return ("ok", None, None, cursor.command_tag())
    columns = [(c.name, c.type_oid, c.type_modifier) for c in statement.columns]
    oids = [c.type_oid for c in statement.columns]
    zone = setting_zone(session.parameter("TimeZone"))
    style = text_style(session.parameter("DateStyle"), session.parameter("IntervalStyle"))
    rows = [[None if value is None else codecs.encode_text(oid, value, tz=zone, style=style)
             for oid, value in zip(oids, row, strict=True)] for row in cursor.fetch(0)]
    return ("ok", columns, rows, cursor.command_tag())


def reference_script_step(connection: Any, sql: str, messages: list[str] | None = None) -> tuple[Any, ...]:
    return (*reference_outcome(connection, sql, messages), connection.info.transaction_status.name)


def engine_script_step(session: SQLiteSession, sql: str,
                       messages: list[str] | None = None) -> tuple[Any, ...]:
    status = {"I": "IDLE", "T": "INTRANS", "E": "INERROR"}
    return (*engine_outcome(session, sql, messages), status[session.transaction_status])


def reference_step_with_messages(connection: Any, sql: str) -> tuple[Any, ...]:
    """The outcome, the error message (if any) and the notices' messages PostgreSQL sends."""
    messages: list[str] = []
    notices: list[str] = []

    def collect(diagnostic: Any) -> None:
        notices.append(diagnostic.message_primary)

    connection.add_notice_handler(collect)
    try:
        outcome = reference_script_step(connection, sql, messages)
    finally:
        connection.remove_notice_handler(collect)
    return outcome, messages, notices


def engine_step_with_messages(session: SQLiteSession, sql: str) -> tuple[Any, ...]:
    """The outcome, the error message (if any) and the notices' messages the engine sends."""
    messages: list[str] = []
    outcome = engine_script_step(session, sql, messages)
    return outcome, messages, [notice.message for notice in session.notices()]


FIRST_USER_OID = 16384  # PostgreSQL's first OID for what a database defines


def _user_types_named(outcome: Any, name_of: Callable[[int], str]) -> Any:
    """The outcome with the OIDs of result columns the database defines replaced by their names."""
    step, messages, notices = outcome
    if step[0] != "ok" or step[1] is None:
        return outcome
    columns = [(name, name_of(oid) if oid >= FIRST_USER_OID else oid, modifier)
               for name, oid, modifier in step[1]]
    return (step[0], columns, *step[2:]), messages, notices


def assert_same_step_user_types_named(reference: Any, session: SQLiteSession, sql: str) -> None:
    """The same outcome, messages and notices on both, a result column of a type the database
    defines (its OID differs between the two) compared by the type's name."""
    def reference_name(oid: int) -> str:
        return str(reference.execute("select typname from pg_type where oid = %s", (oid,)).fetchone()[0])

    def engine_name(oid: int) -> str:
        statement = session.prepare(f"select typname from pg_type where oid = {oid}", ())
        return str(session.execute(statement, []).fetch(0)[0][0])

    assert _user_types_named(engine_step_with_messages(session, sql), engine_name) == \
        _user_types_named(reference_step_with_messages(reference, sql), reference_name)


def assert_same_error(reference: Any, session: SQLiteSession, sql: str) -> DatabaseError:
    """sql fails on both with PostgreSQL's SQLSTATE, message, DETAIL and HINT; the engine's error."""
    with pytest.raises(Exception) as expected:
        reference.execute(sql)
    with pytest.raises(DatabaseError) as got:
        session.execute(session.prepare(sql, ()), [])
    diagnostic = expected.value.diag  # type: ignore[attr-defined]  # a psycopg.Error
    assert (got.value.sqlstate, got.value.message, got.value.detail, got.value.hint) == \
        (diagnostic.sqlstate, diagnostic.message_primary, diagnostic.message_detail, diagnostic.message_hint)
    return got.value


def gap(sql: str, reason: str) -> Any:
    """A statement whose answer differs from PostgreSQL's for the stated reason (a strict xfail)."""
    return pytest.param(sql, marks=pytest.mark.xfail(strict=True, reason=reason))
