"""Differential script for enum types: CREATE TYPE ... AS ENUM and its errors, columns and arrays
of an enum, literals and casts, comparison and ORDER BY / min / max in the declared order,
enum_first / enum_last / enum_range, ALTER TYPE ADD VALUE (BEFORE / AFTER, IF NOT EXISTS),
RENAME VALUE (rewriting stored values), RENAME TO, DROP TYPE (IF EXISTS, dependents, CASCADE,
built-in types and row types), schema-qualified and quoted names, DROP SCHEMA ... CASCADE, and
the catalog rows drivers read (pg_type, pg_enum, to_regtype, regtype). Each statement runs
against the engine and a real PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE,
transaction status), the error message and the notices must agree, with the OIDs of the types the
database defines (which each server draws its own way) compared as the types' names. Skipped
without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_same_step_user_types_named,
    engine_store,
    reference_database,
)

SCRIPT = [
    "create type mood as enum ('sad', 'ok', 'happy')",
    "create type mood as enum ('x')",
    "create type dup as enum ('a', 'b', 'a')",
    "create type long_label as enum ('" + "x" * 64 + "')",
    "create type empty as enum ()",
    "create type \"Odd\" as enum ('it''s', 'a,b', 'x y', '')",
    "create type badsyntax as enum 'a'",
    "create type nosuch.mood as enum ('a')",
    # values: literals, casts, arrays
    "select 'ok'::mood, 'happy'::mood::text, cast('sad' as mood)",
    "select 'x'::mood",
    "select 'ok'::text::mood",
    "select 'nope'::text::mood",
    "select 'ok'::mood::integer",
    "select '{sad,happy}'::mood[], '{}'::mood[], '{sad,NULL}'::mood[]",
    "select '{sad,meh}'::mood[]",
    "select array['ok', 'sad']::mood[]",
    "select '{\"it''s\",\"a,b\",\"x y\",\"\"}'::\"Odd\"[]",
    "select 'a'::\"Odd\"",
    "select 'ok'::mood(3)",
    "select 'ok'::mood = 'ok', 'ok'::mood <> 'sad'::mood",
    "select 'ok'::mood < 'happy'::mood, 'sad'::mood > 'happy'::mood, 'ok'::mood between 'sad' and 'happy'",
    "select 'ok'::mood < 'nope'",
    "select 'ok'::mood || '!'",
    "select greatest('sad'::mood, 'happy'::mood, 'ok'), least('happy'::mood, null, 'ok'::mood)",
    # columns
    "create table feelings (id int primary key, m mood, ms mood[])",
    "insert into feelings values (1, 'happy', '{sad,ok}'), (2, 'sad', null), (3, 'ok', '{}'), "
    "(4, null, null)",
    "insert into feelings values (5, 'meh', null)",
    "insert into feelings (id, m) select 6, 'ok'::text",
    "select id, m, ms from feelings order by m, id",
    "select id from feelings order by m desc nulls last, id",
    "select min(m), max(m), count(distinct m) from feelings",
    "select id from feelings where m > 'sad' order by id",
    "select id from feelings where m = 'ok'",
    "select id from feelings where m in ('ok', 'happy') order by id",
    "select m, count(*) from feelings group by m order by m",
    "select m::text from feelings order by m::text",
    "select m from feelings union select 'ok'::mood order by 1",
    "select coalesce(m, 'sad'), nullif(m, 'ok') from feelings order by id",
    "select array_agg(m order by m) from feelings",
    "select id from feelings where m = any('{ok,happy}'::mood[]) order by id",
    "select id from feelings where 'ok' = any(ms) order by id",
    "select id from feelings order by ms, id",
    "select id, ms from feelings order by ms desc, id",
    "update feelings set m = 'ok' where id = 4 returning id, m",
    "create index feelings_m on feelings (m)",
    "select id from feelings where m >= 'ok' order by m, id",
    # enum support functions
    "select enum_first(null::mood), enum_last(null::mood), enum_range(null::mood)",
    "select enum_range('ok'::mood, null), enum_range(null, 'ok'::mood), enum_range('sad'::mood, 'ok'::mood)",
    "select enum_range(null::\"Odd\")",
    "select enum_first(null::empty)",
    "select enum_range(null::empty)",
    "select enum_first(1)",
    # ALTER TYPE
    "alter type mood add value 'meh' before 'ok'",
    "alter type mood add value 'meh'",
    "alter type mood add value if not exists 'meh'",
    "alter type mood add value 'x' after 'nosuch'",
    "alter type mood add value 'first' before 'sad'",
    "alter type mood add value 'last'",
    "alter type mood add value 'later' after 'happy'",
    "alter type mood add value 'y' before 'nosuch'",
    "select enumlabel, enumsortorder from pg_enum where enumtypid = 'mood'::regtype order by enumsortorder",
    "select enum_range(null::mood)",
    "insert into feelings values (7, 'meh', '{meh,first}')",
    "select id, m from feelings order by m, id",
    "alter type mood rename value 'ok' to 'fine'",
    "alter type mood rename value 'nosuch' to 'y'",
    "alter type mood rename value 'fine' to 'sad'",
    "select id, m, ms from feelings order by id",
    "select 'ok'::mood",
    "alter type mood rename to feeling",
    "select 'fine'::feeling, 'fine'::mood",
    "alter type feeling rename to empty",
    "alter type feeling rename to mood",
    "alter type nosuch add value 'x'",
    "alter type int4 add value 'x'",
    "alter type mood owner to current_user",
    "alter type mood add attribute a int",
    # the catalog
    "select typname, typtype, typcategory, typlen, typbyval, typdelim, typelem = 0, typarray <> 0, "
    "typnamespace from pg_type where typname in ('mood', '_mood') order by typname",
    "select t.typname from pg_type t join pg_type a on a.oid = t.typarray where a.typelem = t.oid "
    "and t.typname = 'mood'",
    "select count(*) from pg_enum where enumtypid = to_regtype('mood')",
    "select to_regtype('mood')::text, to_regtype('mood[]')::text, to_regtype('\"Odd\"')::text, "
    "to_regtype('nosuch')",
    "select 'mood'::regtype::text, format_type('mood'::regtype, null), pg_typeof('sad'::mood)::text",
    "select 'nosuch'::regtype",
    "select n.nspname, t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace "
    "where t.typtype = 'e' order by t.typname",
    # DROP TYPE
    "drop type mood",
    "drop type nosuch",
    "drop type if exists nosuch",
    "drop type if exists nosuch, other_nosuch",
    "drop type feelings",
    "drop type if exists feelings",
    "drop type int4",
    "drop type pg_catalog.text",
    "drop type \"char\"",
    "create view feeling_view as select id from feelings",
    "drop type feeling_view",
    "drop type empty, nosuch",
    "select 1 from pg_type where typname = 'empty'",
    "drop type mood cascade",
    "select * from feelings order by id",
    "select 'ok'::mood",
    "drop type empty restrict",
    "drop type \"Odd\"",
    "create type mood as enum ('again')",
    "select enum_range(null::mood)",
    # schemas
    "create schema s",
    "create type s.color as enum ('red', 'green')",
    "create table s.paint (c s.color)",
    "insert into s.paint values ('green'), ('red')",
    "select c from s.paint order by c",
    "select 'red'::color",
    "select to_regtype('color'), to_regtype('s.color')::text",
    "set search_path = s, public",
    "select 'red'::color, 'again'::mood",
    "select 'color'::regtype::text",
    "reset search_path",
    "drop schema s",
    "drop schema s cascade",
    "select 'red'::s.color",
    "create type public.pt as enum ('a')",
    "drop type pt",
]


reference = reference_database("differential_enums")
engine_session = engine_store("differential_enums")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert_same_step_user_types_named(reference, engine_session, sql)
