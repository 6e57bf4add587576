"""psql's backslash commands over the catalog: `\\dt`, `\\d table`, `\\l` and `\\dn` print what
PostgreSQL 15 prints for the same schema (the expected text below is PostgreSQL's own output, compared
line by line without trailing blanks; \\l's locale columns differ between installations and are not
compared).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.server.conftest import Target
from tests.server.psql_client import run_psql

SCHEMA = """\
create table meta_items(id serial primary key, name text not null default 'x', price numeric(10,2),
  code varchar(20) unique, created timestamptz default now(), active boolean not null default true,
  qty integer);
create index on meta_items(name);
create table meta_lines(order_id bigint, line smallint, sku char(3), shipped date, weight double precision,
  ratio real, attrs jsonb, ref uuid, note varchar, amount numeric, stamp timestamp, tags text[],
  primary key (order_id, line));
create view meta_view as select id, name from meta_items;
"""

ITEMS = """\
                                     Table "public.meta_items"
 Column  |           Type           | Collation | Nullable |                Default
---------+--------------------------+-----------+----------+----------------------------------------
 id      | integer                  |           | not null | nextval('meta_items_id_seq'::regclass)
 name    | text                     |           | not null | 'x'::text
 price   | numeric(10,2)            |           |          |
 code    | character varying(20)    |           |          |
 created | timestamp with time zone |           |          | now()
 active  | boolean                  |           | not null | true
 qty     | integer                  |           |          |
Indexes:
    "meta_items_pkey" PRIMARY KEY, btree (id)
    "meta_items_code_key" UNIQUE CONSTRAINT, btree (code)
    "meta_items_name_idx" btree (name)

"""

LINES = """\
                        Table "public.meta_lines"
  Column  |            Type             | Collation | Nullable | Default
----------+-----------------------------+-----------+----------+---------
 order_id | bigint                      |           | not null |
 line     | smallint                    |           | not null |
 sku      | character(3)                |           |          |
 shipped  | date                        |           |          |
 weight   | double precision            |           |          |
 ratio    | real                        |           |          |
 attrs    | jsonb                       |           |          |
 ref      | uuid                        |           |          |
 note     | character varying           |           |          |
 amount   | numeric                     |           |          |
 stamp    | timestamp without time zone |           |          |
 tags     | text[]                      |           |          |
Indexes:
    "meta_lines_pkey" PRIMARY KEY, btree (order_id, line)

"""

TABLES = """\
           List of relations
 Schema |    Name    | Type  |  Owner
--------+------------+-------+----------
 public | meta_items | table | postgres
 public | meta_lines | table | postgres
(2 rows)

"""

RELATIONS = """\
                List of relations
 Schema |       Name        |   Type   |  Owner
--------+-------------------+----------+----------
 public | meta_items        | table    | postgres
 public | meta_items_id_seq | sequence | postgres
 public | meta_lines        | table    | postgres
 public | meta_view         | view     | postgres
(4 rows)

"""

SCHEMAS = """\
      List of schemas
  Name  |       Owner
--------+-------------------
 public | pg_database_owner
(1 row)

"""


@pytest.fixture(scope="module")
def schema(target: Target, tmp_path_factory: pytest.TempPathFactory) -> Target:
    done = psql(target, tmp_path_factory.mktemp("schema"), SCHEMA)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return target


def psql(target: Target, directory: Path, script: str) -> subprocess.CompletedProcess[str]:
    path = directory / "script.sql"
    path.write_text(script)
    return run_psql(target.host, target.port, path)


def output(target: Target, directory: Path, command: str) -> list[str]:
    """psql's output for one command, its lines without trailing blanks."""
    done = psql(target, directory, command + "\n")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return lines(done.stdout)


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_describe_table_with_serial_key_defaults_and_indexes(schema: Target, tmp_path: Path) -> None:
    assert output(schema, tmp_path, r"\d meta_items") == lines(ITEMS)


def test_describe_table_with_composite_key_and_many_types(schema: Target, tmp_path: Path) -> None:
    assert output(schema, tmp_path, r"\d meta_lines") == lines(LINES)


def test_list_tables(schema: Target, tmp_path: Path) -> None:
    assert output(schema, tmp_path, r"\dt meta_*") == lines(TABLES)


def test_list_relations_with_serial_sequence_and_view(schema: Target, tmp_path: Path) -> None:
    assert output(schema, tmp_path, r"\dtvs meta_*") == lines(RELATIONS)


def test_list_tables_unfiltered_includes_ours(schema: Target, tmp_path: Path) -> None:
    listed = output(schema, tmp_path, r"\dt")
    assert " public | meta_items | table | postgres" in listed
    assert " public | meta_lines | table | postgres" in listed


def test_list_schemas(schema: Target, tmp_path: Path) -> None:
    assert output(schema, tmp_path, r"\dn") == lines(SCHEMAS)


def test_describe_missing_table_says_so(schema: Target, tmp_path: Path) -> None:
    done = psql(schema, tmp_path, "\\d meta_nowhere\n")
    assert done.stderr.strip().endswith('error: Did not find any relation named "meta_nowhere".')


def test_list_databases(schema: Target, tmp_path: Path) -> None:
    rows = [line.split("|") for line in output(schema, tmp_path, r"\l") if "|" in line]
    header = [cell.strip() for cell in rows[0]]
    assert header == ["Name", "Owner", "Encoding", "Collate", "Ctype", "ICU Locale", "Locale Provider",
                      "Access privileges"]
    databases = {cells[0].strip(): [cell.strip() for cell in cells] for cells in rows[1:] if cells[0].strip()}
    assert set(databases) == {"postgres", "template0", "template1"}
    for name, cells in databases.items():
        assert (cells[1], cells[2], cells[6]) == ("postgres", "UTF8", "libc")
        assert cells[7] == ("" if name == "postgres" else "=c/postgres          +")
