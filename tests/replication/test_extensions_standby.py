"""Installed extensions reach hot standbys with the journal: a standby's session sees CREATE
EXTENSION citext (pg_extension's row, the type with the primary's OID) and reads a citext column
compared case-insensitively (its primary key and a unique citext[] applied there with the
type's collation); DROP EXTENSION removes them there too."""

from __future__ import annotations

from pathlib import Path

from tests.replication.cluster import Cluster, connect, running, wait_caught_up

_EXTENSIONS = "select extname from pg_extension order by 1"
_TYPE = "select oid::int from pg_type where typname = 'citext'"


def test_standby_sessions_follow_the_primary_extensions(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary, connect(standby) as reader:
            primary.execute("create extension citext")
            primary.execute("create table people (name citext primary key, tags citext[] unique)")
            primary.execute("insert into people values ('Alice', '{a}'), ('bob', null)")
            wait_caught_up(cluster.primary, standby)
            assert reader.execute(_EXTENSIONS).fetchall() == [("citext",), ("plpgsql",)]
            assert reader.execute(_TYPE).fetchall() == primary.execute(_TYPE).fetchall() != []
            assert reader.execute("select name::text from people where name = 'BOB'").fetchall() == [("bob",)]
            primary.execute("drop table people")
            primary.execute("drop extension citext")
            wait_caught_up(cluster.primary, standby)
            assert reader.execute(_EXTENSIONS).fetchall() == [("plpgsql",)]
            assert reader.execute(_TYPE).fetchall() == []
