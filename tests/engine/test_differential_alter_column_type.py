"""Differential script for ALTER TABLE ... ALTER COLUMN ... [SET DATA] TYPE ... [USING]: conversions by
the assignment cast and by USING (over other columns too), numeric rounding, varchar shortening,
several changes in one statement and with other actions, defaults, keys, foreign keys both ways,
NOT NULL and CHECK constraints kept, the catalog's new types, a transaction rolled back, and
PostgreSQL's errors (with their DETAIL and HINT), after which nothing has changed. Runs against the
engine and a real PostgreSQL 15; outcome, messages and notices must agree. Skipped without
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    assert_same_error,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

SCRIPT = [
    "create table t (id serial primary key, a int not null, b text default '7', c varchar(10) unique, "
    "n numeric(7,3) default 1.25, f float8, d text)",
    "insert into t (a, b, c, n, f, d) values (1, '10', 'alpha', 1.2345, 1.5, '2024-01-02'), "
    "(2, '20', 'beta', -2.5555, 2.25, '2024-03-04'), (3, null, 'gamma', 3, null, null)",
    # the assignment cast, and PostgreSQL's refusal when there is none
    "alter table t alter column a type bigint",
    "select a, pg_typeof(a) from t order by id",
    "alter table t alter column b type integer",
    "alter table t alter column b type integer using b::integer",
    "alter table t alter column b drop default",
    "alter table t alter column b type integer using b::integer",
    "select b, b + 1 from t order by id",
    "alter table t alter column b set data type text",
    "select b || 'x' from t order by id",
    # numeric(p,s) rounds; a value that does not fit fails and nothing changes
    "alter table t alter n type numeric(6,2)",
    "select n from t order by id",
    "alter table t alter n type numeric(3,2)",
    "select n from t order by id",
    "alter table t alter n type numeric",
    "insert into t (a) values (4) returning n",
    "delete from t where a = 4",
    "alter table t alter n type integer",
    "select n from t order by id",
    # varchar shortening that would truncate: 22001, nothing changed
    "alter table t alter c type varchar(4)",
    "select c from t order by id",
    "alter table t alter c type varchar(5)",
    "insert into t (a, c) values (5, 'toolong')",
    "insert into t (a, c) values (5, 'alpha')",
    "alter table t alter c type char(6)",
    "select c, length(c), octet_length(c) from t order by id",
    "alter table t alter c type text",
    # USING over other columns, conversions failing with PostgreSQL's errors
    "alter table t alter d type date using d::date",
    "select d, d + 1 from t order by id",
    "alter table t alter f type integer using f * 2",
    "select f from t order by id",
    "alter table t alter f type numeric(5,1) using f + a / 4.0",
    "select f from t order by id",
    "alter table t alter c type integer using c::integer",
    "alter table t alter a type smallint using a * 100000",
    "alter table t alter c type integer using length(c) + a",
    "alter table t alter c type integer using length(c) * 10 + a",
    "select c from t order by id",
    "alter table t alter b type boolean using b::boolean",
    "alter table t alter b type integer using (select 1)",
    "alter table t alter b type integer using max(a)",
    "alter table t alter b type integer using b::boolean",
    "alter table t alter b type integer using 'x'",
    # several changes in one statement, and with other actions
    "alter table t alter a type integer, alter column c type bigint, add column e int default 5",
    "select a, c, e from t order by id",
    "alter table t alter a type bigint, alter a type integer",
    "alter table t alter nosuch type integer",
    "alter table nosuch alter a type integer",
    "alter table t alter a type serial",
    # NOT NULL kept, keys kept, the serial still draws
    "insert into t (a) values (null)",
    "insert into t (a, c) values (9, 1)",
    "insert into t (a) values (10) returning a",
    "select a from t order by id",
    # the catalog shows the new types
    "select attname, atttypid::regtype, atttypmod, attnotnull from pg_attribute "
    "where attrelid = 't'::regclass and attnum > 0 and not attisdropped order by attnum",
    "select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale "
    "from information_schema.columns where table_name = 't' order by ordinal_position",
    # inside a transaction, undone by ROLLBACK
    "begin",
    "alter table t alter a type text",
    "insert into t (a) values ('x') returning a",
    "rollback",
    "insert into t (a) values ('x')",
    "select pg_typeof(a) from t limit 1",
    # foreign keys, from and to the column changed
    "create table parent (code int primary key, label varchar(20))",
    "insert into parent values (1, 'one'), (2, 'two')",
    "create table child (code int references parent (code) on delete cascade, qty numeric(5,2))",
    "insert into child values (1, 1.5), (2, 2.25), (2, 3)",
    "alter table parent alter code type bigint",
    "alter table child alter code type bigint",
    "alter table parent alter code type text",
    "insert into child values (1, 1)",
    "delete from parent where code = 2",
    "select code, qty from child order by code, qty",
    "create table keyed (code smallint references parent, note text)",
    "alter table keyed add constraint keyed_note_fkey foreign key (note) references parent (label)",
    "insert into keyed values (1, 'one')",
    "alter table keyed alter code type text",
    "alter table keyed alter code type numeric",
    "alter table parent alter code type numeric(10,0)",
    "alter table keyed alter note type integer using 0",
    "insert into keyed values (1, 'one'), (1, null)",
    "insert into keyed values (3, null)",
    "select count(*) from parent p join keyed k on k.code = p.code",
    "insert into keyed values (1, 'three')",
    "select code, note, pg_typeof(code) from keyed order by note",
    "drop table keyed",
    "alter table parent alter code type integer",
    "alter table parent alter label type varchar(2)",
    "alter table parent alter label type varchar(3)",
    "select * from parent",
    # constraints added later (triggers) check the converted rows
    "create table k (a int, b numeric(6,3))",
    "insert into k values (1, 1.004), (2, 2.5)",
    "alter table k add constraint b_positive check (b > 0)",
    "alter table k alter b type numeric(6,2) using b - 1.004",
    "select * from k order by a",
    "alter table k alter a set not null",
    "alter table k alter a type bigint using nullif(a, 2)",
    "alter table k alter a type bigint using a * 10",
    "insert into k values (null, 1)",
    "insert into k values (1, 0)",
    "select * from k order by a",
    # CHECK constraints of CREATE TABLE check the converted rows
    "create table kc (a int check (a < 100), b numeric(7,3) constraint b_above check (b > 1.2), "
    "check (a + b < 1000))",
    "insert into kc values (1, 1.24), (2, 5)",
    "alter table kc alter b type numeric(6,1)",
    "alter table kc alter a type bigint using a * 1000",
    "alter table kc alter a type bigint using a * 10, alter b type numeric(6,2)",
    "select * from kc order by a",
    "insert into kc values (100, 2)",
    "drop table kc",
    # a serial or identity primary key made bigint (Django's AutoField to BigAutoField) and back
    "create table sd (id int generated always as identity primary key, x int)",
    "create table ss (id serial primary key, x int)",
    "insert into sd (x) values (1), (2), (3)",
    "delete from sd where x = 3",
    "insert into ss (x) values (1)",
    "create table sc (id int references ss)",
    "insert into sc values (1)",
    "alter table sd alter id type bigint",
    "alter table ss alter id type bigint using id::bigint",
    "insert into sd (x) values (4) returning *",
    "insert into ss (x) values (4) returning *",
    "insert into sd (id, x) values (10, 1)",
    "select attname, attidentity, atttypid::regtype from pg_attribute where attrelid = 'sd'::regclass "
    "and attnum > 0 order by attnum",
    "select table_name, column_default, is_identity, data_type from information_schema.columns "
    "where table_name in ('ss', 'sd') order by table_name, ordinal_position",
    "select pg_get_serial_sequence('ss', 'id'), pg_get_serial_sequence('sd', 'id')",
    "alter table ss alter id type int",
    "insert into ss (x) values (5) returning *",
    "alter table ss alter id type text",
    "select * from sc",
    "drop table sc",
    "drop table ss",
    "drop table sd",
    # other types: an enum, arrays, jsonb, time stamps, bytea, boolean, char(n)
    "create type mood as enum ('sad', 'ok', 'happy')",
    "create table ty (a text, b int[], c text, d timestamp, e text, f int)",
    'insert into ty values (\'ok\', \'{1,2}\', \'{"x": 1}\', \'2024-01-02 03:04:05\', \'abc\', 3)',
    "alter table ty alter a type mood",
    "alter table ty alter a type mood using a::mood",
    "select a::text, a > 'sad' from ty",
    "alter table ty alter a type text",
    "alter table ty alter b type bigint[]",
    "select b, pg_typeof(b) from ty",
    "alter table ty alter c type jsonb using c::jsonb",
    "select c -> 'x' from ty",
    "alter table ty alter d type timestamptz",
    "select d from ty",
    "alter table ty alter d type date",
    "select d from ty",
    "alter table ty alter e type bytea using e::bytea",
    "select e from ty",
    "alter table ty alter f type boolean using f > 2",
    "select f from ty",
    "alter table ty alter f type int using f::int",
    "select f from ty",
    "alter table ty alter f type text",
    "alter table ty alter f type char(3)",
    "select f, length(f) from ty",
    "alter table ty alter f type float4 using 1.5",
    "select f from ty",
    "drop table ty",
    "drop type mood",
    # views and generated columns using the column
    "create table g (a int, b int generated always as (a * 2) stored, c text)",
    "insert into g (a, c) values (1, 'x'), (2, 'y')",
    "alter table g alter a type bigint",
    "alter table g alter b type bigint",
    "select a, b from g order by a",
    "create table other (c int, a int)",
    "create view ov as select g.a, other.c from g join other using (a)",
    "alter table g alter c type varchar(5)",
    "drop view ov",
    "drop table other",
    "create view gv as select c from g",
    "create view gv2 as select * from gv",
    "alter table g alter c type varchar(5)",
    "alter table g alter a type numeric",
    "alter table gv alter c type text",
    "select * from gv order by c",
    "drop view gv2",
    "drop view gv",
    "drop table g",
    "drop table child",
    "drop table parent",
    "drop table k",
    "drop table t",
]

reference = reference_database("differential_alter_column_type")
engine_session = engine_store("differential_alter_column_type")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


ERRORS_SETUP = "create table e (a int, b text default 'x', c int generated always as (a + 1) stored)"
ERRORS = [
    "alter table e alter b type integer",
    "alter table e alter b type integer using b::integer",
    "alter table e alter b type integer using b::boolean",
    "alter table e alter a type text",
    "alter table e alter a type bigint, alter a type integer",
]


@pytest.mark.parametrize("sql", ERRORS)
def test_same_error_detail_and_hint(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """PostgreSQL's SQLSTATE, message, DETAIL and HINT for a change it refuses."""
    reference.execute("drop table if exists e")
    reference.execute(ERRORS_SETUP)
    engine_session.execute(engine_session.prepare("drop table if exists e", ()), [])
    engine_session.execute(engine_session.prepare(ERRORS_SETUP, ()), [])
    assert_same_error(reference, engine_session, sql)


REFUSED = [
    ("create table r (id serial primary key, a int check (a > 0), b int)", None),
    ("alter table r alter a type text", "CHECK constraint"),
    ("alter table r alter id type text", "serial primary key"),
    ("create index r_expression on r ((b + 1))", None),
    ("alter table r alter b type text", "index expression"),
    ("create domain positive as int check (value > 0)", None),
    ("alter table r alter b type positive", "domain"),
    ("create temporary table rt (a int)", None),
    ("alter table rt alter a type bigint", "temporary table"),
    ("create table rs (id int primary key, parent int references rs (id) on delete restrict)", None),
    ("alter table rs alter parent type bigint", "ON DELETE RESTRICT"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    """What the store keeps translated for the old type is refused with 0A000 naming it (named
    None: a setup step that must succeed)."""
    assert_refused_clearly(engine_session, sql, named)
