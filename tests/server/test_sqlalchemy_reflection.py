"""SQLAlchemy 2 reflection through its psycopg dialect answers on HeliosDB-Lite what it answers on
PostgreSQL 15 for the same schema, in public and in a user schema: schema, table and view names,
columns (types, defaults, nullability, identity options), primary keys, foreign keys across schemas,
indexes, unique constraints, CHECK constraints, keys added by ALTER TABLE, has_table, `Table(...,
autoload_with=)` and `MetaData.reflect()`. The
reg* casts SQLAlchemy and other clients write (`'s.t'::regclass`, `oid::regclass::text`, regtype,
regnamespace) print and fail as PostgreSQL's do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.base import PGInspector

from testsupport.server_process import ServerProcess

DATABASE = "sqlalchemy_reflection"  # on the session's reference server, these objects' own database
DDL = (
    "create schema s",
    "create table s.t(id serial primary key, a text not null default 'x', b varchar(10) unique, "
    "c numeric(5,2), d timestamptz default now(), e boolean default true)",
    "create index t_a_idx on s.t(a)",
    "create table s.u(id int primary key, t_id int references s.t(id), code char(3), unique (t_id, code))",
    "create view s.v as select id, count(*) as n from s.t group by id",
    "create table p(id int generated always as identity primary key, note varchar(20), s_id int "
    "references s.t(id))",
    "create index p_note_s_id_idx on p(note, s_id)",
    "create table q(k1 int, k2 bigint, primary key (k1, k2))",
    "create sequence s.seq",
    'create schema "Mixed Case"',
    'create table "Mixed Case"."Tab"(x int primary key, "Y" text, z bigserial)',
    'create index "Tab_Y_idx" on "Mixed Case"."Tab"("Y")',
    "create domain code as varchar(5) not null constraint code_filled check (value <> '') "
    "check (length(value) < 4)",
    "create table ck(id int, a int check (a > 0), b text, c varchar(10), r int, check (a < r), "
    "constraint ck_named check (b <> '' and a is not null))",
    "alter table ck add check (c in ('x', 'y'))",
    "alter table ck add constraint ck_pk primary key (id)",
    "alter table ck add unique (b)",
    "alter table ck add foreign key (r) references p(id) on delete cascade",
    "create index on ck (lower(b))",
    "create unique index ck_expressions on ck (a, (r + 1))",
    "create index ck_descending on ck (a desc, b)",
    # named as SQLAlchemy's and Alembic's naming conventions name them
    "create table nk(id int, code text, n int, p_id int, constraint pk_nk primary key (id), "
    "constraint uq_nk_code unique (code), constraint ck_nk_positive check (n > 0), "
    "constraint fk_nk_p_id_p foreign key (p_id) references p (id))",
)


def make_engine(host: str, port: int, database: str) -> sa.Engine:
    return sa.create_engine(f"postgresql+psycopg://postgres@{host}:{port}/{database}",
                            connect_args={"connect_timeout": 10})


@pytest.fixture(scope="module")
def heliosdb(shared_server: ServerProcess) -> Iterator[sa.Engine]:
    engine = make_engine(shared_server.host, shared_server.port, "postgres")
    with engine.begin() as connection:
        for statement in DDL:
            connection.exec_driver_sql(statement)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def postgres(reference_pg: str) -> Iterator[sa.Engine]:
    with psycopg.connect(reference_pg, autocommit=True) as admin:
        admin.execute(f"drop database if exists {DATABASE}")
        admin.execute(f"create database {DATABASE}")
    fields = dict(item.split("=", 1) for item in reference_pg.split())
    engine = make_engine(fields["host"], int(fields["port"]), DATABASE)
    with engine.begin() as connection:
        for statement in DDL:
            connection.exec_driver_sql(statement)
    yield engine
    engine.dispose()


def comparable(value: Any) -> Any:
    """Reflected values with SQLAlchemy type objects replaced by their DDL text."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [comparable(item) for item in value]
    if isinstance(value, sa.types.TypeEngine):
        return repr(value)
    return value


INSPECTIONS: dict[str, Callable[[PGInspector], Any]] = {
    "schema names": lambda i: i.get_schema_names(),
    "public tables": lambda i: sorted(i.get_table_names()),  # PostgreSQL lists them in OID order
    "schema tables": lambda i: i.get_table_names(schema="s"),
    "schema views": lambda i: i.get_view_names(schema="s"),
    "public views": lambda i: i.get_view_names(),
    "serial, defaults": lambda i: i.get_columns("t", schema="s"),
    "identity column": lambda i: i.get_columns("p"),
    "view columns": lambda i: i.get_columns("v", schema="s"),
    "primary key": lambda i: i.get_pk_constraint("t", schema="s"),
    "composite key": lambda i: i.get_pk_constraint("q"),
    "foreign keys in schema": lambda i: i.get_foreign_keys("u", schema="s"),
    "foreign key into schema": lambda i: i.get_foreign_keys("p"),
    "indexes": lambda i: i.get_indexes("t", schema="s"),
    "multi-column index": lambda i: i.get_indexes("p"),
    "unique constraints": lambda i: i.get_unique_constraints("u", schema="s"),
    "check constraints": lambda i: i.get_check_constraints("ck"),
    "expression indexes": lambda i: i.get_indexes("ck"),
    "domain constraints": lambda i: i.get_domains(),
    "named constraints": lambda i: [i.get_pk_constraint("nk"), i.get_unique_constraints("nk"),
                                    i.get_check_constraints("nk"), i.get_foreign_keys("nk"),
                                    i.get_indexes("nk")],
    "keys added by alter table": lambda i: [i.get_pk_constraint("ck"), i.get_unique_constraints("ck"),
                                            i.get_foreign_keys("ck")],
    "has table in schema": lambda i: [i.has_table("u", schema="s"), i.has_table("u"), i.has_table("p"),
                                      i.has_table("nosuch", schema="s")],
    "has schema": lambda i: [i.has_schema("s"), i.has_schema("nosuch")],
    "multi-table columns": lambda i: sorted(i.get_multi_columns(schema="s").items()),
    "sequences": lambda i: [sorted(i.get_sequence_names(schema="s")), i.get_sequence_names(),
                            i.has_sequence("seq", schema="s"), i.has_sequence("seq")],
    "no enums, checks or comments": lambda i: [
        i.get_enums(), i.get_enums(schema="s"), i.get_domains(schema="s"),
        i.get_check_constraints("t", schema="s"),
        i.get_table_comment("t", schema="s"), i.get_table_options("t", schema="s"),
        i.get_materialized_view_names(schema="s"), i.get_temp_table_names()],
    "mixed-case schema": lambda i: [i.get_table_names(schema="Mixed Case"),
                                    i.get_columns("Tab", schema="Mixed Case"),
                                    i.get_pk_constraint("Tab", schema="Mixed Case"),
                                    i.get_indexes("Tab", schema="Mixed Case")],
}


@pytest.mark.parametrize("inspection", INSPECTIONS, ids=list(INSPECTIONS))
def test_inspector_answers_as_postgresql(heliosdb: sa.Engine, postgres: sa.Engine, inspection: str) -> None:
    inspect = INSPECTIONS[inspection]
    assert comparable(inspect(pg_inspector(heliosdb))) == comparable(inspect(pg_inspector(postgres)))


def pg_inspector(engine: sa.Engine) -> PGInspector:
    inspector = sa.inspect(engine)
    assert isinstance(inspector, PGInspector)
    return inspector


def described(table: sa.Table) -> list[Any]:
    return [table.fullname,
            [(c.name, repr(c.type), c.nullable, c.primary_key, str(c.server_default.arg)
              if c.server_default is not None and hasattr(c.server_default, "arg") else None)
             for c in table.columns],
            sorted((fk.parent.name, fk.target_fullname) for fk in table.foreign_keys),
            sorted((index.name, [c.name for c in index.columns], index.unique) for index in table.indexes)]


@pytest.mark.parametrize(("name", "schema"), [("t", "s"), ("u", "s"), ("p", None), ("q", None)])
def test_table_autoload(heliosdb: sa.Engine, postgres: sa.Engine, name: str, schema: str | None) -> None:
    ours = sa.Table(name, sa.MetaData(), autoload_with=heliosdb, schema=schema)
    theirs = sa.Table(name, sa.MetaData(), autoload_with=postgres, schema=schema)
    assert described(ours) == described(theirs)


@pytest.mark.parametrize("schema", [None, "s"])
def test_metadata_reflect(heliosdb: sa.Engine, postgres: sa.Engine, schema: str | None) -> None:
    ours, theirs = sa.MetaData(), sa.MetaData()
    ours.reflect(heliosdb, schema=schema, views=True)
    theirs.reflect(postgres, schema=schema, views=True)
    assert sorted(ours.tables) == sorted(theirs.tables)
    assert [described(ours.tables[name]) for name in sorted(ours.tables)] == \
        [described(theirs.tables[name]) for name in sorted(theirs.tables)]


@pytest.mark.parametrize("query", [
    "select 's.t'::regclass::text, 'p'::regclass::text, 'S.T'::regclass::text",
    "select to_regclass('s.t') is not null, to_regclass('t') is null, to_regclass('s.nosuch') is null",
    "select c.oid::regclass::text from pg_class c join pg_namespace n on n.oid = c.relnamespace "
    "where n.nspname = 's' and c.relkind = 'r' order by 1",
    "select 'int4'::regtype::text, 'character varying'::regtype::text, 'text[]'::regtype::text",
    "select 's'::regnamespace::text, 'public'::regnamespace::text",
    "select cast(cast('s.u' as regclass) as text)",
    "select pg_get_serial_sequence('s.t', 'id'), pg_get_serial_sequence('p', 'id')",
    "select count(*) from pg_class where oid = 's.t'::regclass",
    "set search_path = s, public; select 's.t'::regclass::text, 'p'::regclass::text",
])
def test_reg_casts_as_postgresql(heliosdb: sa.Engine, postgres: sa.Engine, query: str) -> None:
    assert run(heliosdb, query) == run(postgres, query)


@pytest.mark.parametrize(("query", "sqlstate"), [
    ("select 'nosuch'::regclass", "42P01"),
    ("select 's.nosuch'::regclass", "42P01"),
    ("select 'nosuch'::regtype", "42704"),
    ("select 'nosuch'::regnamespace", "3F000"),
])
def test_reg_cast_errors_as_postgresql(heliosdb: sa.Engine, postgres: sa.Engine, query: str,
                                       sqlstate: str) -> None:
    for engine in (heliosdb, postgres):
        with pytest.raises(sa.exc.DBAPIError) as raised:
            run(engine, query)
        assert isinstance(raised.value.orig, psycopg.Error) and raised.value.orig.sqlstate == sqlstate


def run(engine: sa.Engine, script: str) -> list[tuple[Any, ...]]:
    """The rows of the last of `script`'s ;-separated statements, run on one connection."""
    with engine.connect() as connection:
        *setup, query = script.split("; ")
        for statement in setup:
            connection.exec_driver_sql(statement)
        return [tuple(row) for row in connection.exec_driver_sql(query)]
