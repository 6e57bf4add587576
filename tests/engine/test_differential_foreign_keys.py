"""Differential script for FOREIGN KEY constraints added by ALTER TABLE (kept by triggers,
`engine/ddl/foreign_keys.py`): the rows already there checked, child and parent sides refused with
PostgreSQL's messages, ON DELETE / ON UPDATE CASCADE and SET NULL, composite and schema-qualified
keys, DROP CONSTRAINT, DROP TABLE of a referenced table (2BP01, CASCADE). Runs against the engine
and a real PostgreSQL 15; outcome, messages and notices must agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

SCRIPT = [
    "create table p (id int primary key, code text unique, n int)",
    "create table c (id int, pid int, note text)",
    "insert into p values (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)",
    "insert into c values (1, 1, 'a'), (2, null, 'b'), (3, 9, 'z')",
    "alter table c add constraint c_pid_fk foreign key (pid) references p (id)",
    "delete from c where id = 3",
    "alter table c add constraint c_pid_fk foreign key (pid) references p (id) on delete cascade",
    "insert into c values (3, 9, 'x')",
    "insert into c values (3, 2, 'x') returning *",
    "insert into c values (4, null, 'x') returning *",
    "update c set pid = 7 where id = 3",
    "update c set pid = 3 where id = 3 returning *",
    "delete from p where id = 3",
    "select * from c order by id",
    "alter table c add foreign key (note) references p (code)",
    "alter table c add foreign key (note) references p (n)",
    "alter table c add foreign key (nosuch) references p (code)",
    "alter table c add foreign key (note) references nosuch (code)",
    "alter table c add foreign key (pid, note) references p (id)",
    "update c set note = 'b' where id = 4",
    "alter table c add foreign key (note) references p (code) on update cascade on delete set null",
    "update p set code = 'bb' where code = 'b' returning *",
    "select * from c order by id",
    "delete from p where code = 'a'",
    "select * from c order by id",
    "alter table c drop constraint c_note_fkey",
    "alter table c drop constraint c_note_fkey",
    "alter table c drop constraint if exists c_note_fkey",
    "delete from p where id = 2",
    "select * from c order by id",
    "create table ref (id int primary key)",
    "create table uses (rid int)",
    "alter table uses add foreign key (rid) references ref",
    "insert into ref values (1)",
    "insert into uses values (1)",
    "delete from ref",
    "update ref set id = 2",
    "drop table ref",
    "drop table ref cascade",
    "insert into uses values (5) returning rid",
    "create table pk2 (a int, b int, primary key (a, b))",
    "create table ck2 (x int, y int)",
    "alter table ck2 add constraint ck2_fk foreign key (x, y) references pk2 (a, b) on delete set null",
    "insert into pk2 values (1, 1)",
    "insert into ck2 values (1, 1), (1, null), (null, 5)",
    "insert into ck2 values (1, 2)",
    "delete from pk2",
    "select * from ck2 order by x, y",
    "create schema s",
    "create table s.parent (id int primary key)",
    "create table s.child (pid int)",
    "alter table s.child add foreign key (pid) references s.parent (id)",
    "insert into s.child values (1)",
    "insert into s.parent values (1)",
    "insert into s.child values (1) returning pid",
    "delete from s.parent",
    "drop schema s cascade",
]

reference = reference_database("differential_foreign_keys")
engine_session = engine_store("differential_foreign_keys")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
