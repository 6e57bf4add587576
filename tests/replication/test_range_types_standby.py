"""Range types of one's own reach hot standbys with the journal: a standby's session open before
CREATE TYPE ... AS RANGE reads the range, its multirange and their columns in range order, with the
primary's OIDs, and sees the type dropped and made again."""

from __future__ import annotations

from pathlib import Path

from tests.replication.cluster import Cluster, connect, running, wait_caught_up

_READ = ("select r::text, m::text, r * floatrange(0, 3.5), 'floatrange'::regtype::oid, "
         "'floatmultirange'::regtype::oid from spans order by r")
_AGAIN = "select r::text, pg_typeof(r)::text, 'floatrange'::regtype::oid from spans"


def test_standby_sessions_follow_the_primary_range_types(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary, connect(standby) as reader:
            wait_caught_up(cluster.primary, standby)
            assert reader.execute("select to_regtype('floatrange')").fetchall() == [(None,)]
            primary.execute("create type floatrange as range (subtype = float8)")
            primary.execute("create table spans (r floatrange, m floatmultirange)")
            primary.execute("insert into spans values ('[3,4]', '{[1,2],[5,6]}'), ('(1,2]', '{}')")
            expected = primary.execute(_READ).fetchall()
            wait_caught_up(cluster.primary, standby)
            assert reader.execute(_READ).fetchall() == expected
            primary.execute("drop type floatrange cascade")
            primary.execute("create type floatrange as range (subtype = float8)")
            primary.execute("alter table spans add column r floatrange")
            primary.execute("update spans set r = '[0,1)'")
            wait_caught_up(cluster.primary, standby)
            assert reader.execute(_AGAIN).fetchall() == primary.execute(_AGAIN).fetchall()
        assert [row[:3] for row in expected] == [("(1,2]", "{}", "(1,2]"),
                                                 ("[3,4]", "{[1,2],[5,6]}", "[3,3.5)")]
