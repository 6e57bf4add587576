"""The pg_catalog slice: the queries psql 15 and SQLAlchemy send (taken from the wire captures)
translate, answer with PostgreSQL's column names and type OIDs, and describe the user's tables."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from heliosdb_lite.engine.pg_catalog import relations
from heliosdb_lite.engine.pg_catalog.relations import normalize
from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import DatabaseError
from tests.engine.helpers import columns, rows, run

LIST_TABLES = """SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;"""  # noqa: E501 - psql's text, verbatim

FIND_TABLE = """SELECT c.oid,
  n.nspname,
  c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(cat_items)$' COLLATE pg_catalog.default
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 2, 3;"""

TABLE_INFO = """SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname
FROM pg_catalog.pg_class c
 LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
WHERE c.oid = '{oid}';"""  # noqa: E501

ATTRIBUTES = """SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
   FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity,
  a.attgenerated
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '{oid}' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;"""

INDEXES = """SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
  pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace
FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
  LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
WHERE c.oid = '{oid}' AND c.oid = i.indrelid AND i.indexrelid = c2.oid
ORDER BY i.indisprimary DESC, c2.relname;"""  # noqa: E501

POLICIES = """SELECT pol.polname, pol.polpermissive,
  CASE WHEN pol.polroles = '{{0}}' THEN NULL ELSE pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (pol.polroles) order by 1),',') END,
  pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
  pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),
  CASE pol.polcmd
    WHEN 'r' THEN 'SELECT'
    WHEN 'a' THEN 'INSERT'
    WHEN 'w' THEN 'UPDATE'
    WHEN 'd' THEN 'DELETE'
    END AS cmd
FROM pg_catalog.pg_policy pol
WHERE pol.polrelid = '{oid}' ORDER BY 1;"""  # noqa: E501

DATABASES = """SELECT d.datname as "Name",
       pg_catalog.pg_get_userbyid(d.datdba) as "Owner",
       pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding",
       d.datcollate as "Collate",
       d.datctype as "Ctype",
       d.daticulocale as "ICU Locale",
       CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider",
       pg_catalog.array_to_string(d.datacl, E'\\n') AS "Access privileges"
FROM pg_catalog.pg_database d
ORDER BY 1;"""

HSTORE_LOOKUP = """SELECT
    typname AS name, oid, typarray AS array_oid,
    oid::regtype::text AS regtype, typdelim AS delimiter
FROM pg_type t
WHERE t.oid = to_regtype($1)
ORDER BY t.oid
"""

HAS_TABLE = """SELECT pg_catalog.pg_class.relname
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace
WHERE pg_catalog.pg_class.relname IN ($1::VARCHAR) AND pg_catalog.pg_class.relkind = ANY (ARRAY[$2::VARCHAR, $3::VARCHAR, $4::VARCHAR, $5::VARCHAR, $6::VARCHAR]) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != $7::VARCHAR"""  # noqa: E501

SCHEMA = ("create table cat_items(id serial primary key, name text not null default 'x', "
          "price numeric(10,2), code varchar(20) unique, created timestamptz default now())",
          "create index on cat_items(name)")


@pytest.fixture
def described(session: SQLiteSession) -> tuple[SQLiteSession, int]:
    for statement in SCHEMA:
        run(session, statement)
    ((oid, namespace, name),) = rows(session, FIND_TABLE)
    assert (namespace, name) == ("public", "cat_items")
    return session, oid


def test_list_tables_columns_and_rows(described: tuple[SQLiteSession, int]) -> None:
    session, _ = described
    assert columns(session, LIST_TABLES) == [("Schema", 19, -1), ("Name", 19, -1), ("Type", 25, -1),
                                             ("Owner", 19, -1)]
    assert rows(session, LIST_TABLES) == [("public", "cat_items", "table", "postgres")]


def test_find_table_by_psql_pattern(described: tuple[SQLiteSession, int]) -> None:
    session, oid = described
    assert columns(session, FIND_TABLE) == [("oid", 26, -1), ("nspname", 19, -1), ("relname", 19, -1)]
    assert oid >= 16384


def test_table_oid_is_the_same_in_every_session(described: tuple[SQLiteSession, int],
                                                engine: SQLiteEngine) -> None:
    _, oid = described
    other = engine.open_session("postgres", "postgres", {})
    assert rows(other, "select oid from pg_class where relname = 'cat_items'") == [(oid,)]


def test_table_info(described: tuple[SQLiteSession, int]) -> None:
    session, oid = described
    ((relchecks, relkind, has_index, *_, amname),) = rows(session, TABLE_INFO.format(oid=oid))
    assert (relchecks, relkind, has_index, amname) == (0, "r", True, "heap")
    assert [type_oid for _, type_oid, _ in columns(session, TABLE_INFO.format(oid=oid))] == [
        21, 18, 16, 16, 16, 16, 16, 16, 16, 25, 26, 25, 18, 18, 19]


def test_attributes_as_psql_shows_them(described: tuple[SQLiteSession, int]) -> None:
    session, oid = described
    query = ATTRIBUTES.format(oid=oid)
    assert [(name, type_oid) for name, type_oid, _ in columns(session, query)] == [
        ("attname", 19), ("format_type", 25), ("pg_get_expr", 25), ("attnotnull", 16), ("attcollation", 19),
        ("attidentity", 18), ("attgenerated", 18)]
    assert rows(session, query) == [
        ("id", "integer", "nextval('cat_items_id_seq'::regclass)", True, None, "", ""),
        ("name", "text", "'x'::text", True, None, "", ""),
        ("price", "numeric(10,2)", None, False, None, "", ""),
        ("code", "character varying(20)", None, False, None, "", ""),
        ("created", "timestamp with time zone", "now()", False, None, "", ""),
    ]


def test_indexes_with_postgresql_constraint_names(described: tuple[SQLiteSession, int]) -> None:
    session, oid = described
    found = [(name, primary, unique, definition, constraint, kind)
             for name, primary, unique, _, _, definition, constraint, kind, *_ in
             rows(session, INDEXES.format(oid=oid))]
    assert found == [
        ("cat_items_pkey", True, True,
         "CREATE UNIQUE INDEX cat_items_pkey ON public.cat_items USING btree (id)", "PRIMARY KEY (id)", "p"),
        ("cat_items_code_key", False, True,
         "CREATE UNIQUE INDEX cat_items_code_key ON public.cat_items USING btree (code)",
         "UNIQUE (code)", "u"),
        ("cat_items_name_idx", False, False,
         "CREATE INDEX cat_items_name_idx ON public.cat_items USING btree (name)", None, None),
    ]


def test_query_over_an_empty_catalog_relation_has_psqls_columns_and_no_rows(
        described: tuple[SQLiteSession, int]) -> None:
    session, oid = described
    query = POLICIES.format(oid=oid)
    assert [(name, type_oid) for name, type_oid, _ in columns(session, query)] == [
        ("polname", 19), ("polpermissive", 16), ("array_to_string", 25), ("pg_get_expr", 25),
        ("pg_get_expr", 25), ("cmd", 25)]
    assert rows(session, query) == []


LIST_ROLES = """SELECT r.rolname, r.rolsuper, r.rolinherit,
  r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
  r.rolconnlimit, r.rolvaliduntil,
  ARRAY(SELECT b.rolname
        FROM pg_catalog.pg_auth_members m
        JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid)
        WHERE m.member = r.oid) as memberof
, r.rolreplication
, r.rolbypassrls
FROM pg_catalog.pg_roles r
WHERE r.rolname !~ '^pg_'
ORDER BY 1;"""  # psql 15's \du


def test_roles_as_psql_lists_them(session: SQLiteSession) -> None:
    assert [(name, type_oid) for name, type_oid, _ in columns(session, LIST_ROLES)] == [
        ("rolname", 19), ("rolsuper", 16), ("rolinherit", 16), ("rolcreaterole", 16), ("rolcreatedb", 16),
        ("rolcanlogin", 16), ("rolconnlimit", 23), ("rolvaliduntil", 1184), ("memberof", 1003),
        ("rolreplication", 16), ("rolbypassrls", 16)]
    assert rows(session, LIST_ROLES) == [("postgres", True, True, True, True, True, -1, None, [], True, True)]


@pytest.mark.parametrize(("query", "type_oid", "expected"), [
    ("select array(select x from (values (3), (1), (2)) v(x) order by x desc)", 1007, [3, 2, 1]),
    ("select array(select 'a' where false)", 1009, []),
    ("select array(select rolname from pg_roles where rolname = 'postgres')", 1003, ["postgres"]),
    ("select array(select n::text from generate_series(1, 3) n union all select null)", 1009,
     ["1", "2", "3", None]),
    ("select array(select r.n * 10 + s.n from generate_series(1, 2) s(n) order by 1) "
     "from generate_series(1, 2) r(n) where r.n = 2", 1007, [21, 22]),  # correlated
])
def test_array_of_a_subquerys_rows(session: SQLiteSession, query: str, type_oid: int,
                                   expected: list[object]) -> None:
    assert [oid for _, oid, _ in columns(session, query)] == [type_oid]
    assert rows(session, query)[0] == (expected,)


def test_array_of_a_subquery_of_two_columns_is_an_error(session: SQLiteSession) -> None:
    with pytest.raises(DatabaseError, match="subquery must return only one column"):
        run(session, "select array(select 1, 2)")


def test_extension_tablespaces_and_descriptions(session: SQLiteSession) -> None:
    extensions = ("SELECT e.extname, e.extversion, n.nspname, c.description FROM pg_catalog.pg_extension e "
                  "LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
                  "LEFT JOIN pg_catalog.pg_description c ON c.objoid = e.oid "
                  "AND c.classoid = 'pg_catalog.pg_extension'::pg_catalog.regclass")
    assert rows(session, extensions) == [("plpgsql", "1.0", "pg_catalog", "PL/pgSQL procedural language")]
    tablespaces = ("SELECT spcname, pg_catalog.pg_get_userbyid(spcowner), "
                   "pg_catalog.pg_tablespace_location(oid) FROM pg_catalog.pg_tablespace ORDER BY 1")
    assert rows(session, tablespaces) == [("pg_default", "postgres", ""), ("pg_global", "postgres", "")]


def test_databases(session: SQLiteSession) -> None:
    found = rows(session, DATABASES)
    assert [(name, owner, encoding, provider) for name, owner, encoding, _, _, _, provider, _ in found] == [
        ("postgres", "postgres", "UTF8", "libc"), ("template0", "postgres", "UTF8", "libc"),
        ("template1", "postgres", "UTF8", "libc")]
    assert found[1][7] == "=c/postgres\npostgres=CTc/postgres"


def test_schemas(session: SQLiteSession) -> None:
    query = ("SELECT n.nspname AS \"Name\", pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\" "
             "FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' "
             "ORDER BY 1")
    assert rows(session, query) == [("public", "pg_database_owner")]


def test_sqlalchemy_hstore_lookup(session: SQLiteSession) -> None:
    assert columns(session, HSTORE_LOOKUP, [0]) == [("name", 19, -1), ("oid", 26, -1), ("array_oid", 26, -1),
                                                    ("regtype", 25, -1), ("delimiter", 18, -1)]
    assert rows(session, HSTORE_LOOKUP, ["hstore"], [0]) == []
    assert rows(session, HSTORE_LOOKUP, ["int4"], [0])[0][:3] == ("int4", 23, 1007)


def test_sqlalchemy_has_table(described: tuple[SQLiteSession, int]) -> None:
    session, _ = described
    kinds = ["r", "p", "f", "v", "m", "pg_catalog"]
    assert rows(session, HAS_TABLE, ["cat_items", *kinds], [0] * 7) == [("cat_items",)]
    assert rows(session, HAS_TABLE, ["cat_nowhere", *kinds], [0] * 7) == []


def test_views_and_internal_tables(session: SQLiteSession) -> None:
    run(session, "create view cat_view as select 1 as x")
    run(session, "create table cat_t(a int)")
    assert rows(session, "select relname, relkind from pg_class where relkind in ('r', 'v') order by 1") == [
        ("cat_t", "r"), ("cat_view", "v")]


@pytest.mark.parametrize(("oid", "typmod", "shown"), [
    (23, -1, "integer"), (20, -1, "bigint"), (1043, 24, "character varying(20)"),
    (1043, -1, "character varying"), (1042, 7, "character(3)"), (1700, (10 << 16 | 2) + 4, "numeric(10,2)"),
    (1184, -1, "timestamp with time zone"),
    (1007, -1, "integer[]"), (16, -1, "boolean"), (701, -1, "double precision"), (999999, -1, "???"),
])
def test_format_type(oid: int, typmod: int, shown: str) -> None:
    assert format_type(oid, typmod) == shown


def test_normalize_psql_spellings() -> None:
    assert normalize("WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default") == \
        "WHERE c.relname  ~  '^(t)$'"
    assert normalize("x::pg_catalog.int4::pg_catalog.text") == "x::int4::text"
    assert normalize("select 'OPERATOR(x)'") == "select 'OPERATOR(x)'"



@pytest.mark.parametrize(("condition", "expected"), [
    ("'abc' NOT ILIKE 'A%'", False), ("'abc' NOT LIKE 'a%' ESCAPE '/'", False),
    ("'abc' NOT ILIKE 'X%' ESCAPE '/'", True), ("'abc' LIKE 'a%' ESCAPE '/'", True),
])
def test_negated_pattern_matches(session: SQLiteSession, condition: str, expected: bool) -> None:
    """SQLAlchemy's get_schema_names filters with `NOT LIKE ... ESCAPE '/'`."""
    assert rows(session, f"select {condition}") == [(expected,)]


def test_schema_names_as_sqlalchemy_asks(session: SQLiteSession) -> None:
    query = ("SELECT pg_catalog.pg_namespace.nspname FROM pg_catalog.pg_namespace "
             "WHERE (pg_catalog.pg_namespace.nspname NOT LIKE $1::VARCHAR || '%' ESCAPE '/') "
             "ORDER BY pg_catalog.pg_namespace.nspname")
    assert rows(session, query, ["pg/_"], [0]) == [("information_schema",), ("public",)]


@pytest.mark.parametrize(("query", "names", "expected"), [
    ("select * from pg_inherits", ["inhrelid", "inhparent", "inhseqno", "inhdetachpending"], []),
    ("select count(*) from pg_inherits", ["count"], [(0,)]),
    ("select c.relname from pg_inherits i right join pg_class c on c.oid = i.inhrelid", ["relname"],
     [("cat_items",), ("cat_items_code_key",), ("cat_items_name_idx",), ("cat_items_pkey",),
      ("cat_items_id_seq",)]),
    ("select c.relname from pg_class c, pg_inherits i", ["relname"], []),
])
def test_queries_over_empty_relations(described: tuple[SQLiteSession, int], query: str, names: list[str],
                                      expected: list[tuple[object, ...]]) -> None:
    session, _ = described
    assert [name for name, _, _ in columns(session, query)] == names
    assert sorted(rows(session, query)) == sorted(expected)


# --- schemas and information_schema, compared with PostgreSQL 15 -------------------------------------

SCHEMA_DDL = (
    "create schema s",
    "create table s.t(id serial primary key, a text not null default 'x', b varchar(10) unique, "
    "c numeric(5,2), d timestamptz default now(), e boolean default true, f char(3), g double precision, "
    "h date, i bigint, j time)",
    "create index t_a_idx on s.t(a)",
    "create table s.u(id int primary key, t_id int references s.t(id), code char(3), unique (t_id, code))",
    "create view s.v as select id, count(*) as n from s.t group by id",
    "create sequence s.q",
    "create table p(id int generated always as identity primary key, note varchar(20), s_id int "
    "references s.t(id))",
    "create table t(x int)",
)

INFORMATION_SCHEMA_QUERIES = (
    "select schema_name, schema_owner from information_schema.schemata where schema_name not like 'pg_%' "
    "order by 1",
    "select table_schema, table_name, table_type, is_insertable_into from information_schema.tables "
    "where table_schema in ('public', 's') order by 1, 2",
    "select table_schema, table_name, column_name, ordinal_position, column_default, is_nullable, data_type, "
    "character_maximum_length, character_octet_length, numeric_precision, numeric_precision_radix, "
    "numeric_scale, datetime_precision, udt_name, is_identity, identity_generation "
    "from information_schema.columns where table_schema in ('public', 's') order by 1, 2, 4",
    "select table_schema, table_name from information_schema.views where table_schema in ('public', 's')",
    "select sequence_schema, sequence_name, data_type, numeric_precision, start_value, minimum_value, "
    "increment, cycle_option from information_schema.sequences where sequence_schema = 's' and "
    "sequence_name = 'q'",
    "select constraint_schema, constraint_name, table_name, constraint_type, is_deferrable "
    "from information_schema.table_constraints where table_schema in ('public', 's') "
    "and constraint_type <> 'CHECK' order by 1, 2",
    "select constraint_name, table_schema, table_name, column_name, ordinal_position, "
    "position_in_unique_constraint from information_schema.key_column_usage "
    "where table_schema in ('public', 's') order by 1, 5",
    "select c.table_name, c.column_name from information_schema.columns c "
    "join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name "
    "where t.table_type = 'VIEW' and t.table_schema = 's' order by c.ordinal_position",
)

SEARCH_PATH_QUERIES = (
    "select c.relname, n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
    "where pg_table_is_visible(c.oid) and n.nspname in ('public', 's') and c.relkind = 'r' order by 1, 2",
    "select 't'::regclass::text, 's.t'::regclass::text, 'u'::regclass::text",
    "select pg_get_indexdef('s.t_a_idx'::regclass)",
    "select pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 's.t'::regclass order by adnum",
    "select pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'p'::regclass",
)


@pytest.fixture(scope="module")
def reference(reference_pg: str) -> Iterator[Any]:
    with psycopg.connect(reference_pg, autocommit=True) as admin:
        admin.execute("drop database if exists pg_catalog_slice")
        admin.execute("create database pg_catalog_slice")
    with psycopg.connect(reference_pg.replace("dbname=postgres", "dbname=pg_catalog_slice"),
                         autocommit=True) as connection:
        for statement in SCHEMA_DDL:
            connection.execute(statement)
        yield connection


@pytest.fixture(scope="module")
def schema_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteSession]:
    engine = SQLiteEngine(tmp_path_factory.mktemp("pg_catalog_slice") / "data")
    session = engine.open_session("postgres", "postgres", {})
    for statement in SCHEMA_DDL:
        run(session, statement)
    yield session
    engine.close()


@pytest.mark.parametrize("query", INFORMATION_SCHEMA_QUERIES)
def test_information_schema_as_postgresql(reference: Any, schema_session: SQLiteSession, query: str) -> None:
    assert rows(schema_session, query) == [tuple(row) for row in reference.execute(query)]


@pytest.mark.parametrize("search_path", ['"$user", public', "s, public", "s", "public, s"])
@pytest.mark.parametrize("query", SEARCH_PATH_QUERIES)
def test_visibility_follows_search_path_as_postgresql(reference: Any, schema_session: SQLiteSession,
                                                       search_path: str, query: str) -> None:
    run(schema_session, f"set search_path = {search_path}")
    reference.execute(f"set search_path = {search_path}")
    try:
        expected: list[tuple[Any, ...]] | str = [tuple(row) for row in reference.execute(query)]
    except psycopg.Error as failure:
        expected = failure.sqlstate or ""
    try:
        found: list[tuple[Any, ...]] | str = rows(schema_session, query)
    except DatabaseError as failure:
        found = failure.sqlstate
    assert found == expected


_IN, _OUT = "pg_catalog.helios_regclass_in", "pg_catalog.helios_regclass_out"


@pytest.mark.parametrize(("sql", "rewritten"), [
    ("select c.oid::pg_catalog.regclass from x", f"select {_OUT}({_IN}(c.oid)) from x"),
    ("where c.oid = '16384'::regclass and", f"where c.oid = {_IN}('16384') and"),
    ("select 'a''b'::regtype::text",
     "select pg_catalog.helios_regtype_out(pg_catalog.helios_regtype_in('a''b'))"),
    ("CAST(CAST(f(a.b) AS REGCLASS) AS TEXT)", f"{_OUT}({_IN}(f(a.b)))"),
    ("x = ANY (y)::regclass", f"x = ANY {_IN}((y))"),
    ("select '::regclass'", "select '::regclass'"),
    ("select $$x ::regclass$$, $q$y::regtype$q$", "select $$x ::regclass$$, $q$y::regtype$q$"),
    ("select $1::regclass", f"select {_IN}($1)"),
    (r"select 'C:\', 'x'::regclass", rf"select 'C:\', {_IN}('x')"),
    (r"select E'\'::regclass'", r"select E'\'::regclass'"),
])
def test_reg_casts_become_function_calls(sql: str, rewritten: str) -> None:
    assert normalize(sql) == rewritten


def test_catalog_sees_schemas_and_sequences_created_after_it_was_read(session: SQLiteSession) -> None:
    """Schemas and sequences are rows of registry tables: adding one changes no SQLite schema."""
    listed = "select nspname from pg_namespace where nspname not like 'pg_%' order by 1"
    sequences = "select relname from pg_class where relkind = 'S' order by 1"
    run(session, "create schema first")
    run(session, "create sequence first.one")
    assert rows(session, listed) == [("first",), ("information_schema",), ("public",)]
    assert rows(session, sequences) == [("one",)]
    run(session, "create sequence first.two")
    assert rows(session, sequences) == [("one",), ("two",)]
    run(session, "create schema second")
    assert rows(session, listed) == [("first",), ("information_schema",), ("public",), ("second",)]


def test_temporary_tables_are_in_the_sessions_temporary_schema_searched_first(session: SQLiteSession) -> None:
    run(session, "create table shadowed(a int)")
    run(session, "create temp table shadowed(b int primary key)")
    assert rows(session, LIST_TABLES) == [("pg_temp_3", "shadowed", "table", "postgres")]
    assert rows(session, "select 'shadowed'::regclass::text, 'public.shadowed'::regclass::text, "
                         "'pg_temp.shadowed'::regclass = 'shadowed'::regclass") == [
        ("shadowed", "public.shadowed", True)]
    assert rows(session, "select c.relname, i.indisprimary from pg_index i join pg_class c "
                         "on c.oid = i.indexrelid") == [("shadowed_pkey", True)]
    assert rows(session, "select table_schema, table_type from information_schema.tables "
                         "where table_name = 'shadowed' order by 1") == [
        ("pg_temp_3", "LOCAL TEMPORARY"), ("public", "BASE TABLE")]
    run(session, "set search_path = public, pg_temp")
    assert rows(session, "select 'shadowed'::regclass::text") == [("shadowed",)]
    assert rows(session, LIST_TABLES) == [("public", "shadowed", "table", "postgres")]


def test_a_closed_sessions_catalog_state_is_released(engine: SQLiteEngine) -> None:
    """The per-connection registries must not keep a closed session's connection alive."""
    other = engine.open_session("postgres", "postgres", {})
    rows(other, "select count(*) from pg_class where pg_table_is_visible(oid)")
    registered = weakref.ref(next(c for c in relations._SOURCES if c is other._connection))
    other.close()
    del other
    gc.collect()
    assert registered() is None
