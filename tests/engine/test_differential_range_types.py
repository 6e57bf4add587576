"""Differential script for range types a database defines: CREATE TYPE ... AS RANGE with each
attribute and its errors (unknown or repeated attribute, no subtype, a collation of a subtype
without one, SUBTYPE_DIFF that is no difference function, CANONICAL without a shell type, names
taken), the multirange's name (`xxxrange` gives `xxxmultirange`, another `xxx_multirange`,
MULTIRANGE_TYPE_NAME), the constructors of the range and of its multirange, literals, casts,
operators and functions, columns of the range, its multirange and their arrays (ORDER BY, indexes),
DROP TYPE (of the multirange alone, with dependent columns, CASCADE), RENAME TO, schema-qualified
types, and the catalog rows drivers read (pg_type, pg_range, regtype). Each statement runs against
the engine and a real PostgreSQL 15 in order; OIDs the database draws are compared as the types'
names. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_same_step_user_types_named,
    engine_store,
    gap,
    reference_database,
)

SCRIPT = [
    "create type floatrange as range (subtype = float8, subtype_diff = float8mi)",
    "create type textrange as range (subtype = text, collation = \"C\")",
    "create type span as range (subtype = numeric, multirange_type_name = spans)",
    "create type \"Odd\" as range (subtype = int8, subtype_opclass = int8_ops)",
    "create type floatrange as range (subtype = float8)",
    "create type other as range (subtype = text, multirange_type_name = spans)",
    "create type floatmultirange as range (subtype = text)",
    "create type bad as range (subtype = float8, bogus = 1)",
    "create type bad as range (collation = \"C\")",
    "create type bad as range (subtype = float8, subtype = int4)",
    "create type bad as range (subtype = int4, collation = \"C\")",
    "create type bad as range (subtype = float8, subtype_diff = textlen)",
    "create type bad as range (subtype = float8, subtype_diff = int4range_subdiff)",
    "create type bad as range (subtype = float8, canonical = float8mi)",
    "create type bad as range (subtype = nosuch)",
    "create type bad as range subtype = float8",
    # the catalog
    "select t.typname, t.typtype, t.typcategory, t.typlen, a.typname, a.typelem = t.oid, a.typcategory "
    "from pg_type t join pg_type a on a.oid = t.typarray "
    "where t.typname in ('floatrange', 'floatmultirange', 'textrange', 'textmultirange', 'span', 'spans', "
    "'Odd', 'Odd_multirange') order by t.typname",
    "select rngtypid::regtype::text, rngsubtype::regtype::text, rngmultitypid::regtype::text, "
    "rngcollation, rngsubopc, rngcanonical::oid, rngsubdiff::oid from pg_range where rngtypid > 16383 "
    "order by rngtypid::regtype::text",
    "select 'floatrange'::regtype::text, 'floatmultirange'::regtype::text, 'spans'::regtype::text, "
    "'\"Odd_multirange\"'::regtype::text, to_regtype('span')::text, to_regtype('nosuchrange')",
    "select '_floatrange'::regtype::text, 'floatmultirange[]'::regtype::text, to_regtype('_spans')::text",
    # constructors, literals, casts
    "select floatrange(1, 2), floatrange(1, 2, '[]'), floatrange(null, 2), floatrange(1.5, 2.5, '()')",
    "select floatrange(2, 1)",
    "select floatrange(1, 2, 'x')",
    "select floatrange(1, 1), floatrange(1, 1, '[]'), floatrange('[1,5]'), floatrange('1', '2')",
    "select floatmultirange(), floatmultirange(floatrange(3, 4), floatrange(1, 2), floatrange(2, 3))",
    "select floatmultirange(floatrange(1, 2))::text, spans(span(1, 2), span(5, 6))",
    "select floatmultirange(textrange('a', 'b'))",
    "select textrange('a', 'b', '[]'), textrange(null, 'z'), textrange('b', 'a')",
    "select textrange('a', 'b') @> 'aa'::text, textrange('a', 'b') @> 'b'::text",
    "select '[1,2]'::floatrange, '(1,2]'::floatrange::text, 'empty'::floatrange, "
    "'{[1,2],[2,3]}'::floatmultirange",
    "select '[2,1]'::floatrange",
    "select '[a,b'::textrange",
    "select '[1,2]'::floatrange::floatmultirange, '[1,2]'::floatrange::spans",
    "select '[1,2]'::floatrange = floatrange(1, 2, '[]'), '[1,2]'::floatrange < '[1,3]'::floatrange",
    "select '[\"a b\",\"c,d\"]'::textrange, textrange('', 'x'), textrange(' ', '\"')",
    "select '[1,2]'::\"Odd\", '{[1,2]}'::\"Odd_multirange\"",
    # operators and functions
    "select floatrange(1, 3) * floatrange(2, 4), floatrange(1, 3) + floatrange(2, 4), "
    "floatrange(1, 3) - floatrange(2, 4)",
    "select floatrange(1, 3) && floatrange(2, 4), floatrange(1, 3) -|- floatrange(3, 4), "
    "floatrange(1, 2) << floatrange(3, 4), floatrange(1, 3) @> 2.5::float8, 2.5::float8 <@ floatrange(1, 3)",
    "select floatrange(1, 3) + floatrange(4, 5)",
    "select lower(floatrange(1, 3)), upper(floatrange(1, 3)), isempty(floatrange(1, 1)), "
    "lower_inc(floatrange(1, 3)), upper_inf(floatrange(1, null)), "
    "range_merge(floatrange(1, 2), floatrange(5, 6))",
    "select floatrange(1, 3) @> 2",
    "select floatrange(1, 3) @> '[1,2]'::numrange",
    "select pg_typeof(floatrange(1, 2)), pg_typeof(floatmultirange()), pg_typeof('{}'::floatrange[])",
    # columns
    "create table measures (id int primary key, r floatrange, m floatmultirange, rs floatrange[], "
    "t textrange)",
    "insert into measures values (1, '[3,4]', '{[1,2],[5,6]}', '{\"[1,2]\",\"(3,4)\"}', '[a,c)'), "
    "(2, '(1,2]', '{}', '{}', '[b,b]'), (3, 'empty', null, null, null), "
    "(4, '[1,2)', '{(,0)}', null, 'empty')",
    "insert into measures values (5, '[2,1]', null, null, null)",
    "insert into measures (id, r) values (6, floatrange(0, 10))",
    "select * from measures order by r, id",
    "select id, r from measures order by r desc, id",
    "select id, m from measures order by m, id",
    "select id, rs from measures order by rs desc, id",
    "select id from measures where r @> 1.5::float8 order by id",
    "select id from measures where r && floatrange(1.5, 3.5) order by id",
    "select id, t from measures order by t, id",
    "select r, count(*) from measures group by r order by r",
    "create index measures_r on measures (r)",
    "select id from measures where r = '[3,4]' order by id",
    "select range_agg(r) from measures where not isempty(r)",
    "update measures set r = r * floatrange(0, 1.5) where id = 6 returning id, r",
    # other subtypes: continuous, so a date or an integer bound stays as written
    "create type dayspan as range (subtype = date)",
    "select '[2000-01-01,2000-01-05]'::dayspan, dayspan('2000-01-01', '2000-01-03', '(]'), "
    "dayspan('2000-01-01', '2000-01-03') @> '2000-01-02'::date, '[2000-01-01,2000-01-01]'::dayspan",
    "create type stamps as range (subtype = timestamptz)",
    "select '[2000-01-01 10:00+02,2000-01-02)'::stamps, upper(stamps(null, '2001-01-01 00:00+00'))",
    "create type spells as range (subtype = interval)",
    "select spells('1 day', '1 mon'), '[1 hour,2 hours)'::spells @> '90 minutes'::interval",
    "select spells('1 mon', '29 days')",
    "create type names as range (subtype = varchar)",
    "select names('a', 'b'), pg_typeof(lower(names('a', 'b'))), names('x', 'y') && names('x', 'z')",
    "create type flags as range (subtype = bool)",
    "select flags(false, true, '[]'), '[t,t]'::flags",
    "create type ids as range (subtype = uuid)",
    "select ids('00000000-0000-0000-0000-000000000001', null)",
    "create type jsons as range (subtype = json)",
    # ALTER and DROP
    "drop type floatmultirange",
    "drop type floatrange",
    "drop type floatrange cascade",
    "select * from measures order by id",
    "create type lonerange as range (subtype = int4)",
    "create table lone (r lonerange, m lonemultirange)",
    "insert into lone values ('[1,2]', '{[1,2]}')",
    "drop type lonerange cascade",
    "select count(*), (select count(*) from information_schema.columns where table_name = 'lone') from lone",
    "alter table lone add column id int",
    "select * from lone",
    "alter type textrange rename to words",
    "select 'textmultirange'::regtype::text, 'words'::regtype::text, to_regtype('textrange')",
    "select words('a', 'b')",
    "select textrange('a', 'b'), textmultirange(textrange('a', 'b'))",
    "create type textrange as range (subtype = text)",
    "create type textrange as range (subtype = text, multirange_type_name = textranges)",
    gap("create type textrange as range (subtype = int4, multirange_type_name = textranges)",
        "a constructor overloading another range type's (textrange(int4, int4) beside textrange(text, text)) "
        "is 0A000 here"),
    gap("select textrange(1, 2)", "no overloaded constructors here (the step before)"),
    "alter type \"Odd\" add value 'x'",
    "drop type words",
    "drop type words cascade",
    "drop type if exists words, span, \"Odd\"",
    "select typname from pg_type "
    "where typname like '%odd%' or typname like '%span%' or typname like 'words%' "
    "order by typname",
    # schemas
    "create schema rs",
    "create type rs.shaperange as range (subtype = float8)",
    "select 'rs.shaperange'::regtype::text, 'rs.shapemultirange'::regtype::text, to_regtype('shaperange')",
    "select '[1,2]'::rs.shaperange, '{[1,2]}'::rs.shapemultirange",
    "select rs.shaperange(1, 2), rs.shapemultirange(rs.shaperange(1, 2)), rs.shaperange('[1,3]')",
    gap("select public.shaperange(1, 2)", "42883 in both; PostgreSQL's message names the schema and the "
        "argument types"),
    "create table rs.shapes (s rs.shaperange)",
    "insert into rs.shapes values ('[1,2]')",
    "select s, pg_typeof(s) from rs.shapes",
    "set search_path = rs, public",
    "select shaperange(1, 2), shapemultirange(shaperange(1, 2))",
    "reset search_path",
    "select shaperange(1, 2)",
    "alter schema rs rename to rs2",
    "set search_path = rs2, public",
    "select shaperange(1, 2), shapemultirange(), '[1,2]'::shaperange",
    "reset search_path",
    "drop schema rs2 cascade",
]


reference = reference_database("differential_range_types")
engine_session = engine_store("differential_range_types")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert_same_step_user_types_named(reference, engine_session, sql)
