r"""Differential script for the bytea functions get_byte, set_byte, get_bit, set_bit, bit_count,
encode and decode (hex, base64, escape), sha224..sha512, substring/substr, position,
btrim/ltrim/rtrim, string_agg, LIKE and || of bytea, and the text functions refusing it: values,
positions out of range (2202E), a bad bit, a bad format or bad data (22023), unknown arguments
read as their parameters' types, an argument of another type (42883), NULLs, and psycopg's own use
(`%s = set_byte('x', 0, %s)` in its test_string). Each statement runs against the engine and a
real PostgreSQL 15 in order; the outcome (tag, columns, rows, SQLSTATE, transaction status) must
agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_script_step,
    engine_store,
    gap,
    reference_database,
    reference_script_step,
)

psycopg = pytest.importorskip("psycopg")

SCRIPT = [
    "select set_byte('x', 0, 0), set_byte('x', 0, 255), set_byte('x', 0, 256), set_byte('x', 0, -1)",
    r"select '\x41'::bytea = set_byte('x', 0, 65), array['\x41'::bytea] = array[set_byte('x', 0, 65)]",
    r"select get_byte('\x0102ff'::bytea, 0), get_byte('\x0102ff'::bytea, 2), get_byte('abc', 1)",
    r"select get_byte('\x01'::bytea, 1)",
    "select get_byte(''::bytea, 0)",
    r"select get_byte('\x01'::bytea, -1)",
    "select set_byte('x', 1, 0)",
    r"select get_bit('\x0102'::bytea, 0), get_bit('\x0102'::bytea, 9), get_bit('\x80'::bytea, 7)",
    r"select set_bit('\x00'::bytea, 3, 1), set_bit('\xff'::bytea, 0, 0), set_bit('\xff'::bytea, 7, 1)",
    r"select get_bit('\x01'::bytea, 8)",
    r"select set_bit('\x01'::bytea, 0, 2)",
    r"select bit_count('\xff01'::bytea), bit_count(''::bytea)",
    r"select encode('\x00ff5c41'::bytea, 'hex'), encode('\x00ff5c41'::bytea, 'escape')",
    "select encode('abc'::bytea, 'base64'), encode(''::bytea, 'base64'), encode('abcd'::bytea, 'BASE64')",
    "select encode(decode(repeat('ab', 60), 'hex'), 'base64')",
    "select decode('00ff', 'hex'), decode(' 00 ff\n', 'hex')",
    "select decode('AAE=', 'base64'), decode('YWJj', 'base64'), decode('YW Jj\n', 'base64')",
    r"select decode('a\\b\001\377', 'escape'), decode('', 'hex')",
    "select decode('0g', 'hex')",
    "select decode('abc', 'hex')",
    "select decode('YW=j', 'base64')",
    "select decode('YWJ', 'base64')",
    "select decode('YW*j', 'base64')",
    r"select decode('\q', 'escape')",
    "select encode('a'::bytea, 'rot13')",
    "select decode('a', 'rot13')",
    "select get_byte('ab'::text, 1)",
    "select set_byte('x', 0, 1::int8)",
    "select get_bit('x'::bytea, 1::int2), set_bit('x'::bytea, 1::int4, 1)",
    "select get_byte(null, 0), set_byte('x', null, 1), encode(null, 'hex'), decode('00', null)",
    # the bytea forms of the string functions (the text ones read the bytes' hex text)
    r"select substring('\x010203'::bytea from 2 for 1)",
    r"select substr('\x010203'::bytea, 2)",
    r"select substring('\x010203'::bytea from 2)",
    r"select substring('\x010203'::bytea from 0 for 2)",
    r"select substring('\x010203'::bytea from -5 for 3)",
    r"select substring('\x010203'::bytea from 5)",
    r"select substring('\x010203'::bytea from 1 for -1)",
    r"select substr('\x010203'::bytea, 2, 1), substr('abc', 2, 1)",
    r"select position('\x02'::bytea in '\x010203'::bytea)",
    r"select position('\x09'::bytea in '\x010203'::bytea)",
    r"select position(''::bytea in '\x01'::bytea)",
    r"select btrim('\x000100'::bytea, '\x00'::bytea)",
    r"select ltrim('\x000100'::bytea, '\x00'::bytea)",
    r"select rtrim('\x000100'::bytea, '\x00'::bytea)",
    r"select trim('\x00'::bytea from '\x000100'::bytea)",
    r"select trim(both '\x00'::bytea from '\x000100'::bytea)",
    r"select trim(leading '\x00'::bytea from '\x000100'::bytea)",
    r"select btrim('\x0001'::bytea)",
    r"select sha256('\x01'::bytea), sha224('a'), sha384(''::bytea), sha512('abc'::bytea)",
    r"select encode(sha256('abc'), 'hex')",
    r"select sha256('a'::text)",
    r"select string_agg(b, '\x2c'::bytea) from (values ('\x01'::bytea), ('\x02')) v(b)",
    r"select string_agg(b, '\x2c') from (values ('\x01'::bytea), (null), ('\x02')) v(b)",
    r"select string_agg(b, null) from (values ('\x01'::bytea), ('\x02')) v(b)",
    r"select string_agg(b, '\x00'::bytea order by b desc) from (values ('\x01'::bytea), ('\x02')) v(b)",
    r"select string_agg(b, '\x00'::bytea) from (values (null::bytea)) v(b)",
    r"select string_agg(b, '\x00'::bytea) from (values (''::bytea), (''::bytea)) v(b)",
    r"select string_agg(t, ',') from (values ('a'), ('b')) v(t)",
    r"select substring('abc' from 2 for 1), position('b' in 'abc'), btrim('xax', 'x')",
    # LIKE, || and the text functions with a bytea argument (42883: they have no bytea form)
    r"select '\x61'::bytea like 'a%'",
    r"select '\x61'::bytea like '\x25'::bytea",
    r"select '\x6162'::bytea like '_b'",
    r"select '\x6162'::bytea not like 'a_'",
    r"select '\x00ff'::bytea like '\x00%'::bytea, 'A'::bytea like 'a', 'a%'::bytea like 'a\%'",
    r"select '\x61'::bytea ilike 'a%'",
    r"select '\x61'::bytea ~ 'a'",
    r"select 'a'::text like '\x61'::bytea",
    gap(r"select '\x61'::bytea like 'a%' escape '#'",
        "LIKE ... ESCAPE of bytea is refused (0A000) where PostgreSQL has none (42883)"),
    r"select '\x01'::bytea || '\x02'::bytea, '\x01'::bytea || 'a', 'a' || '\x01'::bytea",
    r"select '\x01'::bytea || 'a'::text",
    r"select '\x01'::bytea || null, '\x01'::bytea || ''::bytea",
    r"select upper('\x61'::bytea)",
    r"select replace('\x0102'::bytea, '\x01'::bytea, '\x03'::bytea)",
    r"select left('\x0102'::bytea, 1)",
    r"select reverse('\x0102'::bytea)",
    r"select split_part('\x0102'::bytea, '\x01'::bytea, 1)",
    r"select starts_with('\x61'::bytea, '\x61'::bytea)",
    r"select quote_literal('\x61'::bytea), quote_nullable('\x61'::bytea), length('\x61'::bytea)",
    gap(r"select btrim('abc', '\x00'::bytea)",
        "an unknown first argument beside a bytea is not read as bytea: 42883"),
    "create table bs (b bytea)",
    r"insert into bs values ('\x0001'), ('\xfffe'), (null)",
    "select get_byte(b, 1), set_byte(b, 0, 7), encode(b, 'base64') from bs order by b",
]


reference = reference_database("differential_binary_strings")
engine_session = engine_store("differential_binary_strings")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    assert engine_script_step(engine_session, sql) == reference_script_step(reference, sql)
