"""Composite types reach hot standbys with the journal: a standby's session reads a type created,
then changed (RENAME ATTRIBUTE, ADD ATTRIBUTE of a type no column uses), on the primary, ordered
field by field, with the primary's OIDs, and its field names where a driver reads them."""

from __future__ import annotations

from pathlib import Path

from tests.replication.cluster import Cluster, connect, running, wait_caught_up

_READ = ("select c::text, (c).value, 'card'::regtype::oid from hands order by c")
_FIELDS = ("select a.attname from pg_attribute a join pg_type t on t.typrelid = a.attrelid "
           "where t.typname = 'spare' order by a.attnum")


def test_standby_sessions_follow_the_primary_composites(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary:
            primary.execute("create type card as (value int, suit text)")
            primary.execute("create type spare as (a int)")
            primary.execute("create table hands (c card)")
            primary.execute("insert into hands values (row(10, 'x')), (row(2, 'y z'))")
            with connect(standby) as reader:  # a standby session open before the types change
                wait_caught_up(cluster.primary, standby)
                first = reader.execute(_READ).fetchall()
                primary.execute("alter type card rename attribute suit to colour")
                primary.execute("alter type spare add attribute b text")
                primary.execute("insert into hands values ('(3,q)')")
                expected = primary.execute(_READ).fetchall()
                wait_caught_up(cluster.primary, standby)
                assert reader.execute(_READ).fetchall() == expected
                assert reader.execute(_FIELDS).fetchall() == [("a",), ("b",)]
                assert reader.execute("select ('(1,q)'::card).colour").fetchall() == [("q",)]
        assert [row[:2] for row in first] == [('(2,"y z")', 2), ("(10,x)", 10)]
        assert [row[:2] for row in expected] == [('(2,"y z")', 2), ("(3,q)", 3), ("(10,x)", 10)]
