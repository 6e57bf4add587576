"""A client thread that commits one autocommit INSERT into `marks` after another on one connection
to one server and records when each was acknowledged (the partition test and the stall bench read
the times). As a context manager it creates the table, starts, and at the end stops and joins."""

from __future__ import annotations

import itertools
import threading
import time

import psycopg

WAIT = 30.0


class Committer(threading.Thread):
    """Autocommit inserts into `marks` on one connection until stopped or the connection breaks;
    records when each was acknowledged."""

    def __init__(self, dsn: str, *, first: int = 1) -> None:
        super().__init__(daemon=True)
        self.dsn = dsn
        self.first = first  # the first number inserted (committers sharing `marks` need apart ranges)
        self.acknowledged: dict[int, float] = {}
        self.stop = threading.Event()
        self.ended: BaseException | None = None

    def __enter__(self) -> Committer:
        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=10) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS marks (n integer PRIMARY KEY)")
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.join(WAIT)

    def run(self) -> None:
        try:
            with psycopg.connect(self.dsn, autocommit=True, connect_timeout=10) as connection:
                number = self.first - 1
                while not self.stop.is_set():
                    number += 1
                    connection.execute("INSERT INTO marks VALUES (%s)", (number,))
                    self.acknowledged[number] = time.monotonic()
        except psycopg.Error as error:
            self.ended = error

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + WAIT
        while len(self.acknowledged) < count:
            assert self.ended is None and time.monotonic() < deadline, f"commits stopped: {self.ended!r}"
            time.sleep(0.01)

    @property
    def longest_gap(self) -> float:
        """The longest time between two acknowledgements in a row."""
        times = sorted(self.acknowledged.values())
        return max((later - earlier for earlier, later in itertools.pairwise(times)), default=0.0)
