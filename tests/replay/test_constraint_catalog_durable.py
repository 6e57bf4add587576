"""What the catalog shows of constraints and indexes — CHECK constraints with PostgreSQL's text,
keys named in CREATE TABLE, keys, CHECKs and foreign keys added by ALTER TABLE, expression and DESC
index keys — is journaled with the DDL that made it: after a SIGKILL the server shows the same
pg_constraint and pg_indexes rows, and a store restored from the journal alone equals the live one."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess

CATALOG = (
    "select conrelid::regclass::text, conname, contype, conkey::text, pg_get_constraintdef(oid), "
    "pg_get_constraintdef(oid, true) from pg_constraint order by 1, 2",
    "select tablename, indexname, indexdef from pg_indexes order by 1, 2",
)


def test_constraints_and_index_keys_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        rows_of(server,
                "create table parent (id int constraint parent_pk primary key, code text unique)",
                "create table child (id int, p int, qty int check (qty > 0), "
                "v varchar(3) check (v in ('a', 'b')))",
                "alter table child add primary key (id)",
                "alter table child add check (qty < 100 or v is null)",
                "alter table child add constraint child_parent foreign key (p) references parent "
                "on delete cascade",
                "create index on child (lower(v) desc, qty)")
        before = rows_of(server, *CATALOG)
        server.kill()
        server.start()
        after = rows_of(server, *CATALOG)
        assert after == before
        names = [row[1] for row in before[0]]
        assert names == ["child_check", "child_parent", "child_pkey", "child_qty_check", "child_v_check",
                         "parent_code_key", "parent_pk"]
        assert ("child", "child_lower_qty_idx",
                "CREATE INDEX child_lower_qty_idx ON public.child USING btree (lower((v)::text) DESC, qty)") \
            in before[1]
        assert rows_of(server, "insert into child values (1, null, 0, 'a')") == ["23514"]
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
