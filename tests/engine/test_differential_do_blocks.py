"""Differential script for DO blocks whose body is RAISE statements (`engine/sql/do_blocks.py`): the
levels (a notice per level client_min_messages lets through, EXCEPTION failing the statement and the
transaction block), USING ERRCODE / MESSAGE / DETAIL / HINT, `%%`, a format wanting an argument
(42601), the drivers' own DO blocks (asyncpg's test_prepare_09 and _31, psycopg's notice handlers),
and the refusals (0A000 naming what the body needs). Each statement runs against the engine and a
real PostgreSQL 15 in order; the outcome, the error's message and the notices' messages must agree.
Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from heliosdb_lite.errors import DatabaseError
from tests.engine.differential import (
    assert_refused_clearly,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "do $$begin raise notice 'hello notice'; end$$ language plpgsql",
    "do $$begin raise warning 'hello warning'; end$$ language plpgsql",
    "DO language plpgsql $$ BEGIN RAISE INFO 'one %%'; RAISE NOTICE 'two'; RAISE LOG 'three'; END $$",
    "do 'begin raise notice ''quoted body''; end'",
    "do $f$ begin raise debug 'not sent'; end; $f$",
    "set client_min_messages = warning",
    "do $$ begin raise notice 'not sent'; raise warning 'sent'; raise info 'always'; end $$",
    "reset client_min_messages",
    "DO $$ BEGIN RAISE EXCEPTION 'duplicate statement' USING ERRCODE = '42P05'; END; $$ LANGUAGE plpgsql",
    "DO $$ BEGIN RAISE EXCEPTION 'invalid statement' USING ERRCODE = '26000'; END; $$ LANGUAGE plpgsql",
    "do $$ begin raise notice 'before'; raise 'failed' using detail = 'd', hint = 'h'; "
    "raise notice 'after'; end $$",
    "do $$ begin raise using message = 'from using', errcode = '22012'; end $$",
    "do $$ begin raise exception '%s' ; end $$",
    "do $$ begin raise exception 'a' using message = 'b'; end $$",
    "do $$ begin end $$",
    "do",
    "begin",
    "do $$ begin raise notice 'in a block'; end $$",
    "do $$ begin raise exception 'fails the block'; end $$",
    "select 1",
    "rollback",
    "do $$ begin raise exception '" + "0" * 10240 + "'; end $$",
]

REFUSED = [
    ("do $$ declare x int; begin raise notice 'x'; end $$", "DECLARE"),
    ("do $$ begin perform 1; end $$", "PERFORM"),
    ("do $$ begin create table t (a int); end $$", "CREATE"),
    ("do $$ begin raise notice '%', 1; end $$", "arguments"),
    ("do $$ begin raise unique_violation; end $$", "condition name"),
    ("do $$ begin raise 'x' using errcode = 'unique_violation'; end $$", "condition name"),
    ("do $$ begin raise notice 'x' using column = 'c'; end $$", "USING COLUMN"),
    ("do $$ begin end $$ language sql", 'language "sql"'),
]


reference = reference_database("differential_do_blocks")
engine_session = engine_store("differential_do_blocks")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    assert_refused_clearly(engine_session, sql, named)


def test_exception_carries_sqlstate_detail_and_hint(engine_session: SQLiteSession) -> None:
    sql = "do $$ begin raise 'failed' using errcode = '42P05', detail = 'd', hint = 'h'; end $$"
    with pytest.raises(DatabaseError) as raised:
        engine_session.execute(engine_session.prepare(sql, ()), [])
    assert (raised.value.sqlstate, raised.value.message, raised.value.detail, raised.value.hint) == \
        ("42P05", "failed", "d", "h")


def test_notice_severity_and_sqlstate(engine_session: SQLiteSession) -> None:
    sql = "do $$ begin raise warning 'w'; raise notice 'n'; raise info 'i'; end $$"
    engine_session.execute(engine_session.prepare(sql, ()), [])
    assert [(n.severity, n.sqlstate, n.message) for n in engine_session.notices()] == \
        [("WARNING", "01000", "w"), ("NOTICE", "00000", "n"), ("INFO", "00000", "i")]
