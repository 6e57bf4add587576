"""GTID outcomes over the wire: `heliosdb_txn_outcome` for committed, in-flight, rolled-back and
unknown GTIDs; fencing (I5); client-named GTIDs committed once (I3); session resumption; the GTID
a client computes from ParameterStatus; and acknowledged commits surviving SIGKILL (I1).
"""

from __future__ import annotations

import concurrent.futures
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.pq import TransactionStatus

from tests.chaos.conftest import Connect
from tests.chaos.gtids import (
    COMMITTED,
    NOT_COMMITTED,
    gtid_of,
    journal_verify,
    lookup,
    next_gtid,
    session_id,
    txn_seq,
)
from testsupport.server_process import ServerProcess

FENCED = "40P02"
ACTIVE_SQL_TRANSACTION = "25001"
SERIALIZATION_FAILURE = "40001"
LOOKUP_TIMEOUT = 60.0


def _count(connection: psycopg.Connection, table: str) -> int:
    row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def _create(connection: psycopg.Connection, table: str) -> None:
    connection.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, note text)")


def test_explicit_transaction_commits_under_the_gtid_predicted_before_commit(connect: Connect) -> None:
    writer, observer = connect(autocommit=False), connect()
    _create(observer, "explicit_rows")
    sequence = txn_seq(writer)
    gtid = next_gtid(writer)
    writer.execute("INSERT INTO explicit_rows VALUES (1, 'a')")
    writer.execute("INSERT INTO explicit_rows VALUES (2, 'b')")
    assert next_gtid(writer) == gtid  # the sequence moves only when a write transaction commits
    writer.commit()

    outcome = lookup(observer, gtid)
    assert outcome.gtid == gtid
    assert outcome.status == COMMITTED
    assert outcome.lsn is not None and outcome.lsn > 0
    assert outcome.commit_time is not None
    assert txn_seq(writer) == sequence + 1


def test_autocommit_statement_commits_under_the_reported_gtid(connect: Connect) -> None:
    writer, observer = connect(), connect()
    _create(observer, "autocommit_rows")
    writer.execute("SELECT count(*) FROM autocommit_rows")  # reads do not consume a GTID
    gtid, sequence = next_gtid(writer), txn_seq(writer)
    writer.execute("INSERT INTO autocommit_rows VALUES (1, 'a')")
    assert txn_seq(writer) == sequence + 1
    second = next_gtid(writer)
    writer.execute("INSERT INTO autocommit_rows VALUES (2, 'b')")

    first_outcome, second_outcome = lookup(observer, gtid), lookup(observer, second)
    assert (first_outcome.status, second_outcome.status) == (COMMITTED, COMMITTED)
    assert first_outcome.lsn is not None and second_outcome.lsn is not None
    assert 0 < first_outcome.lsn < second_outcome.lsn


def test_lookup_fences_an_open_transaction_so_its_commit_fails(connect: Connect) -> None:
    in_flight, observer = connect(autocommit=False), connect()
    _create(observer, "fenced_rows")
    in_flight.execute("SELECT count(*) FROM fenced_rows")  # the transaction is open
    gtid = next_gtid(in_flight)

    assert lookup(observer, gtid).status == NOT_COMMITTED
    in_flight.execute("INSERT INTO fenced_rows VALUES (1, 'late')")
    with pytest.raises(psycopg.Error) as raised:
        in_flight.commit()
    assert raised.value.sqlstate == FENCED
    assert in_flight.info.transaction_status == TransactionStatus.IDLE
    assert _count(observer, "fenced_rows") == 0
    assert lookup(observer, gtid).status == NOT_COMMITTED

    # The session moves on to a fresh GTID: its next transaction commits.
    assert next_gtid(in_flight) != gtid
    retry_gtid = next_gtid(in_flight)
    in_flight.execute("INSERT INTO fenced_rows VALUES (2, 'retried')")
    in_flight.commit()
    assert lookup(observer, retry_gtid).status == COMMITTED
    assert _count(observer, "fenced_rows") == 1


@pytest.mark.parametrize(("finish", "expected"), [("commit", COMMITTED), ("rollback", NOT_COMMITTED)])
def test_lookup_of_a_transaction_holding_the_writer_slot_reports_how_it_ended(
        connect: Connect, finish: str, expected: str) -> None:
    writer, observer = connect(autocommit=False), connect()
    _create(observer, f"held_rows_{finish}")
    gtid = next_gtid(writer)
    writer.execute(f"INSERT INTO held_rows_{finish} VALUES (1, 'held')")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(lookup, observer, gtid)
        getattr(writer, finish)()
        outcome = pending.result(timeout=LOOKUP_TIMEOUT)
    assert outcome.status == expected
    assert _count(observer, f"held_rows_{finish}") == (1 if expected == COMMITTED else 0)


def test_lookup_inside_a_transaction_that_has_written_is_refused(connect: Connect) -> None:
    """The lookup needs the writer slot this very transaction holds: refused, not a self-deadlock."""
    writer = connect(autocommit=False)
    writer.execute("CREATE TABLE self_lookup_rows (id integer PRIMARY KEY)")
    writer.commit()
    gtid = next_gtid(writer)
    writer.execute("INSERT INTO self_lookup_rows VALUES (1)")
    with pytest.raises(psycopg.Error) as raised:
        lookup(writer, gtid)
    assert raised.value.sqlstate == ACTIVE_SQL_TRANSACTION
    writer.rollback()
    assert lookup(writer, gtid).status == NOT_COMMITTED


def test_rolled_back_gtid_is_not_committed(connect: Connect) -> None:
    writer, observer = connect(autocommit=False), connect()
    _create(observer, "rolled_back_rows")
    gtid = next_gtid(writer)
    writer.execute("INSERT INTO rolled_back_rows VALUES (1, 'undone')")
    writer.rollback()
    assert next_gtid(writer) == gtid  # nothing was committed under it

    writer.autocommit = True
    assert lookup(writer, gtid).status == NOT_COMMITTED
    assert _count(observer, "rolled_back_rows") == 0
    # The lookup fenced this session's next GTID, so the session reports the one after it.
    assert next_gtid(writer) != gtid
    retry_gtid = next_gtid(writer)
    writer.execute("INSERT INTO rolled_back_rows VALUES (2, 'kept')")
    assert lookup(observer, retry_gtid).status == COMMITTED
    assert lookup(observer, gtid).status == NOT_COMMITTED


def test_unknown_gtid_is_not_committed_and_stays_so(connect: Connect) -> None:
    client, observer = connect(), connect()
    _create(observer, "unknown_rows")
    gtid = str(uuid.uuid4())
    first = lookup(observer, gtid)
    assert (first.gtid, first.status, first.lsn, first.commit_time) == (gtid, NOT_COMMITTED, None, None)
    assert lookup(client, gtid) == first  # I5: the same answer from any session

    client.execute(f"SET heliosdb.gtid = '{gtid}'")
    with pytest.raises(psycopg.Error) as raised:
        client.execute("INSERT INTO unknown_rows VALUES (1, 'too late')")
    assert raised.value.sqlstate == FENCED
    assert _count(observer, "unknown_rows") == 0
    assert lookup(observer, gtid) == first


def test_fenced_gtid_refuses_a_multi_statement_query_and_the_session_goes_on(connect: Connect) -> None:
    client, observer = connect(), connect()
    _create(observer, "implicit_rows")
    gtid = str(uuid.uuid4())
    assert lookup(observer, gtid).status == NOT_COMMITTED

    client.execute(f"SET heliosdb.gtid = '{gtid}'")
    with pytest.raises(psycopg.Error) as raised:  # one simple query, one implicit transaction
        psycopg.ClientCursor(client).execute("INSERT INTO implicit_rows VALUES (1, 'a'); "
                                             "INSERT INTO implicit_rows VALUES (2, 'b')")
    assert raised.value.sqlstate == FENCED
    assert _count(client, "implicit_rows") == 0


def test_client_named_gtid_is_applied_once(connect: Connect) -> None:
    first, second, observer = connect(), connect(), connect()
    _create(observer, "named_rows")
    gtid = str(uuid.uuid4())
    sequence = txn_seq(first)

    first.execute(f"SET heliosdb.gtid = '{gtid}'")
    first.execute("INSERT INTO named_rows VALUES (1, 'once')")
    assert txn_seq(first) == sequence  # a named GTID does not consume the session's sequence
    outcome = lookup(observer, gtid)
    assert outcome.status == COMMITTED

    # The same GTID again, in another session's explicit transaction: reported COMMIT, nothing applied.
    second.execute(f"SET heliosdb.gtid = '{gtid}'")
    cursor = second.cursor()
    cursor.execute("BEGIN")
    cursor.execute("INSERT INTO named_rows VALUES (2, 'twice')")
    cursor.execute("COMMIT")
    assert cursor.statusmessage == "COMMIT"
    # ...and again in the first session, autocommit.
    first.execute(f"SET heliosdb.gtid = '{gtid}'")
    first.execute("INSERT INTO named_rows VALUES (3, 'thrice')")
    assert observer.execute("SELECT id FROM named_rows").fetchall() == [(1,)]
    assert lookup(observer, gtid) == outcome

    # The name applied to one transaction only: the next one commits under the session's own GTID.
    own = next_gtid(second)
    second.execute("INSERT INTO named_rows VALUES (4, 'own')")
    assert lookup(observer, own).status == COMMITTED
    assert _count(observer, "named_rows") == 2


def test_resumed_session_continues_its_sequence(connect: Connect) -> None:
    original, observer = connect(), connect()
    _create(observer, "resumed_rows")
    original.execute("INSERT INTO resumed_rows VALUES (1, 'a')")
    original.execute("INSERT INTO resumed_rows VALUES (2, 'b')")
    session, sequence = session_id(original), txn_seq(original)
    original.close()

    resumed = connect(session=session)
    assert (session_id(resumed), txn_seq(resumed)) == (session, sequence)
    resumed.execute("INSERT INTO resumed_rows VALUES (3, 'c')")
    assert lookup(observer, gtid_of(session, sequence)).status == COMMITTED
    assert txn_seq(resumed) == sequence + 1
    assert lookup(observer, gtid_of(session, sequence - 1)).status == COMMITTED


def test_resumed_session_resolves_its_in_doubt_transaction_and_replays_it(connect: Connect) -> None:
    lost, observer = connect(autocommit=False), connect()
    _create(observer, "in_doubt_rows")
    session, in_doubt = session_id(lost), next_gtid(lost)
    lost.execute("INSERT INTO in_doubt_rows VALUES (1, 'in doubt')")
    lost.close()  # the connection drops before COMMIT

    resumed = connect(session=session)
    assert next_gtid(resumed) == in_doubt
    assert lookup(resumed, in_doubt).status == NOT_COMMITTED
    replay_gtid = next_gtid(resumed)
    assert replay_gtid != in_doubt
    resumed.execute("INSERT INTO in_doubt_rows VALUES (1, 'in doubt')")
    assert lookup(observer, replay_gtid).status == COMMITTED
    assert lookup(observer, in_doubt).status == NOT_COMMITTED
    assert _count(observer, "in_doubt_rows") == 1


def test_twin_of_a_resumed_session_never_loses_a_commit(connect: Connect) -> None:
    """Two live sessions with one session id (a client resumed while its old session was still
    committing) both predict sequence N: the second to commit must not be told COMMIT for nothing."""
    old, observer = connect(autocommit=False), connect()
    _create(observer, "twin_rows")
    old.execute("INSERT INTO twin_rows VALUES (1, 'old')")  # holds the writer slot, GTID N
    twin = connect(session=session_id(old))
    assert next_gtid(twin) == next_gtid(old)
    old.commit()

    with pytest.raises(psycopg.Error) as raised:
        twin.execute("INSERT INTO twin_rows VALUES (2, 'twin')")
    assert raised.value.sqlstate == SERIALIZATION_FAILURE
    assert observer.execute("SELECT id FROM twin_rows").fetchall() == [(1,)]
    retry_gtid = next_gtid(twin)
    twin.execute("INSERT INTO twin_rows VALUES (2, 'twin')")
    assert lookup(observer, retry_gtid).status == COMMITTED
    assert _count(observer, "twin_rows") == 2


def test_acknowledged_commits_survive_sigkill(crash_server: ServerProcess) -> None:
    server = crash_server.start()
    rows = 24
    acknowledged: dict[int, str] = {}
    with psycopg.connect(server.dsn, autocommit=True) as autocommit, \
            psycopg.connect(server.dsn) as explicit:
        _create(autocommit, "survivors")
        for row in range(rows):
            client = autocommit if row % 2 else explicit
            gtid = next_gtid(client)
            client.execute("INSERT INTO survivors VALUES (%s, 'kept')", (row,))
            if client is explicit:
                explicit.commit()
            acknowledged[row] = gtid
        server.kill()  # immediately after the last acknowledgement

    server.start()
    with psycopg.connect(server.dsn, autocommit=True) as checker:
        present = [row for (row,) in checker.execute("SELECT id FROM survivors ORDER BY id")]
        outcomes = {row: lookup(checker, gtid) for row, gtid in acknowledged.items()}
    assert present == list(range(rows))
    assert {row: outcome.status for row, outcome in outcomes.items()} == dict.fromkeys(range(rows), COMMITTED)
    assert len({outcome.lsn for outcome in outcomes.values()}) == rows
    verified = journal_verify(Path(server.data_dir) / "journal")
    assert verified.returncode == 0, verified.stdout + verified.stderr
