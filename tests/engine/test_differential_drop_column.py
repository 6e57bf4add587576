"""Differential script for ALTER TABLE ... DROP COLUMN of a column SQLite cannot drop in place (the
table rebuilt, `engine/ddl/column_drops.py`): of the primary key (one column, or one of several,
the others keeping NOT NULL; a serial key), of a UNIQUE constraint or a multi-column one, of a
CREATE INDEX over several columns, used by a CHECK constraint, with a foreign key of its own; what
depends on it: views (2BP01, CASCADE drops them and the views over them), foreign keys of other
tables, SQLite's own or added by ALTER TABLE, of several columns, named, or of its own table
(2BP01, CASCADE drops the constraint), generated columns (2BP01); quoted names, another schema,
expression and partial indexes; a CHECK constraint or generated column whose name, strings or comments
hold the column's name (kept); DROP TYPE / DROP EXTENSION ... CASCADE of a key column's type;
inside a transaction, rolled back; pg_indexes, pg_constraint and pg_attribute after. Runs against
the engine and a real PostgreSQL 15; outcome, messages and notices must agree (and the DETAIL and
HINT of the refusals). Skipped without PostgreSQL."""

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

_CATALOG = ("select indexname, indexdef from pg_indexes where tablename = '{0}' order by indexname",
            "select conname, contype, pg_get_constraintdef(oid) from pg_constraint "
            "where conrelid = '{0}'::regclass and contype <> 'c' order by conname",
            "select attname, atttypid::regtype, attnotnull from pg_attribute "
            "where attrelid = '{0}'::regclass and attnum > 0 and not attisdropped order by attnum")


def _catalog(table: str) -> list[str]:
    """The catalog queries psql's \\d reads for a table: its indexes, constraints and columns."""
    return [query.format(table) for query in _CATALOG]


SCRIPT = [
    # the primary key's only column: the key goes with it
    "create table t1 (id int primary key, a int)",
    "insert into t1 values (1, 10), (2, 20)",
    "alter table t1 drop column id",
    "select * from t1 order by a",
    "insert into t1 values (10)",
    *_catalog("t1"),
    # one column of a primary key of two: the other keeps NOT NULL, the key goes
    "create table t2 (id int, b int, primary key (id, b))",
    "insert into t2 values (1, 2)",
    "alter table t2 drop column b",
    "insert into t2 values (null)",
    "insert into t2 values (1)",
    "select * from t2",
    *_catalog("t2"),
    # a serial key (SQLite's rowid): its sequence goes too
    "create table s1 (id serial primary key, x int)",
    "insert into s1 (x) values (5)",
    "alter table s1 drop column id",
    "insert into s1 (x) values (6)",
    "select * from s1 order by x",
    "select pg_get_serial_sequence('s1', 'x'), count(*) from pg_class where relname = 's1_id_seq'",
    # UNIQUE, a UNIQUE over two columns, indexes over several columns
    "create table u1 (a int unique, b int)",
    "insert into u1 values (1, 1)",
    "alter table u1 drop column a",
    "select * from u1",
    *_catalog("u1"),
    "create table u2 (a int, b int, c int, unique (a, b))",
    "insert into u2 values (1, 1, 1), (1, 2, 3)",
    "alter table u2 drop column b",
    "insert into u2 values (1, 1)",
    "select * from u2 order by c",
    *_catalog("u2"),
    "create table d1 (id int primary key, a int unique, b int, c int, unique (b, c))",
    "create index on d1 (a, c)",
    "create index on d1 ((c + 1))",
    "create index d1_b on d1 (b)",
    "insert into d1 values (1, 1, 1, 1)",
    "alter table d1 drop column c",
    *_catalog("d1"),
    "alter table d1 drop column id, drop column a",
    *_catalog("d1"),
    "select * from d1",
    "insert into d1 values (1)",
    "alter table d1 drop column b",
    "select count(*) from d1",
    # CHECK constraints over the column go; NOT NULL and defaults of the others stay
    "create table ck (id int primary key, a int check (a > id), b int constraint b_positive check (b > 0))",
    "insert into ck values (1, 2, 3)",
    "alter table ck add constraint ab check (a < b + id)",
    "alter table ck drop column id",
    "insert into ck values (0, 1)",
    "insert into ck values (0, -1)",
    "select * from ck order by a",
    *_catalog("ck"),
    # a CHECK constraint stays when only its name, a string or a comment holds the column's name
    "create table ck2 (a int, b text check (b <> 'a'), c text check (c ~ 'a+'), d jsonb check (d ? 'a'))",
    "alter table ck2 add constraint a check (length(b) < 5 /* a */)",
    "alter table ck2 add constraint ck2_mixed check (b <> 'q' and c <> b)",
    "create index ck2_ca on ck2 (c) where c <> 'a'",
    "alter table ck2 drop column a",
    "select indexname from pg_indexes where tablename = 'ck2'",
    "insert into ck2 values ('a', 'aa', '{}')",
    "insert into ck2 values ('x', 'b', '{}')",
    "insert into ck2 values ('x', 'aa', '{\"b\": 1}')",
    "insert into ck2 values ('abcdef', 'aa', '{\"a\": 1}')",
    "insert into ck2 values ('q', 'aa', '{\"a\": 1}')",
    "insert into ck2 values ('b', 'aa', '{\"a\": 1}')",
    "alter table ck2 drop column b",
    "insert into ck2 values ('a', '{}')",
    "insert into ck2 values ('aa', '{\"a\": 1}')",
    "select * from ck2 order by c",
    "create table gq (a int, b text, g text generated always as (b || 'a') stored)",
    "alter table gq drop column a",
    "insert into gq values ('x')",
    "select * from gq",
    "create table nt (id int primary key, a int not null, b text default 'x')",
    "insert into nt values (1, 2)",
    "alter table nt drop column id",
    "insert into nt (a) values (null)",
    "insert into nt (a) values (3)",
    "select * from nt order by a",
    # a foreign key of the table's own: it goes with its column
    "create table pp (id int primary key, v int)",
    "create table cc (id int references pp (id) on delete cascade, w int)",
    "insert into pp values (1, 1), (2, 2)",
    "insert into cc values (1, 1), (2, 2)",
    "alter table cc drop column id",
    "select * from cc order by w",
    "delete from pp where id = 1",
    "select * from cc order by w",
    "create table ch (id int primary key, pid int references ch, v int)",
    "insert into ch values (1, null, 1), (2, 1, 2)",
    "alter table ch drop column pid",
    "select * from ch order by id",
    *_catalog("ch"),
    # foreign keys of other tables referencing it: 2BP01, CASCADE drops them
    "create table p (id int primary key, v int)",
    "create table c (pid int references p, w int)",
    "insert into p values (1, 1)",
    "insert into c values (1, 1)",
    "alter table p drop column id",
    "alter table p drop column id cascade",
    "insert into c values (5, 5)",
    "select * from c order by w",
    "select * from p",
    *_catalog("c"),
    "create table p2 (id int primary key, v int)",
    "create table c2 (pid int, w int)",
    "alter table c2 add constraint c2_fk foreign key (pid) references p2 (id)",
    "insert into p2 values (1, 1)",
    "insert into c2 values (1, 1)",
    "alter table p2 drop column id",
    "alter table p2 drop column id cascade",
    "insert into c2 values (9, 9)",
    "delete from p2",
    "select * from c2 order by w",
    "create table c3 (pid int, w int)",
    "alter table c3 add constraint c3_fk foreign key (pid) references p2 (v)",
    "alter table c3 drop column pid",
    "delete from p2",
    "insert into c3 values (7)",
    # a foreign key of two columns, named; one referencing its own table
    "create table pn (a int, b int, primary key (a, b))",
    "create table cn (x int, y int, constraint named_fk foreign key (x, y) references pn (a, b))",
    "insert into pn values (1, 2)",
    "insert into cn values (1, 2)",
    "alter table pn alter b type bigint",  # a key of two columns referencing it: rebuilt too
    "select * from cn",
    "alter table pn drop column b",
    "alter table pn drop column b cascade",
    "insert into cn values (5, 5)",
    *_catalog("cn"),
    "create table tree (id int primary key, parent int references tree, v int)",
    "insert into tree values (1, null, 1), (2, 1, 2)",
    "alter table tree drop column id",
    "alter table tree drop column id cascade",
    "insert into tree values (9, 3)",
    "select * from tree order by v",
    # quoted names, another schema; indexes by expression, partial, unique
    "create schema s",
    'create table s.k ("Id" int primary key, "B" int unique, c int)',
    "insert into s.k values (1, 1, 1)",
    'alter table s.k drop column "Id", drop column "B"',
    "select * from s.k",
    "select indexname from pg_indexes where schemaname = 's'",
    "create table ui (a int, b int)",
    "create unique index ui_ab on ui (a, b)",
    "create index ui_expr on ui ((a + b))",
    "create index ui_part on ui (b) where a > 0",
    "insert into ui values (1, 1)",
    "alter table ui drop column a",
    "select indexname from pg_indexes where tablename = 'ui'",
    "insert into ui values (1)",
    "select * from ui",
    # views: 2BP01, CASCADE drops them and the views over them
    "create table vt (id int primary key, a int, b int)",
    "create view vv as select id, a from vt",
    "create view vv2 as select a from vv",
    "alter table vt drop column id",
    "alter table vt drop column a",
    "alter table vt drop column b",
    "select * from vv2",
    "alter table vt drop column id cascade",
    "select * from vv2",
    "select * from vt",
    "create table pq (id serial primary key, v int)",
    "create view pqv as select * from pq",
    "alter table pq drop column id",
    "alter table pq drop column id cascade",
    "insert into pq (v) values (3)",
    "select * from pq",
    # a generated column computed from it
    "create table gg (id int primary key, a int, b int generated always as (a * 2) stored)",
    "insert into gg (id, a) values (1, 2)",
    "alter table gg drop column id",
    "alter table gg drop column a",
    "select * from gg",
    # columns missing, IF EXISTS
    "alter table gg drop column nosuch",
    "alter table gg drop column if exists nosuch",
    "alter table gg drop column if exists nosuch, drop column if exists b",
    "select * from gg",
    # inside a transaction: rolled back, nothing changed; committed, dropped
    "create table tx (id int primary key, a int)",
    "insert into tx values (1, 1)",
    "begin",
    "alter table tx drop column id",
    "select * from tx",
    "rollback",
    "select * from tx",
    "insert into tx values (1, 2)",
    "begin",
    "alter table tx drop column id",
    "insert into tx values (1)",
    "commit",
    "select * from tx order by a",
    # DROP TYPE / DROP EXTENSION ... CASCADE of a key column's type
    "create type mood as enum ('sad', 'ok')",
    "create table e1 (m mood primary key, a int)",
    "insert into e1 values ('ok', 1)",
    "drop type mood",
    "drop type mood cascade",
    "select * from e1",
    "insert into e1 values (1)",
    "create extension citext",
    "create table e2 (a int, c citext, primary key (a, c))",
    "insert into e2 values (1, 'x')",
    "drop extension citext cascade",
    "select * from e2",
    "insert into e2 values (null)",
    *_catalog("e2"),
]

reference = reference_database("differential_drop_column")
engine_session = engine_store("differential_drop_column")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


ERRORS_SETUP = ["drop view if exists ev2", "drop view if exists ev", "drop table if exists ec",
                "drop table if exists ef", "drop table if exists ep",
                "create table ep (id int primary key, a int, b int generated always as (a + 1) stored)",
                "create table ec (pid int references ep, x int)",
                "create table ef (pid int, y int)",
                "alter table ef add constraint ef_fk foreign key (pid) references ep (id)",
                "create view ev as select id, a from ep", "create view ev2 as select * from ev"]
ERRORS = [
    "alter table ep drop column id",
    "alter table ep drop column a",
    "alter table ep drop column b, drop column a",
]


@pytest.mark.parametrize("sql", ERRORS)
def test_same_error_detail_and_hint(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """PostgreSQL's SQLSTATE, message, DETAIL and HINT for a column other objects depend on."""
    for setup in ERRORS_SETUP:
        reference.execute(setup)
        engine_session.execute(engine_session.prepare(setup, ()), [])
    assert_same_error(reference, engine_session, sql)


REFUSED = [
    ("create table r (id int primary key, a int, b int generated always as (a + 1) stored)", None),
    ("alter table r drop column a cascade", "generated column b"),
    ("alter table r drop column id, add column c int", "together with other actions"),
    ("create temporary table rt (id int primary key, a int)", None),
    ("alter table rt drop column id", "temporary table"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str | None) -> None:
    """What the rebuild cannot do is refused with 0A000 naming it (named None: a setup step)."""
    assert_refused_clearly(engine_session, sql, named)
