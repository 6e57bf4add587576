"""The writer slot: writers queue first-come first-served while one session holds it, readers
never wait for it, and a queued writer can be cancelled without disturbing the queue."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from heliosdb_lite.server.writer_slot import WriterSlot
from tests.server.monitored import TIMEOUT, MonitoredServer


@pytest.fixture
def monitored(tmp_path: Path) -> Iterator[MonitoredServer]:
    server = MonitoredServer(tmp_path / "data")
    server.process.start()
    try:
        yield server
    finally:
        server.process.stop()


def _connect(server: MonitoredServer) -> psycopg.Connection:
    return psycopg.connect(server.process.dsn, autocommit=True, connect_timeout=int(TIMEOUT))


def test_writers_get_the_slot_in_arrival_order(monitored: MonitoredServer) -> None:
    with _connect(monitored) as holder:
        holder.execute("CREATE TABLE arrivals (seq integer PRIMARY KEY, writer text)")
        holder.execute("CREATE TABLE tickets (id serial PRIMARY KEY, writer text)")
        holder.execute("BEGIN")
        holder.execute("INSERT INTO arrivals VALUES (0, 'holder')")  # takes the slot and keeps it
        writers = []
        for number, name in enumerate(("first", "second", "third"), start=1):
            connection = _connect(monitored)
            thread = threading.Thread(target=connection.execute,
                                      args=("INSERT INTO tickets (writer) VALUES (%s)", (name,)))
            thread.start()
            monitored.wait_for_slot_waiters(number)  # queued before the next one arrives
            writers.append((connection, thread))
        with _connect(monitored) as reader:  # readers do not queue
            assert reader.execute("SELECT count(*) FROM tickets").fetchone() == (0,)
        holder.execute("COMMIT")
        for connection, thread in writers:
            thread.join(TIMEOUT)
            assert not thread.is_alive()
            connection.close()
        order = holder.execute("SELECT writer FROM tickets ORDER BY id").fetchall()
    assert order == [("first",), ("second",), ("third",)]


def test_a_cancelled_waiter_leaves_the_queue(monitored: MonitoredServer) -> None:
    with _connect(monitored) as holder, _connect(monitored) as waiter:
        holder.execute("CREATE TABLE slots (id integer PRIMARY KEY)")
        holder.execute("BEGIN")
        holder.execute("INSERT INTO slots VALUES (1)")
        failures: list[BaseException] = []

        def wait_then_fail() -> None:
            try:
                waiter.execute("INSERT INTO slots VALUES (2)")
            except psycopg.Error as error:
                failures.append(error)

        thread = threading.Thread(target=wait_then_fail)
        thread.start()
        monitored.wait_for_slot_waiters(1)
        waiter.cancel()
        thread.join(TIMEOUT)
        assert [type(error) for error in failures] == [psycopg.errors.QueryCanceled]
        assert monitored.metrics()["heliosdb_writer_slot_waiters"] == 0
        holder.execute("COMMIT")
        waiter.execute("INSERT INTO slots VALUES (3)")  # the slot is free and the waiter can write
        assert holder.execute("SELECT id FROM slots ORDER BY id").fetchall() == [(1,), (3,)]


def test_a_free_slot_is_taken_at_once_but_never_ahead_of_a_waiter() -> None:
    """take_if_free (a writer's fast path) takes a free slot without a wait; once the slot is
    released to a queued waiter, a newcomer does not take it first."""
    async def scenario() -> list[str]:
        slot = WriterSlot()
        order: list[str] = []
        assert slot.take_if_free()
        assert not slot.take_if_free()  # held

        async def queued() -> None:
            await slot.begin_wait().acquire(lock_timeout_ms=0, statement_timeout_ms=0)
            order.append("waiter")
            slot.release()

        waiter = asyncio.create_task(queued())
        for _ in range(100):  # let the waiter queue (no time passes)
            if slot.waiting:
                break
            await asyncio.sleep(0)
        assert slot.waiting == 1
        slot.release()
        if slot.take_if_free():  # the waiter is still queued: this must not happen
            order.append("newcomer")
            slot.release()
        await asyncio.wait_for(waiter, TIMEOUT)
        assert slot.take_if_free()  # free again, nobody waiting
        return order

    assert asyncio.run(scenario()) == ["waiter"]
