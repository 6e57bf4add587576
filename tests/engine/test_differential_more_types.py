"""Differential script for the literals and the smaller built-in types the drivers' suites use:
national character strings (N'...'), typed literals (`macaddr '...'`), xid, int2vector, cstring,
unknown, money, macaddr, point, box, tsvector, xml and pg_locks. Each statement runs against the engine and
a real PostgreSQL 15 in order; the outcome (tag, columns, type OIDs, rows in text form, SQLSTATE,
transaction status), the error message and the notices must agree. Skipped without PostgreSQL.
What the engine refuses instead (0A000 naming it) is listed apart."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    assert_refused_clearly,
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

LITERALS = [
    "select N'Static text string' as column1, N'abc'",
    "select N'it''s  ', n'x' || 'y', pg_typeof(N'a'), N'abc' = 'abc  ', length(N'ab  ')",
    "select N'abc'::text, N'abc'::varchar(2), N''",
    "create table national_strings (c char(5), v varchar)",
    "insert into national_strings values (N'ab', N'cd  ') returning c || '|', v || '|'",
    "select * from national_strings where c = N'ab   '",
    "select json '[1, 2]', jsonb '{\"a\": 1}', float8 '1.5', character varying '5', double precision '2'",
]

SYSTEM_TYPES = [
    "select cast(cast('86722' as varchar) as xid) as f1, '-1'::xid, '4294967295'::xid, '0x10'::xid, "
    "'010'::xid",
    "select '4294967296'::xid, 'x'::xid, ' 5 '::xid, '12abc'::xid, '-0x1'::xid, '99999999999999999999'::xid",
    "select '5'::xid = 5, '5'::xid = '5'::xid, '5'::xid <> '6'::xid, '5'::xid::text, '{1,2}'::xid[]",
    "select '5'::xid < '6'::xid",
    "select 5::xid",
    "select '5'::xid::int",
    "create table xids (x xid)",
    "insert into xids values ('7'), ('3'), (null) returning x",
    "select x from xids where x = '3'",
    "select x from xids order by x",
    "select cast('1 2' as int2vector) as f1, '  -3   4  5'::int2vector, ''::int2vector, "
    "pg_typeof('1'::int2vector)",
    "select '1 x'::int2vector",
    "select '1 40000'::int2vector",
    "select '{a,b,c}'::cstring[] as f1, CAST('{a,b,c}' AS CSTRING[]), 'a'::cstring, 'a'::cstring || 'b'",
    "select 'a'::unknown, cast('hello world' as unknown), pg_typeof('a'::unknown), 'a'::unknown || 'b'",
]

MONEY = [
    "select '$1.10'::money, '-1.10'::money, '1,234,567.891'::money, '(5)'::money, pg_typeof('1'::money)",
    "select '1.2.3'::money",
    "select '92233720368547758.08'::money",
    "create table amounts (id int, a money)",
    "insert into amounts values (1, '1.5'), (2, '-3'), (3, '12,345.678'), (4, null), (5, 5), (6, 5.555) "
    "returning a",
    "insert into amounts values (7, 1.5::float8)",
    "select id, a from amounts order by a, id",
    "select sum(a), min(a), max(a), count(a), pg_typeof(sum(a)) from amounts",
    "select avg(a) from amounts",
    "select id, a + a, a - '1'::money, a - '1', a * 2, a * 1.5, 2 * a, 2.5 * a, a * 2::int8, a * 0.5::float4 "
    "from amounts order by id",
    "select id, a / 2, a / 3.0, a / 7::int2, a / '2'::money from amounts order by id",
    "select -a from amounts",
    "select a / 0 from amounts where id = 1",
    "select a / '0'::money from amounts where id = 1",
    "select a / 0.0 from amounts where id = 1",
    "select a + 1 from amounts where id = 1",
    "select a * a from amounts where id = 1",
    "select a::numeric, 5::money, 5.678::money, (-3)::int8::money, a::text from amounts where id = 3",
    "select a::float8 from amounts",
    "select 1.5::float8::money",
    "select id from amounts where a > '$1' and a <> '5' order by id",
    "select id from amounts where a = 5.55::money",
    "select '-92233720368547758.08'::money, '{$1,NULL}'::money[]",
]

MACADDR = [
    "select macaddr '08002b:010203', macaddr '0800.2b01.0203', '08-00-2B-01-02-03'::macaddr, "
    "pg_typeof(macaddr '08002b010203')",
    "select macaddr '08:00:2b:01:02'",
    "select macaddr '100:00:2b:01:02:03'",
    "select cidr '10/8', inet '1.2.3.4/24', int4 '5', xid '5' = '5', macaddr '1:2:3:4:5:6'::text",
    "select nosuchtype 'x'",
    "create table nics (id int, mac macaddr unique)",
    "insert into nics values (1, '08:00:2b:01:02:03'), (2, '00:00:00:00:00:0a'), (3, 'ff:00:00:00:00:00'), "
    "(4, null) returning mac",
    "insert into nics values (5, '08002b010203')",
    "select id, mac from nics order by mac desc, id",
    "select id from nics where mac > '08:00:00:00:00:00' and mac <> macaddr 'ff0000000000' order by id",
    "select count(distinct mac) from nics",
    "select min(mac) from nics",
    "select max(x) from xids",
    "select mac::text, '{08:00:2b:01:02:03,NULL}'::macaddr[] from nics where id = 1",
    "select mac = 'x' from nics",
]

POINTS = [
    "select '(2.3,1)'::point, point '3, 4', cast('( -1.5e3 , .25 )' as point), pg_typeof('(1,2)'::point)",
    "select '(1,x)'::point",
    "select '(1e400,1)'::point",
    "create table pts (id int, p point)",
    "insert into pts values (1, '(1,2)'), (2, '3,4'), (3, null) returning p",
    "select id, p, p::text from pts order by id",
    "select '{\"(1,2)\",NULL}'::point[]",
    "select point '(1,2)' = point '(1,2)'",
    "select p from pts order by p",
    "select min(p) from pts",
    "select '{(2,2),(1,1);(5,6),(3,4)}'::box[], '(1,2),(3,4)'::box, box '1,2,(3,4)', "
    "pg_typeof(box '1,2,3,4')",
    "select '(1,2),3,4'::box",
    "create table boxes (id int, b box, bs box[])",
    "insert into boxes values (1, '((0,0),(1,1))', '{(1,1),(0,0);(3,3),(2,2)}'), (2, null, null) returning *",
    "select id, b, bs, b::text from boxes order by id",
    "select min(b) from boxes",
]

TSVECTORS = [
    "select cast('a fat cat sat on a mat and ate a fat rat' as tsvector), pg_typeof(''::tsvector)",
    "select 'a:1 b:2,3A c:4B,4C d:5D e:1,1,1'::tsvector, tsvector 'x:3,1,2 x:1A', $$'it''s' z$$::tsvector",
    "select 'a:0'::tsvector",
    "select 'a:x'::tsvector",
    "create table docs (id int, v tsvector)",
    "insert into docs values (1, 'b a'), (2, null), (3, 'c:1') returning v",
    "select id, v, v::text from docs order by id",
    "select min(v) from docs",
]

XMLS = [
    "select xmlparse(content '<genome>gatccgagtac</genome>') as f1, xmlparse(document '<a/>'), "
    "xmlparse(content 'x<a/>y'), pg_typeof(xmlparse(content ''))",
    "select xmlparse(document 'x<a/>')",
    "select xmlparse(content '<a>')",
    "select '<a>'::xml",
    "select '<?xml version=\"1.0\"?><a b=\"1\">&amp;&#65;<!-- c --><![CDATA[<]]></a>'::xml, xml '<a/>'",
    "select '&nbsp;'::xml",
    "select '<a/>'::xml = '<a/>'::xml",
    "select '<a/>'::xml::text, 'x'::text::xml",
    "create table xmls (id int, x xml)",
    "insert into xmls values (1, '<a/>'), (2, 'text'), (3, null) returning x",
    "insert into xmls values (4, '<b>')",
    "select id, x from xmls order by id",
    "select x from xmls order by x",
]

LOCKS = [  # pg_locks: its columns, and the advisory locks (PostgreSQL's other rows are its own locks)
    "select * from pg_locks where transactionid = '97712'",
    "select pg_advisory_lock(5), pg_advisory_lock_shared(1, 2), pg_advisory_lock(-1), pg_advisory_lock(5)",
    "select locktype, database = (select oid from pg_database where datname = current_database()), classid, "
    "objid, objsubid, mode, granted, fastpath, pid = pg_backend_pid(), virtualxid, transactionid "
    "from pg_locks where locktype = 'advisory' order by objid, classid",
    "select pg_advisory_unlock_all()",
    "select count(*) from pg_locks where locktype = 'advisory'",
]

# Not differential: PostgreSQL answers these, the engine refuses them with 0A000 naming what is missing.
REFUSED = [
    ("select v = 'a b' from docs", "comparing tsvector"),
    ("select v from docs order by v", "ORDER BY a tsvector"),
    ("select b = '(1,1),(0,0)' from boxes", "comparing box"),
    ("select b from boxes order by b", "ORDER BY a box"),
]

SCRIPT = [*LITERALS, *SYSTEM_TYPES, *MONEY, *MACADDR, *POINTS, *TSVECTORS, *XMLS, *LOCKS]

reference = reference_database("differential_more_types")
engine_session = engine_store("differential_more_types")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    """What the engine does not do is refused with 0A000 and a message naming it."""
    assert_refused_clearly(engine_session, sql, named)
