"""Differential script for constraints as pg_constraint, pg_get_constraintdef and
information_schema.table_constraints show them: CHECK constraints of CREATE TABLE and of ALTER TABLE
ADD CHECK (their names, conkey, and PostgreSQL's deparsed text, plain and pretty), the primary keys,
unique constraints and foreign keys ALTER TABLE adds (with their ON UPDATE / ON DELETE actions),
the CHECK constraints of domains, and the names PostgreSQL chooses for constraints left unnamed
(ChooseConstraintName, numbered past the names taken: a CHECK's `<table>_<column>_check` of one
column or `<table>_check`, a foreign key's, ADD PRIMARY KEY's `<table>_pkey1` when another relation
has `<table>_pkey`) or given in CREATE TABLE. Runs against the engine and a real PostgreSQL 15;
outcome, messages and notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)


def _constraints(table: str) -> str:
    return ("select conname, contype, conkey::text, confkey::text, confupdtype, confdeltype, "
            "pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) from pg_constraint "
            f"where conrelid = '{table}'::regclass order by conname")


SCRIPT = [
    "create table t (a int check (a > 0), b text check (b <> ''), c varchar(10) check (length(c) < 5), "
    "d numeric check (d between 1 and 10), e int check (e in (1, 2, 3)), check (a < e), "
    "check (b like 'x%'), check (a > 0 and e is not null or c is null))",
    _constraints("t"),
    "create table u (i int, j bigint, s smallint, t text, v varchar(10), c char(3), n numeric(10,2), "
    "f float8, r real, b boolean, d date, ts timestamp, "
    "check (n > 0), check (f > 1.5), check (i > 1.5), check (v = 'x'), check (c = 'x'), check (b), "
    "check (not b), check (d > '2020-01-01'), check (ts < now()), check (t in ('a', 'b')), "
    "check (v in ('a', 'b')), check (i not in (1, 2)), check (i not between 1 and 5), "
    "check (t not like 'a%'), check (t ilike 'a%'), check (t ~ '^a'), check (i + j * 2 > 0), "
    "check (-i < 0), check (lower(v) = v), check (i is null or j is null), check (i <> -1), "
    "check (i > 0 and j > 0 and s > 0), check (i >= 0 or i < 0 and j is null), check (i::text <> ''), "
    "check (coalesce(i, 0) >= 0), check ((i % 2) = 0), check (t || 'x' <> 'yx'), "
    "check (case when i > 0 then true else false end), check (b is not false), "
    "check (i = any (array[1, 2])))",
    _constraints("u"),
    # added by ALTER TABLE: named as PostgreSQL names them, numbered past the names taken
    "alter table t add check (a <> 5)",
    "alter table t add constraint named check (lower(b) = b)",
    "alter table t add unique (e)",
    "alter table t add constraint pk primary key (a)",
    "create table p (x int primary key, y int unique)",
    "alter table t add foreign key (e) references p",
    "alter table t add foreign key (e) references p",
    "alter table t add constraint fk2 foreign key (a) references p (x) on delete cascade on update set null",
    "create table child (k int references p on delete set null, l int references p (y) on update cascade)",
    _constraints("t"),
    _constraints("child"),
    # Django's introspection (get_constraints): conkey and confkey are int2[]
    "select c.conname, array(select attname from unnest(c.conkey) with ordinality cols(colid, arridx) "
    "join pg_attribute as ca on cols.colid = ca.attnum where ca.attrelid = c.conrelid order by cols.arridx), "
    "c.contype, (select fkc.relname || '.' || fka.attname from pg_attribute as fka join pg_class as fkc "
    "on fka.attrelid = fkc.oid where fka.attrelid = c.confrelid and fka.attnum = c.confkey[1]) "
    "from pg_constraint as c join pg_class as cl on c.conrelid = cl.oid "
    "where cl.relname = 't' and pg_catalog.pg_table_is_visible(cl.oid) order by 1",
    "select constraint_name, constraint_type from information_schema.table_constraints "
    "where table_name = 't' and constraint_name not like '%not_null' order by constraint_name",
    # the constraints are enforced under the names shown
    "insert into p values (0, 0), (1, 1)",
    "insert into t values (0, 'x', 'a', 2, 1)",
    "alter table t drop constraint t_a_check1",
    _constraints("t"),
    # a CHECK named twice in one CREATE TABLE
    "create table w (a int, check (a > 1), constraint w_a_check check (a > 0))",
    "create table w (a int check (b > 0), b int check (1 > 0), c int check (c > 0) check (c < 9), "
    "check (c <> 5))",
    _constraints("w"),
    "create table w2 (a int, constraint w2_a_check check (a > 0))",
    "alter table w2 add check (a > 1)",
    _constraints("w2"),
    # an unnamed primary key whose <table>_pkey another relation has: <table>_pkey1
    "create table k_pkey (x int)",
    "create table k (a int, b int)",
    "alter table k add primary key (a)",
    _constraints("k"),
    "select indexname from pg_indexes where tablename = 'k'",
    "insert into k values (1, 1)",
    "insert into k values (1, 2)",
    "alter table k add primary key (b)",
    "create table kf (a int references k)",
    _constraints("kf"),
    # foreign keys of CREATE TABLE on the same columns: numbered
    "create table r (a int primary key, b int unique)",
    "create table f (a int references r, b int references r(b), c int, foreign key (a) references r, "
    "constraint f_c_fkey foreign key (c) references r)",
    _constraints("f"),
    # several constraints added by one ALTER TABLE: each numbered past the ones before
    "create table m3 (a int, b int)",
    "alter table m3 add constraint m3_a_check check (a > 0), add check (a > 1), add unique (a), "
    "add unique (a), add foreign key (b) references r, add foreign key (b) references r",
    _constraints("m3"),
    # the keys of CREATE TABLE: named as written, else numbered past a relation's name
    "create table n1 (a int, b int, constraint mypk primary key (a), constraint myuq unique (b))",
    "create table n2 (a int constraint pk2 primary key, b int constraint uq2 unique)",
    "create table sv (id serial constraint sv_pk primary key, v text)",
    "create table m_a_key (x int)",
    "create table m_pkey (x int)",
    "create table m (id int primary key, a int unique, b int, unique (b), unique (a, b))",
    "select conrelid::regclass::text, conname, contype from pg_constraint "
    "where conrelid in ('n1'::regclass, 'n2'::regclass, 'sv'::regclass, 'm'::regclass) order by 1, 2",
    "select tablename, indexname from pg_indexes where tablename in ('n1', 'n2', 'sv', 'm') order by 1, 2",
    "insert into n1 values (1, 1)",
    "insert into n1 values (1, 2)",
    "insert into n1 values (2, 1)",
    "insert into n1 values (3, 3) on conflict on constraint mypk do nothing",
    "insert into n1 values (4, 1) on conflict on constraint myuq do update set a = 9",
    "select * from n1 order by a",
    "insert into m values (1, 1, 1)",
    "insert into m values (2, 1, 2)",
    "insert into m values (1, 3, 3)",
    "insert into sv (v) values ('a') returning id",
    "insert into sv values (1, 'b')",
    # RENAME COLUMN: the CHECKs' texts and conkey follow it
    "create table rc (a int check (a > 0), b text, c int, lower int, check (a < c and lower(b) <> ''))",
    "alter table rc add check (b <> 'b' and lower > 0)",
    "alter table rc rename column a to x",
    "alter table rc rename column b to \"Weird\"",
    "alter table rc rename column lower to text",
    _constraints("rc"),
    # the CHECK constraints of domains (conrelid 0, contypid the domain)
    "create domain dpos as int constraint dpos_positive check (value > 0)",
    "create domain dtext as varchar(5) not null check (value <> '') check (length(value) < 4)",
    "select conname, contype, contypid::regtype::text, conrelid, conkey::text, pg_get_constraintdef(oid), "
    "pg_get_constraintdef(oid, true) from pg_constraint "
    "where contypid <> 0 and connamespace = 'public'::regnamespace order by 1",
]

reference = reference_database("differential_constraint_catalog")
engine_session = engine_store("differential_constraint_catalog")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
