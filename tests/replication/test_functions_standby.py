"""User-defined functions reach hot standbys with the journal: a standby's session, open before the
function is created, calls it, then its replacement (CREATE OR REPLACE), and no longer finds it
after DROP FUNCTION on the primary."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.replication.cluster import Cluster, connect, running, wait_caught_up


def test_standby_sessions_follow_the_primary_functions(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary, connect(standby) as reader:
            primary.execute("create function greet(who text) returns text language sql "
                            "as $$select 'hello ' || who$$")
            wait_caught_up(cluster.primary, standby)
            first = reader.execute("select greet('standby')").fetchall()
            primary.execute("create or replace function greet(who text) returns text language plpgsql "
                            "as $$ begin return 'hi ' || who; end $$")
            wait_caught_up(cluster.primary, standby)
            second = reader.execute("select greet('standby')").fetchall()
            primary.execute("drop function greet(text)")
            wait_caught_up(cluster.primary, standby)
            with pytest.raises(psycopg.errors.UndefinedFunction):
                reader.execute("select greet('standby')")
        assert (first, second) == ([("hello standby",)], [("hi standby",)])
