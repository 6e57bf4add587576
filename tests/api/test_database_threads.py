"""A Database shared by threads, in both modes: an open transaction keeps it for its thread, and
another thread's statement waits until the transaction ends, so it never runs inside it."""

from __future__ import annotations

import threading

import pytest

import heliosdb_lite as hdb
from tests.api.conftest import OpenConnection

WITHHELD_FOR = 0.5  # how long the other thread is watched for not getting through
TIMEOUT = 30.0


class Abandon(Exception):
    """Raised to leave the transaction block: it rolls back."""


def test_another_threads_statement_waits_for_the_open_transaction(open_connection: OpenConnection) -> None:
    db = hdb.Database(open_connection(autocommit=True))
    db.execute("CREATE TABLE t (a integer)")
    calling, answered = threading.Event(), threading.Event()
    seen: list[object] = []

    def count() -> None:
        calling.set()
        seen.extend(db.query("SELECT count(*) FROM t"))
        answered.set()

    other = threading.Thread(target=count)
    with pytest.raises(Abandon), db.transaction() as txn:
        txn.execute("INSERT INTO t VALUES (1)")
        other.start()
        assert calling.wait(TIMEOUT)
        assert not answered.wait(WITHHELD_FOR), "a statement ran inside another thread's transaction"
        raise Abandon
    assert answered.wait(TIMEOUT)
    other.join(TIMEOUT)
    assert seen == [(0,)]  # it ran after the rollback, not inside the transaction
