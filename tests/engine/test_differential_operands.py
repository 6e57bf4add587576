"""Differential script for operands that drivers send and SQLite would take its own way: jsonb
`#>`/`#>>` paths given as arrays or parameters, numerics of more digits than a float or a 28-digit
decimal context keeps (every operator, function, aggregate, cast and comparison), integers at the
edges of their types, floats that overflow, int2/int8 operands of date arithmetic, quoted literals
beside dates and time stamps, bitwise operators and casts PostgreSQL does not have. Runs against
the engine and a real PostgreSQL 15; outcome, column types, messages and notices must agree.
Skipped without PostgreSQL."""

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

JSON_PATHS = [
    'create table jp (id int primary key, doc jsonb, plain json, path text[], vpath varchar[])',
    'insert into jp values (1, \'{"a": [1, 2, {"b": "c"}], "k": "v"}\', \'{"a": [1, 2, {"b": "c"}]}\', '
    "'{a,2,b}', '{a,1}'), (2, '[10, 20]', '[10, 20]', '{-1}', '{0}'), (3, null, null, null, null)",
    "select id, doc #> array['a','2'], doc #>> array['a','2','b'], plain #> array['a','1'] from jp "
    'order by id',
    "select id, doc #> path, doc #>> path, plain #>> path, doc #> vpath, plain #> vpath from jp order by id",
    "select doc #> '{a,2}', doc #>> '{a,2,b}'::text[], doc #> '{}', doc #>> array[]::text[] from jp "
    'where id = 1',
    "select doc #> array['a', null], doc #> null, doc #> '{{a},{b}}', doc #> array['a', 'x'] from jp "
    'where id = 1',
    "select doc #> array['a'::name, '0'], doc #> array['k'::char(1)], doc #> array['a'::varchar, '-1'] "
    'from jp where id = 1',
    "select pg_typeof(doc #> array['a']), pg_typeof(plain #> array['a']), pg_typeof(doc #>> array['a']) "
    'from jp where id = 1',
    "select id from jp where doc #>> array['a', '1'] = '2' order by id",
    'select doc #> array[1, 2] from jp',
    "select doc #> 'a'::text from jp",
    "select doc #>> '{a' from jp",
    "select '[1, [2, 3]]'::jsonb #> array['1', '0'], '[1, [2, 3]]'::json #>> array['-1', '-1']",
]

BIG = "1267650600228229401496703205376"  # 2^100: 31 digits, more than a 28-digit decimal context keeps
NUMERICS = [
    f"select -{BIG}, - {BIG}.5, -(-{BIG}), -{BIG}.25",
    f"select abs(-{BIG}.25), abs({BIG}), round(-{BIG}.5), ceil({BIG}.5), floor(-{BIG}.5), sign(-{BIG})",
    "create table nb (k int primary key, n numeric, m numeric(40,5), i int8, j int4, s int2, f float8, "
    "r float4)",
    f"insert into nb values (1, {BIG}.123456789, 12345678901234567890123456789012345.12345, "
    "9223372036854775807, 2147483647, 32767, 1e300, 1e38), (2, 9007199254740993, 1.5, 9007199254740993, 5, "
    "5, 0.1, 0.1), (3, 0.000000000000000000000000000000000001, -1, -9223372036854775808, -2147483648, "
    "-32768, -1, 16777217), (4, null, null, null, null, null, null, null)",
    "select k, -n, abs(n), -m, abs(m), n + 1, n - 1, n * 3, n / 7, n % 7, n * n from nb order by k",
    "select k, round(n), round(n, 3), round(n, -5), trunc(n), trunc(n, 2), ceil(n), floor(n), sign(n), "
    "round(n, 40), trunc(n, 40) from nb order by k",
    "select k, n + i, n - i, n * i, i + n, i * 1.5, i::numeric * i, n + 0.5, n / 3 from nb order by k",
    "select k, div(n, 3), mod(n, 3), n % 3, div(m, -2) from nb order by k",
    "select sum(n), avg(n), min(n), max(n), sum(m), avg(m), sum(i), avg(i), sum(i::numeric) from nb",
    "select sum(j), sum(s), avg(j), avg(s), count(distinct n) from nb",
    "select k, sum(n) over (order by k), avg(m) over (order by k rows between 1 preceding and current row) "
    "from nb order by k",
    "select k, n::text, n::varchar, n::numeric(50,10), n::float8, m::float4, i::float8, i::numeric, "
    "j::numeric from nb order by k",
    "select n::int8 from nb where k = 1",
    "select n::numeric(10,2) from nb where k = 1",
    f"select {BIG}::numeric(35,0), {BIG}.5::numeric(31,0), 123456789012345678901234567890.123::numeric(40,3)",
    f"select {BIG}::numeric(30,0)",
    f"select '{BIG}.5'::numeric, {BIG}::numeric::text::numeric, 1e30::numeric, 1e-30::numeric",
    f"select {BIG}.5::int8",
    "select 9223372036854775807.5::int8",
    "select 9223372036854775807.4::int8, 2147483646.5::int4, -32768.4::int2",
    "select 2147483647.5::int4",
    # comparisons, ordering, grouping: exact, and with a float as PostgreSQL compares them (as float8)
    f"select k from nb where n = {BIG}.123456789",
    f"select k from nb where n > {BIG}.123456788 and n < {BIG}.123456790",
    f"select {BIG} = {BIG}1 / 10, 1.0000000000000000000000000000001 > 1, "
    "1.0000000000000000000000000000001 > 1::int8, 1.0000000000000000000000000000001 - 1",
    "select k from nb where n = i order by k",
    "select k from nb where n = 9007199254740992 or i = 9007199254740992 order by k",
    "select k, n = 9007199254740992::float8, i = 9007199254740992::float8, i < 9007199254740993.5, "
    "j = 5.0::float4, f = 0.1, r = 0.1, r = 0.1::float4 from nb order by k",
    "select 9007199254740993::numeric = 9007199254740992::float8, 9007199254740993::int8 = "
    "9007199254740992::float8, 9007199254740993 = 9007199254740992::float8",
    "select 9007199254740993::int8 in (9007199254740992::float8), greatest(9007199254740993::int8, "
    "9007199254740992::float8), case when true then 9007199254740993::int8 else 1.5::float8 end",
    "select n from nb order by n desc nulls last",
    f"select x from (values ({BIG}7), ({BIG})) v(x) order by x",
    f"select max(x), min(x), count(distinct x) from (values ({BIG}7), ({BIG}), ({BIG}7)) v(x)",
    f"select x, count(*) from (values ({BIG}7), ({BIG}), ({BIG}7)) v(x) group by x order by x",
    f"select {BIG} between {BIG} - 1 and {BIG} + 1, {BIG} in ({BIG}7, {BIG}8), "
    f"coalesce(null, {BIG}), greatest({BIG}, 1), least(-{BIG}, 1)",
    f"select array[{BIG}, 1], (array[{BIG}.123])[1] + 1, (select sum(x) from unnest(array[{BIG}, {BIG}]) x)",
    f"select ('{{\"a\": {BIG}}}'::jsonb ->> 'a')::numeric + 1, '{{\"a\": {BIG}.5}}'::jsonb -> 'a'",
    f"select to_char({BIG}, '9999999999999999999999999999999999'), to_char(-{BIG}.555, "
    "'9999999999999999999999999999999999.99')",
    # powers, roots, exponentials and logarithms: computed to the scale PostgreSQL gives them
    f"select power({BIG}7, 2), 2::numeric ^ 100, power(3::numeric, -1), 2::numeric ^ 0.5, 1.5 ^ 2.5",
    "select 10::numeric ^ 3000 > 0, length((10::numeric ^ 1500)::text), 0.5::numeric ^ 100, "
    "(-2.0) ^ 3, 2::numeric ^ -20",
    "select 10::numeric ^ 200000",
    "select 0::numeric ^ -1",
    "select (-8)::numeric ^ 0.5",
    f"select sqrt({BIG}), sqrt(1e100::numeric + 0.5), exp(200::numeric), ln(1e100::numeric), "
    "log(1e100::numeric), exp(-10000::numeric) = 0",
    "select sqrt(2::numeric(1000, 900))",
    "select ln(0::numeric)",
    "select sqrt(-1::numeric)",
    "select 1::numeric / 3 * 3, 10::numeric / 7, 1e-20::numeric / 3, 1e20::numeric / 1e-20, "
    f"{BIG} / 3, 1 / {BIG}",
    "select 5.0 % 0",
    "select div(7, 0)",
    "select div(1.5::float8, 1)",
    "select div(7.5, 2), div(-7, 2), mod(-7, 3), mod(7.5, 2), mod(9223372036854775807, 10)",
    "select sqrt(2), sqrt(16), exp(1), ln(10), cbrt(27), cbrt(27::numeric), abs(-5), abs(-5.5), "
    "abs(-5.5::float8), sign(-3), sign(-3.5), round(2.5), round(2.5::float8), trunc(-2.7), ceil(2.1), "
    "floor(-2.1)",
    "select round(5), pg_typeof(round(5)), trunc(5), ceil(5), floor(5), round(5, 1), pg_typeof(round(5, 1)), "
    "trunc(5::int8, -1), round(25::int2, -1), round(2.567, 2), round(2.567, -1), round(1e-30::numeric, 40)",
    "select sqrt(2::int8), exp(10), ln(3), log(1000), log10(1000), sign(5::int2), pg_typeof(sign(5::int2)), "
    "cbrt(8::float4), sqrt(2.0), exp(1.0), ln(3.0), log(1000.0), round(2.5::float4), abs(-2.5::float4)",
    "select round(2.5::float8, 1)",
]
INTEGERS_AND_FLOATS = [
    # integers: every operation checked against its type's range (SQLite would go on in a float)
    "select k, i + 1 from nb order by k",
    "select k, i - 1 from nb order by k",
    "select k, i * 2 from nb order by k",
    "select k, i / -1 from nb order by k",
    "select k, j / -1 from nb order by k",
    "select k, s / (-1)::int2 from nb order by k",
    "select k, -i from nb order by k",
    "select k, -j from nb order by k",
    "select k, -s from nb order by k",
    "select k, abs(j) from nb order by k",
    "select k, abs(s) from nb order by k",
    "select k, i % -1, j % -1, s % 7::int2 from nb order by k",
    "select (2147483647 + 1) - 10",
    "select (2147483647::int4 * 2) / 4",
    "select (32767::int2 + 1::int2) - 2::int2",
    "select (9223372036854775807 + 1) - 1000",
    "select (-9223372036854775808::int8 - 1) + 5",
    "select -(-2147483648::int4) - 1",
    "select ((-2147483648)::int4 / -1) - 1",
    "select abs((-2147483648)::int4) - 1",
    "select abs((-9223372036854775807 - 1)::int8)",
    "select 5 % 0",
    "select 5 / 0",
    "select 2 ^ 3, 2 ^ -1, 4 ^ 0.5, 5 / 2::int8, 5::int2 / 2::int2, -7 / 2, -7 % 3",
    # floats: overflow and underflow are errors; float4 is single precision; sums added as PostgreSQL does
    "select 1e308::float8 * 10",
    "select 1e308::float8 + 1e308::float8",
    "select -(1e308::float8 * 10)",
    "select 1e-308::float8 * 1e-308::float8",
    "select 1e-300::float8 / 1e300::float8",
    "select 1e38::float4 * 10::float4",
    "select 'Infinity'::float8 * 2, 'Infinity'::float8 + 1, 1 / 'Infinity'::float8",
    "select 2::float8 ^ 2000",
    "select power(10::float8, 400)",
    "select 10::float8 ^ -400",
    "select 0::float8 ^ -1",
    "select (-8)::float8 ^ (1.0 / 3)",
    "select exp(1000::float8)",
    "select exp(-1000::float8)",
    "select ln(0::float8)",
    "select log(-1::float8)",
    "select sqrt(-1::float8)",
    "select 1.5::float8 / 0",
    "select k, f * 10, f::numeric, n * f from nb where k > 1 order by k",
    "select k, n * f from nb order by k",
    "select 0.1::float4::float8, 0.1::float4 + 0::float8, 0.1::float4 * 3, 0.1::float4 = 0.1::float8, "
    "16777217::float4 + 0::float8, 16777217::float8::float4::float8",
    "select k, r, r::float8, r + 0::float8, r * 3::float4, r = 0.1::float8, avg(r) over (), sum(r) over () "
    "from nb order by k",
    "create table f4 (x float4)",
    "insert into f4 values (0.1), (1e38) returning x, x::float8",
    "insert into f4 values (1e39::float8)",
    "insert into f4 values (1e-50::float8)",
    "insert into f4 select x * 10 from f4",
    "insert into f4 select f from nb where k = 2 returning x::float8",
    "select sum(x), avg(x) from (values (0.1::float8), (0.2::float8), (0.3::float8)) v(x)",
    "select sum(x), avg(x) from (values (1e16::float8), (1::float8), (-1e16::float8)) v(x)",
    "select sum(x) over (order by x) from (values (0.1::float8), (0.2::float8), (0.3::float8)) v(x)",
    "select sum(x) over (order by i rows between 1 preceding and current row), avg(x) over (order by i "
    "rows between 1 preceding and current row) from (values (1, 0.1::float8), (2, 0.2::float8), "
    "(3, 0.3::float8), (4, 0.7::float8)) v(i, x)",
    "select sum(distinct x), avg(distinct x) from (values (0.1::float8), (0.1::float8), (0.2::float8)) v(x)",
    "select sum(x), pg_typeof(sum(x)), avg(x), pg_typeof(avg(x)) from (values (1e38::float4), "
    "(1e38::float4), (1e38::float4)) v(x)",
    "select sum(x) from (values (3e38::float4), (1e38::float4)) v(x)",
    "select sum(x) from (values (1e308::float8), (1e308::float8)) v(x)",
    "select avg(x) from (values (1e308::float8), (1e308::float8)) v(x)",
    "select avg(x) from (values (1e200::float8), (-1e200::float8)) v(x)",
    "select sum(x), avg(x) from (values ('Infinity'::float8), (1::float8)) v(x)",
    "select sum(f), avg(f) from nb",
    "select 1e400::numeric::float8",
    "select 1e39::numeric::float4",
    "select 9007199254740993.0000000000000001::float8, 9007199254740993.0000000000000001::numeric::float8, "
    "16777217::int4::float4, 9007199254740993::int8::float4",
]
DATES_AND_INTEGERS = [
    # date ± int2 as date ± int4 (PostgreSQL's implicit cast); no operator takes an int8
    "select date '2024-01-31' + 1::int2, 1::int2 + date '2024-01-31', date '2024-01-31' - 31::int2, "
    "date '2024-01-31' + 40000, pg_typeof(date '2024-01-31' + 1::int2)",
    "select date '2024-01-31' + 1::int8",
    "select 1::int8 + date '2024-01-31'",
    "select date '2024-01-31' - 1::int8",
    "select date '2024-01-31' + 1::numeric",
    "select date '2024-01-31' + 1.5::float8",
    "select extract(day from date '2024-01-01' + 4::int2), date '2024-01-02' - date '2024-01-01' + 1::int2",
    "create table dd (d date, s int2, b int8)",
    "insert into dd values ('2024-02-28', 2, 2)",
    "select d + s, d - s, s + d from dd",
    "select d + b from dd",
    # a quoted literal beside a date or time stamp: the other's type first (date - date, ...)
    "select date '2024-01-01' + '1'",
    "select '1' + date '2024-01-01'",
    "select date '2024-01-01' - '1'",
    "select date '2024-01-01' - '2023-01-01', '2024-01-02' - date '2024-01-01'",
    "select timestamp '2024-01-01' + '1 day', '1 day' + timestamp '2024-01-01', timestamptz '2024-01-01 "
    "00:00+00' + '1 day'",
    "select timestamp '2024-01-01' - '1 day'",
    "select timestamptz '2024-01-01 00:00+00' - '1 day'",
    "select timestamp '2024-01-01' - '2023-01-01'",
    "select time '10:00' + '1 hour', '1 hour' + time '10:00', time '10:00' - '09:00', '10:00' - time '09:00'",
    "select time '10:00' - '1 hour'",
    "select '2024-01-01' + time '10:00'",
    # date and time stamps of different types subtracted: the earlier converted to the later
    "select timestamp '2024-01-01' - date '2023-01-01', date '2024-01-01' - timestamp '2023-01-01', "
    "timestamptz '2024-01-01 00:00+00' - date '2023-01-01', timestamp '2024-01-01' - timestamptz "
    "'2023-01-01 00:00+00'",
    "select date '2024-01-01' + timestamp '2023-01-01'",
    # bitwise operators: integers only, PostgreSQL's types and C's shifts
    "select 2 << 1, 2 >> 1, 5 & 3, 5 | 2, 5 # 3, ~5, ~(-1)::int8, -8 >> 1, '6' & 3",
    "select pg_typeof(2 << 1), pg_typeof(5 & 3::int8), pg_typeof(5::int2 | 2::int2), "
    "pg_typeof(1::int2 << 3), pg_typeof(~1::int2)",
    "select 1 << 40, 1 << 31, 1::int8 << 70, 1::int2 << 15, 1::int2 << 16, 1 << -1, 1 << 2::int2",
    "select s << 3, b << 62, s & b, ~s from dd",
    "select 1 << 2::int8",
    "select 5.5 & 3",
    "select ~5.5",
    "select 'a' & 3",
    # casts PostgreSQL does not have
    "select 1::int4::bool, 0::bool, true::int4",
    "select 1::int2::bool",
    "select 1::int8::bool",
    "select true::int2",
    "select true::int8",
    "select true::float8",
    "select 1::float8::bool",
    "select 1.5::bool",
    "select s::bool from dd",
    "select $1",
]

reference = reference_database("differential_operands")
engine_session = engine_store("differential_operands")

ALL_STEPS = [*JSON_PATHS, *NUMERICS, *INTEGERS_AND_FLOATS, *DATES_AND_INTEGERS]


@pytest.mark.parametrize("sql", ALL_STEPS)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, column types, error message and
    notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)


# Not differential: PostgreSQL answers these, the engine refuses them with 0A000 naming the construct.
REFUSED = [
    ("select log(2.0, 1024)", "log() with 2 arguments"),
    ("select @ -5", "prefix operator @"),
]


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_refused_clearly(engine_session: SQLiteSession, sql: str, named: str) -> None:
    """An unsupported statement is refused with 0A000 and a message naming what is missing."""
    assert_refused_clearly(engine_session, sql, named)
