"""Differential script for schemas: CREATE/ALTER/DROP SCHEMA, schema-qualified names, search_path
resolution of tables, views, indexes and sequences. Each statement runs against the engine and a
real PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE, transaction status), the
error message and the notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from heliosdb_lite.errors import DatabaseError
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

SCRIPT = [
    # creating and listing schemas
    "create schema sales",
    "create schema sales",
    "create schema if not exists sales",
    "create schema public",
    "create schema pg_mine",
    'create schema "Mixed Case"',
    "create schema authorization postgres",
    "select nspname from pg_namespace where nspname in ('sales', 'Mixed Case', 'postgres', 'public') "
    "order by nspname",
    "select current_schema()",
    # tables in a schema, qualified names
    "create table sales.orders (id serial primary key, item text not null, qty int check (qty > 0))",
    "create table orders (id int primary key, note text)",
    "insert into sales.orders (item, qty) values ('apple', 3), ('pear', 5) returning id, item",
    "insert into orders values (1, 'public one')",
    "select id, item, qty from sales.orders order by id",
    "select * from orders",
    "select sales.orders.item, o.qty from sales.orders join sales.orders o using (id) order by 1",
    "select currval('sales.orders_id_seq')",
    "insert into sales.orders (item, qty) values ('plum', 0)",
    "insert into sales.orders (item, qty) values (null, 1)",
    "insert into sales.orders (id, item, qty) values (1, 'dup', 1)",
    "update sales.orders set qty = qty + 1 where item = 'apple' returning qty",
    "delete from sales.orders where item = 'pear' returning id",
    "insert into sales.orders (id, item, qty) values (1, 'apple', 9) on conflict (id) do update "
    "set qty = excluded.qty returning id, qty",
    "select * from nosuch.orders",
    "create table nosuch.t (a int)",
    "create table sales.orders (a int)",
    "create table if not exists sales.orders (a int)",
    # search_path
    "set search_path = sales, public",
    "show search_path",
    "select current_schema()",
    "select id, item from orders order by id",
    "select note from public.orders",
    "create table lines (order_id int references orders (id), amount numeric(8,2))",
    "insert into lines values (1, 2.50)",
    "insert into lines values (42, 1)",
    "select o.item, l.amount from orders o join lines l on l.order_id = o.id",
    "select count(*) from sales.lines",
    "select count(*) from public.lines",
    "set search_path = public",
    "select count(*) from lines",
    "select note from orders",
    "set search_path = nosuch",
    "select current_schema()",
    "create table nowhere (a int)",
    "reset search_path",
    'set search_path = "Mixed Case"',
    "create table mixed (a int)",
    "insert into mixed values (7)",
    'select a from "Mixed Case".mixed',
    "reset search_path",
    # sequences, views and indexes in a schema
    "create sequence sales.counter start 10",
    "select nextval('sales.counter'), nextval('sales.counter')",
    "select nextval('counter')",
    "set search_path = sales, public",
    "select nextval('counter'), currval('counter')",
    "select setval('counter', 100), nextval('sales.counter')",
    "reset search_path",
    "create view sales.big as select item, qty from sales.orders where qty > 3",
    "select * from sales.big order by item",
    "create index on sales.orders (item)",
    "create unique index by_item on sales.orders (item, qty)",
    "select * from sales.orders where item = 'apple'",
    "drop index by_item",
    "drop index sales.by_item",
    "drop index sales.by_item",
    "drop index if exists sales.by_item",
    "create table sales.items (code text primary key, price numeric(6,2) default 0)",
    "insert into sales.items (code) values ('x') returning *",
    "alter table sales.items add column label varchar(5)",
    "alter table sales.items rename to goods",
    "select code, price, label from sales.goods",
    "select * from sales.items",
    "truncate sales.goods",
    "select count(*) from sales.goods",
    "create table sales.nums (id bigserial, n int)",
    "insert into sales.nums (n) values (1), (2) returning id",
    "alter sequence sales.counter restart with 5",
    "select nextval('sales.counter')",
    # transactions
    "begin",
    "create schema staging",
    "create table staging.t (a int)",
    "insert into staging.t values (1)",
    "rollback",
    "select * from staging.t",
    "create schema staging",
    "begin",
    "create table staging.t (a int)",
    "commit",
    "select count(*) from staging.t",
    # ALTER SCHEMA
    "alter schema staging rename to sales",
    "alter schema nosuch rename to other",
    "alter schema staging rename to archive",
    "select count(*) from archive.t",
    "select count(*) from staging.t",
    "alter schema archive owner to current_user",
    "alter schema archive owner to postgres",
    "create table archive.kept (id int primary key, v text unique)",
    "create index kept_v on archive.kept (v)",
    "create view archive.kept_view as select id from archive.kept",
    "insert into archive.kept values (1, 'a')",
    "alter schema archive rename to history",
    "select * from history.kept_view",
    "insert into history.kept values (2, 'a')",
    "select nspname from pg_namespace where nspname in ('archive', 'history')",
    "create schema moving",
    "create table moving.t (a int)",
    "insert into moving.t values (1)",
    "alter table moving.t add column n serial",
    "insert into moving.t (a) values (2) returning n",
    "drop schema moving cascade",
    "create schema moving",
    "create table moving.t (a int)",
    "insert into moving.t values (1) returning *",
    "drop schema moving cascade",
    # DROP SCHEMA
    "drop schema nosuch",
    "drop schema if exists nosuch",
    "drop schema history",
    "drop schema history restrict",
    "drop schema history cascade",
    "select * from history.kept",
    'drop schema "Mixed Case" cascade',
    "drop schema postgres",
    "create table sales.cascaded (a int)",
    "drop schema sales cascade",
    "select * from sales.orders",
    "select note from orders",
    "drop schema if exists sales, postgres",
    "select nspname from pg_namespace where nspname not like 'pg_%' order by nspname",
    # the way test suites reset a database: DROP SCHEMA public CASCADE; CREATE SCHEMA public
    "create table parent (id serial primary key, t text default 'x')",
    "create table child (id int references parent(id))",
    "create view parents as select * from parent",
    "create sequence counter",
    "create schema kept",
    "create table kept.t (x int)",
    "drop schema public",
    "drop schema public cascade",
    "select nspname from pg_namespace where nspname in ('public', 'kept') order by 1",
    "create table nowhere (x int)",
    "create table public.nowhere (x int)",
    "select count(*) from kept.t",
    "create schema public",
    "create schema public",
    "create table parent (id serial primary key)",
    "insert into parent default values returning id",
    "select tablename from pg_tables where schemaname = 'public'",
    "select nextval('counter')",
    "drop schema if exists public cascade",
    "create schema public",
    "drop schema kept cascade",
]


reference = reference_database("differential_schemas")
engine_session = engine_store("differential_schemas")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


def test_rename_refused_while_a_default_names_a_sequence_of_the_schema(engine_session: SQLiteSession) -> None:
    """ALTER SCHEMA RENAME is refused (0A000, naming the table) when a column default draws from
    a sequence named in the schema: SQLite cannot change a default in place, and a renamed
    schema whose defaults still name the old one would fail later."""
    for sql in ("create schema numbered", "create table numbered.t (a int, n bigserial)"):
        engine_session.execute(engine_session.prepare(sql, ()), [])
    with pytest.raises(DatabaseError) as refused:
        engine_session.execute(engine_session.prepare("alter schema numbered rename to renumbered", ()), [])
    assert (refused.value.sqlstate, "numbered.t" in refused.value.message) == ("0A000", True)
