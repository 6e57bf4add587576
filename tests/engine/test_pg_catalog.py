"""The pg_catalog slice: the queries psql 15 and SQLAlchemy send (taken from the wire captures)
translate, answer with PostgreSQL's column names and type OIDs, and describe the user's tables."""

from __future__ import annotations

import pytest

from heliosdb_lite.engine.passthrough import SQLiteEngine, SQLiteSession
from heliosdb_lite.engine.pg_catalog import normalize
from heliosdb_lite.engine.pg_catalog_types import format_type
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
