"""ALTER COLUMN ... TYPE reaches hot standbys with the journal: a standby's session open before the
change reads the rebuilt tables (a parent and the child whose foreign key references it) with the
converted values and the new types, in results and in the catalog."""

from __future__ import annotations

from pathlib import Path

from tests.replication.cluster import Cluster, connect, running, wait_caught_up

_READ = "select p.code, pg_typeof(p.code)::text, c.qty::text from parents p join children c using (code) " \
        "order by c.qty"
_TYPES = "select attname, atttypid::regtype::text, atttypmod from pg_attribute " \
         "where attrelid = 'children'::regclass and attnum > 0 order by attnum"


def test_standby_sessions_follow_the_primary_column_types(tmp_path: Path) -> None:
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        standby = cluster.standbys[0]
        with connect(cluster.primary) as primary:
            primary.execute("create table parents (code int primary key)")
            primary.execute("create table children (code int references parents (code), qty numeric(7,3))")
            primary.execute("insert into parents values (1), (2)")
            primary.execute("insert into children values (1, 1.2345), (2, 2.5555)")
            with connect(standby) as reader:  # a standby session open before the types change
                wait_caught_up(cluster.primary, standby)
                first = reader.execute(_READ).fetchall()
                primary.execute("alter table parents alter code type bigint")
                primary.execute("alter table children alter code type bigint, alter qty type numeric(5,1)")
                primary.execute("insert into children values (2, 9.99)")
                expected = primary.execute(_READ).fetchall()
                wait_caught_up(cluster.primary, standby)
                assert reader.execute(_READ).fetchall() == expected
                assert reader.execute(_TYPES).fetchall() == [("code", "bigint", -1),
                                                             ("qty", "numeric", 327685)]
        assert first == [(1, "integer", "1.235"), (2, "integer", "2.556")]
        assert expected == [(1, "bigint", "1.2"), (2, "bigint", "2.6"), (2, "bigint", "10.0")]
