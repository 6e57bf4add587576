"""An interrupted COMMIT, resolved by its GTID: the server dies after the journal append or after its
answer left it, or the proxy drops the answer (fault points); the outcome lookup on the new
connection says committed, and the client gets the answer the server would have given, once. A
COMMIT the server never ran is looked up (and so fenced) and replayed under a fresh GTID. A
committed autocommit INSERT ... RETURNING whose rows were lost cannot be answered: HZ001."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pg8000.dbapi
import psycopg
import pytest

from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess, unread_bytes_waiting
from testsupport.suspend import suspend

WAIT = 60.0


def _server(data_dir: Path, port: int, fault: str | None = None) -> ServerProcess:
    env = {"HELIOSDB_FAULT_POINTS": f"{fault}=1"} if fault else None
    return ServerProcess(data_dir, port=port, env=env)


@pytest.fixture
def setup_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server with an `items` table, stopped again; tests restart it with a fault point armed."""
    server = ServerProcess(tmp_path / "data").start()
    with psycopg.connect(server.dsn, autocommit=True) as connection:
        connection.execute("CREATE TABLE items (id serial PRIMARY KEY, name text)")
    server.terminate()
    yield server
    server.stop()


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _crash_then_restart(crashing: ServerProcess, setup_server: ServerProcess) -> ServerProcess:
    """Wait for the armed server to kill itself, then start it again without the fault point."""
    assert crashing.process is not None
    crashing.process.wait(timeout=WAIT)
    return _server(setup_server.data_dir, setup_server.port).start()


def _names(server: ServerProcess) -> list[str]:
    with psycopg.connect(server.dsn) as connection:
        return [name for (name,) in connection.execute("SELECT name FROM items ORDER BY id")]


@pytest.mark.parametrize("fault", ["journal_appended", "commit_acknowledged"])
def test_explicit_commit_interrupted_inside_the_server(setup_server: ServerProcess, fault: str) -> None:
    crashing = _server(setup_server.data_dir, setup_server.port, fault).start()
    proxy = ProxyProcess([f"127.0.0.1:{setup_server.port}"]).start()
    restarted = None
    try:
        connection = psycopg.connect(proxy.dsn)
        connection.execute("INSERT INTO items (name) VALUES (%s)", ("one",))

        thread, outcome = _in_thread(connection.commit)
        restarted = _crash_then_restart(crashing, setup_server)
        thread.join(WAIT)
        assert outcome == [None]
        assert connection.execute("SELECT count(*) FROM items").fetchone() == (1,)
        connection.close()
        assert _names(restarted) == ["one"]
        assert proxy.counter("heliosdb_transparent_replay_failed_total", reason="unreproducible") == 0
        if fault == "journal_appended":  # the answer never left the server: the outcome gave it
            assert proxy.counter("heliosdb_transparent_replay_outcome_lookups_total", answer="committed") == 1
    finally:
        proxy.stop()
        crashing.stop()
        if restarted is not None:
            restarted.stop()


def test_commit_answer_dropped_by_the_proxy(setup_server: ServerProcess) -> None:
    server = setup_server.start()
    proxy = ProxyProcess([f"127.0.0.1:{server.port}"],
                         env={"HELIOSDB_FAULT_POINTS": "proxy_commit_answer=1"}).start()
    try:
        with psycopg.connect(proxy.dsn) as connection:
            for name in ("a", "b", "c"):
                connection.execute("INSERT INTO items (name) VALUES (%s)", (name,))
                connection.commit()
        assert _names(server) == ["a", "b", "c"]
        assert proxy.counter("heliosdb_transparent_replay_outcome_lookups_total", answer="committed") == 3
        assert proxy.replay_metrics()["data_loss_prevented"] == 3
    finally:
        proxy.stop()


def _wait_until(condition: Callable[[], bool]) -> None:
    event = threading.Event()
    for _ in range(int(WAIT * 100)):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition not reached")


@pytest.mark.parametrize("autocommit", [False, True])
def test_commit_the_server_never_ran_is_fenced_and_replayed(setup_server: ServerProcess,
                                                            autocommit: bool) -> None:
    server = setup_server.start()
    proxy = ProxyProcess([f"127.0.0.1:{server.port}"]).start()
    try:
        connection = psycopg.connect(proxy.dsn, autocommit=autocommit)
        before = connection.info.parameter_status("heliosdb.txn_seq")
        if not autocommit:
            connection.execute("INSERT INTO items (name) VALUES (%s)", ("first",))
        assert server.process is not None
        suspend(server.process)  # the COMMIT reaches the server, which never runs it
        work = (lambda: connection.execute("INSERT INTO items (name) VALUES ('auto')")) if autocommit \
            else connection.commit
        thread, outcome = _in_thread(work)
        _wait_until(lambda: unread_bytes_waiting(server.port))
        server.kill()
        server.start()
        thread.join(WAIT)
        assert len(outcome) == 1 and not isinstance(outcome[0], BaseException), outcome
        assert _names(server) == (["auto"] if autocommit else ["first"])
        assert proxy.counter("heliosdb_transparent_replay_outcome_lookups_total", answer="not_committed") == 1
        with psycopg.connect(server.dsn, autocommit=True) as check:
            fenced = check.execute("SELECT status FROM heliosdb_txn_outcome(%s)",
                                   (_gtid(connection, before),)).fetchone()
        assert fenced == ("not committed",)  # the replay committed under the next GTID
        connection.close()
    finally:
        proxy.stop()


def _gtid(connection: psycopg.Connection, sequence: str | None) -> str:
    from heliosdb_lite.transparent_replay.gtid import gtid_of

    session = connection.info.parameter_status("heliosdb.session_id")
    assert session is not None and sequence is not None
    return gtid_of(session, int(sequence))


def test_autocommit_write_interrupted_is_answered_from_its_outcome(setup_server: ServerProcess) -> None:
    crashing = _server(setup_server.data_dir, setup_server.port, "journal_appended").start()
    proxy = ProxyProcess([f"127.0.0.1:{setup_server.port}"]).start()
    restarted = None
    try:
        connection = psycopg.connect(proxy.dsn, autocommit=True)
        # an UPDATE of no row writes nothing: no journal append, no crash
        assert connection.execute("UPDATE items SET name = name WHERE id < %s", (0,)).rowcount == 0
        thread, answers = _in_thread(
            lambda: connection.execute("INSERT INTO items (name) VALUES (%s), (%s)", ("x", "y")).rowcount)
        restarted = _crash_then_restart(crashing, setup_server)
        thread.join(WAIT)
        assert answers == [2]  # INSERT 0 2, as the server would have answered
        simple = psycopg.ClientCursor(connection)
        simple.execute("INSERT INTO items (name) VALUES ('z')")
        assert simple.rowcount == 1
        assert _names(restarted) == ["x", "y", "z"]
        connection.close()
    finally:
        proxy.stop()
        crashing.stop()
        if restarted is not None:
            restarted.stop()


def test_committed_insert_returning_whose_rows_were_lost_is_hz001(setup_server: ServerProcess) -> None:
    crashing = _server(setup_server.data_dir, setup_server.port, "journal_appended").start()
    proxy = ProxyProcess([f"127.0.0.1:{setup_server.port}"]).start()
    restarted = None
    try:
        connection = psycopg.connect(proxy.dsn, autocommit=True)
        thread, outcome = _in_thread(lambda: connection.execute(
            "INSERT INTO items (name) VALUES (%s) RETURNING id", ("r",)).fetchone())
        restarted = _crash_then_restart(crashing, setup_server)
        thread.join(WAIT)
        (error,) = outcome
        assert isinstance(error, psycopg.Error) and error.sqlstate == "HZ001", error
        assert "committed exactly once" in (error.diag.message_hint or "")
        assert connection.execute("SELECT 1").fetchone() == (1,)  # the session goes on
        assert _names(restarted) == ["r"]  # applied once, not twice
        connection.close()
    finally:
        proxy.stop()
        crashing.stop()
        if restarted is not None:
            restarted.stop()


def test_pg8000_commit_binds_a_statement_parsed_in_an_earlier_request(setup_server: ServerProcess) -> None:
    """pg8000 parses COMMIT in one request and binds it in the next: answering it from the outcome
    needs the unnamed statement restored on the new connection."""
    crashing = _server(setup_server.data_dir, setup_server.port, "journal_appended").start()
    proxy = ProxyProcess([f"127.0.0.1:{setup_server.port}"]).start()
    restarted = None
    try:
        connection = pg8000.dbapi.connect(user="postgres", host=proxy.host, port=proxy.port)
        connection.cursor().execute("INSERT INTO items (name) VALUES (%s)", ("p",))
        thread, outcome = _in_thread(connection.commit)
        restarted = _crash_then_restart(crashing, setup_server)
        thread.join(WAIT)
        assert outcome == [None]
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM items")
        assert list(cursor.fetchone()) == [1]
        connection.close()
        assert _names(restarted) == ["p"]
        assert proxy.counter("heliosdb_transparent_replay_outcome_lookups_total", answer="committed") == 1
    finally:
        proxy.stop()
        crashing.stop()
        if restarted is not None:
            restarted.stop()


def test_pg8000_commits_whose_answers_are_all_dropped(setup_server: ServerProcess) -> None:
    """Every COMMIT answer lost (proxy fault point): each commit is answered from its outcome, the
    unnamed statement being restored after the lookup query that destroyed it."""
    server = setup_server.start()
    proxy = ProxyProcess([f"127.0.0.1:{server.port}"],
                         env={"HELIOSDB_FAULT_POINTS": "proxy_commit_answer=1"}).start()
    try:
        connection = pg8000.dbapi.connect(user="postgres", host=proxy.host, port=proxy.port)
        for name in ("a", "b", "c"):
            connection.cursor().execute("INSERT INTO items (name) VALUES (%s)", (name,))
            connection.commit()
        connection.close()
        assert _names(server) == ["a", "b", "c"]
        assert proxy.counter("heliosdb_transparent_replay_outcome_lookups_total", answer="committed") == 3
    finally:
        proxy.stop()
