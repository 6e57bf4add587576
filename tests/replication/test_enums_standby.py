"""Enum types reach hot standbys with the journal: a standby's sessions read a type created, then
changed (ADD VALUE, RENAME VALUE), on the primary, in the enum's order, with the primary's OIDs."""

from __future__ import annotations

from pathlib import Path

from tests.replication.cluster import Cluster, connect, running, wait_caught_up

_READ = ("select m::text, 'ok'::mood < 'happy'::mood, enum_range(null::mood)::text, "
         "'mood'::regtype::oid from feelings order by m")


def test_standby_sessions_follow_the_primary_enums(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary:
            primary.execute("create type mood as enum ('sad', 'happy')")
            primary.execute("create table feelings (m mood)")
            primary.execute("insert into feelings values ('happy'), ('sad')")
            with connect(standby) as reader:  # a standby session open before the type changes
                wait_caught_up(cluster.primary, standby)
                first = reader.execute("select m::text, enum_range(null::mood)::text from feelings "
                                       "order by m").fetchall()
                primary.execute("alter type mood add value 'ok' before 'happy'")
                primary.execute("alter type mood rename value 'sad' to 'blue'")
                primary.execute("insert into feelings values ('ok')")
                expected = primary.execute(_READ).fetchall()
                wait_caught_up(cluster.primary, standby)
                assert reader.execute(_READ).fetchall() == expected
        assert first == [("sad", "{sad,happy}"), ("happy", "{sad,happy}")]
        assert [row[0] for row in expected] == ["blue", "ok", "happy"]
        assert {row[1:3] for row in expected} == {(True, "{blue,ok,happy}")}
