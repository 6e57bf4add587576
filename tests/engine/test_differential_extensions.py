"""Differential script for CREATE EXTENSION and DROP EXTENSION (`engine/ddl/extensions.py`):
plpgsql exists already (42710, or IF NOT EXISTS's notice); citext is installed, listed in
pg_extension and pg_type (typinput ... typsend named as PostgreSQL's), refused a second time, in a
schema that does not exist or at another version, dropped (2BP01 while a column uses its type,
CASCADE dropping the column), in another schema; dropping one that does not exist is 42704 or IF
EXISTS's notice; an extension the server does not provide is refused with 0A000 naming it. Each
statement runs against the engine and a real PostgreSQL 15 in order; the outcome, the error's
message and the notices' messages must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "create extension if not exists plpgsql",
    "create extension plpgsql",
    "create extension if not exists plpgsql with schema pg_catalog",
    "drop extension nosuch_extension",
    "drop extension if exists nosuch_extension",
    "drop extension if exists nosuch_a, nosuch_b cascade",
    "create extension citext version '9.9'",
    "create extension citext schema nosuch",
    "create extension citext",
    "create extension citext",
    "create extension if not exists citext",
    "create extension citext schema nosuch",
    "select extname, extversion, extrelocatable, extnamespace::regnamespace::text from pg_extension "
    "order by 1",
    "select typname, typtype, typcategory, typlen, typbyval, typcollation, typnamespace::regnamespace::text, "
    "typelem = 0, typarray <> 0 from pg_type where typname in ('citext', '_citext') order by 1",
    "select e.typname from pg_type e join pg_type a on a.oid = e.typarray where a.typname = '_citext'",
    "create domain ci_domain as citext",
    "select typname, typinput::text, typoutput::text, typreceive::text, typsend::text from pg_type "
    "where typname in ('citext', '_citext', 'ci_domain', 'int4', '_int4', 'date', 'money', 'int4range', "
    "'int4multirange', 'record', '_record', 'anyarray', 'anyelement', 'unknown', 'int2vector') order by 1",
    "drop domain ci_domain",
    "select proname, pronamespace::regnamespace::text, pronargs, format_type(prorettype, null) from pg_proc "
    "where proname in ('strpos', 'replace', 'split_part', 'translate', 'citext') "
    "and pronamespace = 'public'::regnamespace order by 1, 3",
    "select p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), "
    "pg_function_is_visible(p.oid) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
    "where n.nspname = 'public' and p.proname in ('strpos', 'citext', 'split_part') order by 1, 2",
    "select e.extname, d.description from pg_extension e join pg_description d on d.objoid = e.oid "
    "and d.classoid = 'pg_extension'::regclass order by 1",
    "drop type citext",
    "drop type if exists citext cascade",
    "create type citext as enum ('a')",
    "create table holders (id int, name citext, names citext[])",
    "drop extension citext",
    "drop extension citext restrict",
    "drop extension if exists nosuch_a, citext",
    "drop extension citext cascade",
    "select attname from pg_attribute where attrelid = 'holders'::regclass and attnum > 0 "
    "and not attisdropped order by attnum",
    "select count(*) from pg_type where typname in ('citext', '_citext')",
    "select extname from pg_extension order by 1",
    "create extension citext with schema public version '1.6'",
    "drop extension citext",
    "create schema ext",
    "create extension citext schema ext",
    "select typnamespace::regnamespace::text from pg_type where typname = 'citext'",
    "select 'x'::ext.citext::text",
    "drop extension citext",
    "select extname from pg_extension order by 1",
]

REFUSED = [
    ("create extension citext", None),
    ("alter type citext rename to ci", "ALTER TYPE of citext"),
    ("drop extension citext", None),
    ("create extension isn with schema public", 'extension "isn"'),
    ("create extension if not exists pg_trgm", 'extension "pg_trgm"'),
    ("drop extension plpgsql", "DROP EXTENSION plpgsql"),
]


reference = reference_database("differential_extensions")
engine_session = engine_store("differential_extensions")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    assert_refused_clearly(engine_session, sql, named)
