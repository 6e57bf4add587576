"""Differential script for operands that drivers send and SQLite would take its own way: jsonb
`#>`/`#>>` paths given as arrays or parameters, numerics of more digits than a float or a 28-digit
decimal context keeps (every operator, function, aggregate, cast and comparison), integers at the
edges of their types, and int2/int8 operands of date arithmetic. Runs against the engine and a real
PostgreSQL 15; outcome, column types, messages and notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.passthrough import SQLiteSession
from tests.engine.differential import engine_store, reference_database
from tests.engine.test_differential import engine_step_with_messages, reference_step_with_messages
from tests.pg_reference import reference_pg

__all__ = ["reference_pg"]

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

reference = reference_database("differential_operands")
engine_session = engine_store("differential_operands")

ALL_STEPS = [*JSON_PATHS]


@pytest.mark.parametrize("sql", ALL_STEPS)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, column types, error message and
    notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
