"""LISTEN / NOTIFY / UNLISTEN and pg_notify across sessions, as PostgreSQL delivers them: at commit
(once per distinct notification of a transaction, none after ROLLBACK or for what a savepoint rolled
back), to an idle listener at once, to one inside a transaction block only when it ends, to the
notifying session itself with its command's answer; UNLISTEN and DISCARD ALL stop them. Absence
is shown by a sentinel notification that must come first, not by waiting. Runs against the server
(and PostgreSQL 15 or the proxy with HELIOSDB_CLIENT_TESTS_TARGET)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import psycopg.errors
import pytest

from tests.server.conftest import Target

WAIT = 10.0


@pytest.fixture
def listener(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        yield connection


@pytest.fixture
def notifier(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        yield connection


def _received(connection: psycopg.Connection[Any], until: str) -> list[tuple[str, str, int]]:
    """(channel, payload, sender pid) of the notifications up to the one whose payload is `until`."""
    got: list[tuple[str, str, int]] = []
    for notification in connection.notifies(timeout=WAIT):
        got.append((notification.channel, notification.payload, notification.pid))
        if notification.payload == until:
            return got
    raise AssertionError(f"no notification {until!r} within {WAIT} s; got {got}")


def test_delivered_at_commit_once_and_never_after_rollback(listener: psycopg.Connection[Any],
                                                           notifier: psycopg.Connection[Any]) -> None:
    listener.execute("listen jobs")
    listener.execute('listen "Mixed Case"')
    sender = notifier.info.backend_pid
    notifier.execute("notify jobs, 'plain'")
    notifier.execute("select pg_notify('jobs', 'by function')")
    with notifier.transaction():
        notifier.execute("notify jobs, 'twice'")
        notifier.execute("notify jobs, 'twice'")
        notifier.execute("notify jobs")
    with pytest.raises(ZeroDivisionError), notifier.transaction():
        notifier.execute("notify jobs, 'rolled back'")
        raise ZeroDivisionError
    with notifier.transaction():
        notifier.execute("savepoint s")
        notifier.execute("notify jobs, 'undone by the savepoint'")
        notifier.execute("rollback to savepoint s")
        notifier.execute("""notify "Mixed Case", 'end'""")
    assert _received(listener, until="end") == [
        ("jobs", "plain", sender), ("jobs", "by function", sender), ("jobs", "twice", sender),
        ("jobs", "", sender), ("Mixed Case", "end", sender)]


def test_a_listener_in_a_transaction_block_hears_when_it_ends(listener: psycopg.Connection[Any],
                                                              notifier: psycopg.Connection[Any]) -> None:
    listener.execute("listen held")
    listener.execute("begin")
    notifier.execute("notify held, 'during'")
    assert list(listener.notifies(timeout=0, stop_after=1)) == []  # nothing read while in the block
    listener.execute("commit")
    assert _received(listener, until="during") == [("held", "during", notifier.info.backend_pid)]


def test_own_notifications_and_unlisten(listener: psycopg.Connection[Any],
                                        notifier: psycopg.Connection[Any]) -> None:
    listener.execute("listen mine")
    listener.execute("listen other")
    listener.execute("notify mine, 'to myself'")
    assert _received(listener, until="to myself") == [("mine", "to myself", listener.info.backend_pid)]
    listener.execute("unlisten mine")
    notifier.execute("notify mine, 'unheard'")
    notifier.execute("notify other, 'sentinel 1'")
    assert [payload for _, payload, _ in _received(listener, until="sentinel 1")] == ["sentinel 1"]
    with listener.transaction():
        listener.execute("listen later")  # takes effect at commit
    notifier.execute("notify later, 'sentinel 2'")
    assert [payload for _, payload, _ in _received(listener, until="sentinel 2")] == ["sentinel 2"]
    listener.execute("unlisten *")
    listener.execute("listen last")
    notifier.execute("notify other, 'unheard'")
    notifier.execute("notify last, 'sentinel 3'")
    assert [payload for _, payload, _ in _received(listener, until="sentinel 3")] == ["sentinel 3"]
    listener.execute("discard all")
    listener.execute("listen after_discard")
    notifier.execute("notify last, 'unheard'")
    notifier.execute("notify after_discard, 'sentinel 4'")
    assert [payload for _, payload, _ in _received(listener, until="sentinel 4")] == ["sentinel 4"]


def test_bad_notifications_are_refused(notifier: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="payload string too long"):
        notifier.execute("notify jobs, '" + "x" * 8000 + "'")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="channel name cannot be empty"):
        notifier.execute("select pg_notify(null, 'x')")
    with pytest.raises(psycopg.errors.SyntaxError):
        notifier.execute("notify jobs, 5")


def test_a_commit_that_fails_sends_nothing(listener: psycopg.Connection[Any],
                                           notifier: psycopg.Connection[Any]) -> None:
    """A transaction refused at COMMIT (a deferred foreign key violated: 23503) notifies nobody:
    notifications are handed over only after the commit protocol has committed the transaction."""
    notifier.execute("drop table if exists notify_child, notify_parent")
    notifier.execute("create table notify_parent (id int primary key)")
    notifier.execute("create table notify_child "
                     "(p int references notify_parent(id) deferrable initially deferred)")
    listener.execute("listen guarded")
    with pytest.raises(psycopg.errors.ForeignKeyViolation), notifier.transaction():
        notifier.execute("insert into notify_child values (42)")
        notifier.execute("notify guarded, 'from a failed commit'")
    notifier.execute("notify guarded, 'sentinel'")
    assert [payload for _, payload, _ in _received(listener, until="sentinel")] == ["sentinel"]
