"""Index keys, index predicates and generated columns with casts (made deterministic: see
engine/translate/immutable_casts.py) are journaled with their DDL and rows: after a SIGKILL the
server answers the same and still enforces a unique index on a cast, and a store restored from the
journal alone equals the live one."""

from __future__ import annotations

from pathlib import Path

from tests.replay.statements import assert_restore_rebuilds, rows_of
from testsupport.server_process import ServerProcess

QUERIES = (
    "select h ->> 'id', n from docs order by 1",
    "select indexname, indexdef from pg_indexes where tablename = 'docs' order by 1",
)


def test_casts_in_indexes_and_generated_columns_survive_sigkill_and_restore(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        rows_of(server,
                "create table docs (h jsonb, c text, n int generated always as ((h ->> 'id')::int) stored)",
                "create unique index docs_id on docs (((h ->> 'id')::int))",
                "create index docs_c on docs ((c::int)) where c::int > 0",
                """insert into docs (h, c) values ('{"id": 1}', '5'), ('{"id": "2"}', '-1')""")
        before = rows_of(server, *QUERIES)
        server.kill()
        server.start()
        assert rows_of(server, *QUERIES) == before
        assert before[0] == [("1", 1), ("2", 2)]
        assert rows_of(server, """insert into docs (h) values ('{"id": "01"}')""") == ["23505"]
        rows_of(server, """insert into docs (h, c) values ('{"id": 3}', '7')""")
        server.terminate()
    finally:
        server.stop()
    assert_restore_rebuilds(tmp_path / "data", tmp_path / "restored")
