"""Differential script for sequences: CREATE SEQUENCE with every option and its defaults per AS
type, nextval/currval/lastval/setval at and past the bounds (CYCLE both ways), ALTER SEQUENCE of
each option, RENAME, OWNED BY, DROP, schema-qualified and temporary sequences, and sequences in a
rolled-back transaction. Each statement runs against the engine and a real PostgreSQL 15 in
order; the outcome (tag, columns, rows, SQLSTATE, transaction status), the error message and the
notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heliosdb_lite.engine.passthrough import SQLiteEngine, SQLiteSession
from tests.engine.test_differential import engine_step_with_messages, gap, reference_step_with_messages
from tests.pg_reference import reference_pg

__all__ = ["reference_pg"]

psycopg = pytest.importorskip("psycopg")


SCRIPT = [
    # defaults: ascending from 1, per AS type
    "create sequence plain",
    "select nextval('plain'), nextval('plain'), currval('plain'), lastval()",
    "create sequence small as smallint",
    "create sequence medium as integer",
    "create sequence large as bigint",
    "select setval('small', 0)",
    "select setval('small', 32767)",
    "select nextval('small')",
    "select setval('medium', 2147483648)",
    "select setval('medium', 2147483647), nextval('medium')",
    "select setval('large', 9223372036854775807)",
    "select nextval('large')",
    "select nextval('small_down')",
    "create sequence small_down as smallint increment -1",
    "select nextval('small_down'), nextval('small_down')",
    "select setval('small_down', 0)",
    "select setval('small_down', -32768), nextval('small_down')",
    "create sequence int_down as integer increment -3",
    "select nextval('int_down'), setval('int_down', -2147483648)",
    "select nextval('int_down')",
    "create sequence big_down increment -1",
    "select setval('big_down', 0)",
    "create sequence int_named as int4 maxvalue 2147483647",
    "create sequence wide as smallint maxvalue 40000",
    "create sequence wide as smallint minvalue -40000 increment -1",
    "create sequence wide as integer maxvalue 3000000000",
    "create sequence wide as text",
    "create sequence wide as numeric",
    "create sequence wide as double precision",
    "create sequence wide as nosuchtype",
    "create sequence wide as serial",
    # every option, in any order, with the optional words
    "create sequence every as integer increment by 5 minvalue 10 maxvalue 40 start with 20 cache 3 cycle",
    "select nextval('every'), nextval('every'), nextval('every'), nextval('every'), nextval('every')",
    "create sequence words no minvalue no maxvalue no cycle start 7 increment 2",
    "select nextval('words'), nextval('words')",
    "create sequence owned_none owned by none",
    "select nextval('owned_none')",
    # validation errors
    "create sequence bad start 0",
    "create sequence bad start 5 maxvalue 4",
    "create sequence bad increment 0",
    "create sequence bad minvalue 5 maxvalue 5",
    "create sequence bad minvalue 6 maxvalue 5",
    "create sequence bad cache 0",
    "create sequence bad increment -1 start 1",
    "create sequence bad start 1 start 2",
    "create sequence bad minvalue 1 no minvalue",
    "create sequence bad maxvalue 99999999999999999999",
    "create sequence bad start 1.5",
    "create sequence bad owned by nosuch.col",
    "create sequence bad owned by justone",
    "create sequence plain",
    "create sequence if not exists plain increment 0",
    "create sequence if not exists fresh",
    "select nextval('fresh')",
    # descending sequences
    "create sequence down increment -1",
    "select nextval('down'), nextval('down'), nextval('down')",
    "create sequence down_bounded increment by -2 minvalue -5 maxvalue 0",
    "select nextval('down_bounded'), nextval('down_bounded'), nextval('down_bounded')",
    "select nextval('down_bounded')",
    # reaching the bounds; CYCLE both ways
    "create sequence three maxvalue 3",
    "select nextval('three'), nextval('three'), nextval('three')",
    "select nextval('three')",
    "select currval('three'), lastval()",
    "create sequence round minvalue 1 maxvalue 3 cycle",
    "select nextval('round'), nextval('round'), nextval('round'), nextval('round'), nextval('round')",
    "create sequence round_down increment -1 minvalue -2 maxvalue 0 start 0 cycle",
    "select nextval('round_down'), nextval('round_down'), nextval('round_down'), nextval('round_down')",
    "create sequence tiny as smallint start 32766",
    "select nextval('tiny'), nextval('tiny')",
    "select nextval('tiny')",
    # setval: bounds, is_called false
    "select setval('three', 0)",
    "select setval('three', 4)",
    "select setval('three', 2)",
    "select nextval('three')",
    "select setval('three', 1, false)",
    "select currval('three')",
    "select nextval('three'), nextval('three')",
    "select setval('round', 3, true)",
    "select nextval('round')",
    "select setval('nosuch', 1)",
    # names as regclass input reads them; tables are not sequences
    'create sequence "Mixed Case"',
    """select nextval('"Mixed Case"'), nextval('"Mixed Case"')""",
    "select nextval('Mixed Case')",
    "select nextval('PLAIN')",
    "select nextval('public.NoSuch')",
    "select nextval('nosuchschema.q')",
    'drop sequence "Mixed Case"',
    "create table not_a_sequence (a int)",
    "select nextval('not_a_sequence')",
    "select currval('not_a_sequence')",
    "select setval('not_a_sequence', 1)",
    "alter sequence not_a_sequence restart",
    "drop sequence not_a_sequence",
    "drop table not_a_sequence",
    # currval/lastval before any nextval
    "create sequence untouched",
    "select currval('untouched')",
    "select currval('nosuch')",
    "select nextval('nosuch')",
    # ALTER SEQUENCE: each option, then nextval
    "create sequence altered",
    "select nextval('altered')",
    "alter sequence altered increment by 10",
    "select nextval('altered')",
    "alter sequence altered maxvalue 25",
    "select nextval('altered')",
    "select nextval('altered')",
    "alter sequence altered cycle",
    "select nextval('altered')",
    "alter sequence altered no cycle minvalue 0",
    "alter sequence altered start 5",
    "select nextval('altered')",
    "alter sequence altered restart",
    "select nextval('altered')",
    "alter sequence altered restart with 20",
    "select nextval('altered')",
    "alter sequence altered restart 3",
    "select nextval('altered')",
    "alter sequence altered cache 10",
    "alter sequence altered cache 1",  # drawn from one at a time here: other gaps than PostgreSQL's
    "alter sequence altered as smallint",
    "alter sequence altered no maxvalue",
    "select setval('altered', 40000)",
    "select setval('altered', 32767)",
    "select nextval('altered')",
    "alter sequence altered no cycle restart 1",
    "alter sequence altered minvalue 100",
    "alter sequence altered maxvalue 1",
    "alter sequence altered restart with 0",
    "alter sequence altered increment 0",
    "alter sequence altered as integer maxvalue 50000",
    "select nextval('altered')",
    "alter sequence altered increment -1",
    "select nextval('altered'), nextval('altered')",
    "alter sequence nosuch restart",
    "alter sequence if exists nosuch restart",
    "alter sequence if exists nosuch rename to other",
    "create sequence not_started start 10",
    "alter sequence not_started increment 5",
    "select nextval('not_started'), nextval('not_started')",
    # RENAME
    "create sequence old_name",
    "select nextval('old_name')",
    "alter sequence old_name rename to new_name",
    "select nextval('new_name'), currval('new_name')",
    "select nextval('old_name')",
    "alter sequence new_name rename to plain",
    # OWNED BY, then DROP TABLE drops the sequence
    "create table holder (id int, note text)",
    "create sequence held owned by holder.id",
    "create sequence held_later",
    "alter sequence held_later owned by holder.note",
    "create sequence held_none owned by holder.id",
    "alter sequence held_none owned by none",
    "create sequence held_bad owned by holder.nosuch",
    "alter sequence holder restart",
    "select nextval('held'), nextval('held_later'), nextval('held_none')",
    "drop table holder",
    "select nextval('held')",
    "select nextval('held_later')",
    "select nextval('held_none')",
    # OWNED BY follows the column's table and name; DROP COLUMN drops the sequence
    "create table keeper (a int, b int)",
    "create sequence by_a owned by keeper.a",
    "create sequence by_b owned by keeper.b",
    "alter table keeper rename to kept",
    "alter table kept rename column b to c",
    "alter table kept drop column a",
    "select nextval('by_a')",
    "select nextval('by_b')",
    "create table keeper (a int)",
    "drop table keeper",
    "select nextval('by_b')",
    "drop table kept",
    "select nextval('by_b')",
    # schema-qualified sequences
    "create schema s",
    "create sequence s.q start 100 maxvalue 101",
    "select nextval('s.q'), nextval('s.q')",
    "select nextval('s.q')",
    "select nextval('q')",
    "select setval('s.q', 200)",
    "set search_path = s, public",
    "select currval('q')",
    "alter sequence q restart",
    "select nextval('q')",
    "reset search_path",
    "alter sequence s.q rename to r",
    "select nextval('s.r')",
    "create table s.owner_table (c int)",
    "create sequence s.owned_in_s owned by s.owner_table.c",
    "create sequence wrong_schema owned by s.owner_table.c",
    "alter schema s rename to s2",
    "alter schema s2 rename to s",
    "drop table s.owner_table",
    "select nextval('s.owned_in_s')",
    "create sequence nosuch_schema.q",
    # temporary sequences
    "create temporary sequence temp_seq start 5",
    "select nextval('temp_seq')",
    "create temp sequence s.temp_in_schema",
    "drop sequence temp_seq",
    # sequences in a rolled-back transaction
    "begin",
    "create sequence rolled",
    "select nextval('rolled')",
    "alter sequence plain restart with 50",
    "rollback",
    "select nextval('rolled')",
    "select nextval('plain')",
    "begin",
    "drop sequence plain",
    "rollback",
    "select currval('plain')",
    "begin",
    "select nextval('fresh')",
    "rollback",
    gap("select nextval('fresh')", "nextval is transactional here: a value drawn in a rolled-back "
        "transaction is drawn again (PostgreSQL never hands a value out twice)"),
    # the sequences of serial columns
    "create table serial_key (id serial primary key, v text)",
    "insert into serial_key (v) values ('a') returning id",
    "alter sequence serial_key_id_seq restart with 10",
    "insert into serial_key (v) values ('b') returning id",
    "alter sequence serial_key_id_seq restart",
    gap("insert into serial_key (v) values ('c') returning id",
        "a serial primary key is SQLite's AUTOINCREMENT rowid: restarted below the highest key it "
        "still numbers above it (PostgreSQL's draws 1 again: 23505)"),
    "alter sequence if exists serial_key_id_seq restart with 20",
    "select nextval('serial_key_id_seq'), currval('serial_key_id_seq')",
    "create table serial_column (k int, n bigserial)",
    "alter sequence serial_column_n_seq restart with 5",
    "insert into serial_column (k) values (1) returning n",
    "alter sequence serial_column_n_seq restart with 7",
    "insert into serial_column (k) values (2) returning n",
    "alter sequence serial_column_n_seq increment 2",
    "insert into serial_column (k) values (3) returning n",
    "drop sequence serial_key_id_seq",
    "drop sequence if exists serial_key_id_seq",
    "drop sequence plain, serial_column_n_seq",
    "select nextval('plain')",
    "insert into serial_column (k) values (4) returning n",
    # DROP SEQUENCE
    "drop sequence nosuch",
    "drop sequence if exists nosuch",
    "drop sequence three, round",
    "select nextval('three')",
    "drop sequence if exists round_down, nosuch, down restrict",
    "drop sequence fresh cascade",
    "select lastval()",
    "drop sequence s.r",
    "select nextval('s.r')",
    # what the catalog says of them
    "create sequence listed as integer increment 5 minvalue 10 maxvalue 1000 start 20 cache 3 cycle",
    "create sequence listed_down increment -2",
    "create table listed_owner (id serial, big bigserial)",
    "select sequence_schema, sequence_name, data_type, numeric_precision, start_value, minimum_value, "
    "maximum_value, increment, cycle_option from information_schema.sequences "
    "where sequence_name like 'listed%' order by sequence_name",
    "select c.relname, format_type(s.seqtypid, null), s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, "
    "s.seqcycle from pg_sequence s join pg_class c on c.oid = s.seqrelid where c.relname like 'listed%' "
    "order by c.relname",
]


@pytest.fixture(scope="module")
def reference(reference_pg: str) -> Iterator[Any]:
    with psycopg.connect(reference_pg, autocommit=True) as admin:
        admin.execute("drop database if exists differential_sequences")
        admin.execute("create database differential_sequences")
    with psycopg.connect(reference_pg.replace("dbname=postgres", "dbname=differential_sequences"),
                         autocommit=True) as connection:
        connection.execute("set timezone = 'Etc/UTC'")
        yield connection


@pytest.fixture(scope="module")
def engine_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteSession]:
    engine = SQLiteEngine(Path(tmp_path_factory.mktemp("differential_sequences")) / "data")
    session = engine.open_session("postgres", "postgres", {})
    yield session
    session.close()
    engine.close()


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
