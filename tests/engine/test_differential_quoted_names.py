"""Differential script for names that need quoting in the SQL the engine writes for SQLite: a table
named o'brien with a serial column and columns whose names hold a quote and a double quote, through
INSERT ... RETURNING, nextval of its sequence, TRUNCATE ... RESTART IDENTITY, ALTER TABLE (rename
of the table and of a column, added columns with defaults and serials), the catalog's view of it,
and DROP. Each statement runs against the engine and a real PostgreSQL 15 in order; the outcome
(tag, columns, rows, SQLSTATE, transaction status), the error message and the notices must agree.
Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    gap,
    reference_database,
    reference_step_with_messages,
)

SCRIPT = [line.strip() for line in r'''
create table "o'brien" (id serial primary key, "it's ""quoted""" text not null)
insert into "o'brien" ("it's ""quoted""") values ('a'), ('b') returning *
select nextval('"o''brien_id_seq"'), currval('"o''brien_id_seq"')
select pg_get_serial_sequence('"o''brien"', 'id')
select column_name, column_default from information_schema.columns where table_name = 'o''brien' order by 1
select pg_get_expr(adbin, adrelid) from pg_attrdef, pg_class c where c.oid = adrelid and relname = 'o''brien'
insert into "o'brien" ("it's ""quoted""") values ('c') returning id, "it's ""quoted"""
select * from "o'brien" order by id
truncate "o'brien" restart identity
insert into "o'brien" ("it's ""quoted""") values ('d') returning *
truncate table "o'brien"
insert into "o'brien" ("it's ""quoted""") values ('e') returning id
alter table "o'brien" rename column "it's ""quoted""" to "a'b""c"
alter table "o'brien" add column "x'y" serial
alter table "o'brien" add column "z""w" text default 'it''s'
insert into "o'brien" ("a'b""c") values ('f') returning *
update "o'brien" set "x'y" = null where "a'b""c" = 'f'
select nextval('"o''brien_x''y_seq"')
select * from "o'brien" order by id
alter table "o'brien" rename to "o'neil"
insert into "o'neil" ("a'b""c") values ('g') returning *
select nextval('public."o''brien_id_seq"')
truncate "o'neil" restart identity
insert into "o'neil" ("a'b""c") values ('h') returning *
create sequence "it's" start 5
select nextval('"it''s"'), setval('"it''s"', 10), nextval('"it''s"')
alter sequence "it's" rename to "it""s"
select nextval('"it""s"')
drop sequence "it""s"
drop table "o'neil"
select nextval('"o''brien_id_seq"')
select count(*) from information_schema.sequences where sequence_name like 'o''%'
create table "o'brien" (id bigserial, "q""" int)
insert into "o'brien" ("q""") values (1) returning *
drop table "o'brien"
'''.strip().splitlines()]
GAPS = {
    # not a quoting matter: the same happens to a table named t
    """select nextval('public."o''brien_id_seq"')""": "the sequence of a serial primary key (SQLite's "
    "rowid counter) is named after the table's current name: RENAME TO renames it, PostgreSQL's keeps "
    "its name",
}


reference = reference_database("differential_quoted_names")
engine_session = engine_store("differential_quoted_names")


@pytest.mark.parametrize("sql", [gap(sql, GAPS[sql]) if sql in GAPS else sql for sql in SCRIPT])
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
