"""hstore reaches hot standbys with the journal: a standby's session sees CREATE EXTENSION hstore
(the type with the primary's OID) and reads an hstore column with its operators and functions;
DROP EXTENSION removes it there too."""

from __future__ import annotations

from pathlib import Path

from tests.replication.cluster import Cluster, connect, running, wait_caught_up

_TYPE = "select oid::int from pg_type where typname = 'hstore'"


def test_standby_sessions_read_hstore(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary, connect(standby) as reader:
            primary.execute("create extension hstore")
            primary.execute("create table maps (id int, h hstore)")
            primary.execute("insert into maps values (1, 'a=>1, b=>NULL'), (2, 'a=>2')")
            wait_caught_up(cluster.primary, standby)
            assert reader.execute(_TYPE).fetchall() == primary.execute(_TYPE).fetchall() != []
            read = reader.execute("select id, h::text, h -> 'a', akeys(h) from maps where h ? 'b'").fetchall()
            assert read == [(1, '"a"=>"1", "b"=>NULL', "1", ["a", "b"])]
            primary.execute("drop table maps")
            primary.execute("drop extension hstore")
            wait_caught_up(cluster.primary, standby)
            assert reader.execute(_TYPE).fetchall() == []
