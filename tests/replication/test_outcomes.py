"""Outcomes replicate: after a failover, heliosdb_txn_outcome() on the promoted standby answers for
each GTID exactly as the old primary did — a committed one with its LSN and commit time, a fenced
one as not committed — and a fenced GTID stays fenced there (a retry under it fails 40P02)."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from tests.chaos.bank import set_gtid
from tests.chaos.gtids import COMMITTED, NOT_COMMITTED, lookup
from tests.chaos.harness import FENCED
from tests.replication.cluster import Cluster, connect, running, wait_caught_up
from tests.replication.failover import promote


def test_promoted_standby_answers_outcomes_as_the_old_primary(tmp_path: Path) -> None:
    committed, fenced = str(uuid.uuid4()), str(uuid.uuid4())
    with running(Cluster(tmp_path, mode="sync")) as cluster:
        with connect(cluster.primary) as primary:
            primary.execute("CREATE TABLE t (id integer PRIMARY KEY)")
            set_gtid(primary, committed)
            primary.execute("INSERT INTO t VALUES (1)")
            answers = {gtid: lookup(primary, gtid) for gtid in (committed, fenced)}
        assert answers[committed].status == COMMITTED
        assert answers[fenced].status == NOT_COMMITTED  # looked up once: fenced for good
        wait_caught_up(cluster.primary, *cluster.standbys)
        cluster.primary.kill()
        standby = cluster.standbys[0]
        promote(standby)
        with connect(standby) as promoted:
            assert {gtid: lookup(promoted, gtid) for gtid in answers} == answers
            set_gtid(promoted, fenced)
            with pytest.raises(psycopg.Error) as refused:
                promoted.execute("INSERT INTO t VALUES (2)")
            assert refused.value.sqlstate == FENCED
            assert promoted.execute("SELECT count(*) FROM t").fetchone() == (1,)
