"""I1 in embedded mode: while the journal's fsync is held back, a commit has reached SQLite but
`commit` does not return (nor does an autocommit write); both return once the fsync completes.
The journal runs on a gated syscall layer (tests/journal/fakes.py), as in the server's test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import apsw

import heliosdb_lite as hdb
from heliosdb_lite.api.embedded import EmbeddedBackend
from heliosdb_lite.api.targets import embedded_config
from tests.journal.fakes import GatedSyscalls

WITHHELD_FOR = 0.5  # how long a withheld return is watched for not happening
TIMEOUT = 10.0
POLL_SECONDS = 0.01


def test_commit_returns_only_once_the_journal_is_durable(tmp_path: Path) -> None:
    syscalls = GatedSyscalls()
    store = tmp_path / "data" / "store.db"
    backend = EmbeddedBackend(embedded_config(tmp_path / "data"), journal_syscalls=syscalls)
    with hdb.Database(hdb.Connection(backend, autocommit=True)) as db:
        db.execute("CREATE TABLE t (id integer)")

        def in_transaction() -> None:
            with db.transaction() as txn:
                txn.execute("INSERT INTO t VALUES (1)")

        withheld_until_durable(syscalls, store, in_transaction, rows_after=1)
        withheld_until_durable(syscalls, store, lambda: db.execute("INSERT INTO t VALUES (2)"), rows_after=2)
        assert db.query("SELECT id FROM t ORDER BY id") == [(1,), (2,)]


def withheld_until_durable(syscalls: GatedSyscalls, store: Path, write: Callable[[], object],
                           rows_after: int) -> None:
    syscalls.gate.clear()
    syscalls.entered.clear()
    returned = threading.Event()
    def run() -> None:
        write()
        returned.set()

    worker = threading.Thread(target=run)
    worker.start()
    assert syscalls.entered.wait(TIMEOUT), "no fsync started"
    wait_for_rows(store, rows_after)  # committed in SQLite, not yet durable
    assert not returned.wait(WITHHELD_FOR), "commit returned before the journal was durable"
    syscalls.gate.set()
    assert returned.wait(TIMEOUT)
    worker.join(TIMEOUT)


def wait_for_rows(store: Path, count: int) -> None:
    """Bounded poll until SQLite has committed `count` rows (SQLite commits before the fsync wait)."""
    deadline = time.monotonic() + TIMEOUT
    connection = apsw.Connection(str(store))
    try:
        while connection.execute("SELECT count(*) FROM t").fetchone() != (count,):
            assert time.monotonic() < deadline, f"the store never had {count} rows"
            time.sleep(POLL_SECONDS)
    finally:
        connection.close()
