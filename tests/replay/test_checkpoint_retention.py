"""What a checkpoint forgets in `_helios_txn`: the payloads the journal holds durably (each row's
once, the rows since the previous checkpoint), and outcomes older than the retention (the oldest
rows in LSN order, up to the first retained one; the newest row always stays)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest

from heliosdb_lite.engine.session import SQLiteEngine
from heliosdb_lite.journal import Journal
from heliosdb_lite.replay import txn_table
from heliosdb_lite.replay.commit import CommitService
from tests.engine.helpers import run

HOUR_US = 3_600_000_000
NOW_US = 1_800_000_000_000_000


@pytest.fixture
def table(tmp_path: Path) -> Iterator[apsw.Connection]:
    connection = apsw.Connection(str(tmp_path / "txn.db"))
    txn_table.ensure(connection)
    try:
        yield connection
    finally:
        connection.close()


def fill(connection: apsw.Connection, decided_us: list[int]) -> None:
    """Rows with LSNs 1, 2, ... decided at these times, each with a payload."""
    txn_table.insert_many(connection, [
        (lsn, lsn.to_bytes(16, "big"), txn_table.COMMITTED, decided, b"p", None)
        for lsn, decided in enumerate(decided_us, start=1)])


def payloads(connection: apsw.Connection) -> list[tuple[int, bool]]:
    return [(lsn, payload is not None) for lsn, payload in
            connection.execute(f"SELECT lsn, payload FROM {txn_table.TXN_TABLE} ORDER BY lsn")]


def lsns(connection: apsw.Connection) -> list[int]:
    return [lsn for (lsn,) in connection.execute(f"SELECT lsn FROM {txn_table.TXN_TABLE} ORDER BY lsn")]


def test_payloads_are_dropped_in_a_range_of_lsns(table: apsw.Connection) -> None:
    fill(table, [NOW_US] * 5)
    txn_table.drop_payloads(table, 1, 3)
    assert payloads(table) == [(1, True), (2, False), (3, False), (4, True), (5, True)]


def test_expired_outcomes_are_the_oldest_rows(table: apsw.Connection) -> None:
    cutoff = NOW_US - 24 * HOUR_US
    fill(table, [cutoff - 3, cutoff - 2, cutoff - 1, cutoff, cutoff + 1])
    assert txn_table.drop_outcomes(table, cutoff) == 3
    assert lsns(table) == [4, 5]


def test_the_newest_outcome_stays_when_every_one_expired(table: apsw.Connection) -> None:
    fill(table, [1, 2, 3])
    assert txn_table.drop_outcomes(table, NOW_US) == 2
    assert lsns(table) == [3]


def test_an_outcome_decided_before_the_clock_was_set_back_is_kept_longer(table: apsw.Connection) -> None:
    cutoff = NOW_US - 24 * HOUR_US
    fill(table, [cutoff - 5, cutoff + 10, cutoff - 4, cutoff + 11])  # the clock went back after LSN 2
    assert txn_table.drop_outcomes(table, cutoff) == 1
    assert lsns(table) == [2, 3, 4]
    assert txn_table.drop_outcomes(table, cutoff + 11) == 2  # once LSN 2 expires, LSN 3 goes with it
    assert lsns(table) == [4]


def test_each_checkpoint_drops_the_payloads_written_since_the_last(tmp_path: Path) -> None:
    engine = SQLiteEngine(tmp_path / "data")
    journal = Journal.open(tmp_path / "journal")
    service = CommitService(journal, engine.store_path)
    recorder = service.recorder(bytes(8), "postgres", "postgres")
    session = engine.open_session("postgres", "postgres", {}, recorder)
    store = apsw.Connection(str(engine.store_path))
    try:
        run(session, "create table t (a int)")
        run(session, "insert into t values (1)")
        assert payloads(store) == [(1, True), (2, True)]
        assert service.checkpoint(retention_hours=24) == 2
        assert payloads(store) == [(1, False), (2, False)]
        run(session, "insert into t values (2)")
        assert payloads(store) == [(1, False), (2, False), (3, True)]
        assert service.checkpoint(retention_hours=24) == 3
        assert payloads(store) == [(1, False), (2, False), (3, False)]
    finally:
        store.close()
        session.close()
        service.close()
        journal.close_sync()
        engine.close()
