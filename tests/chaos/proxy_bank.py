"""The bank workload through the proxy, with unmodified drivers and no retry logic: each worker moves
money between accounts in explicit transactions with psycopg, asyncpg, pg8000 (DB-API) or an
SQLAlchemy ORM session. Any exception a worker sees is an error the application would have seen;
it is kept in the ledger and fails the test.

Every transfer debits one account, credits another and records one `transfers` row (no key: a
transfer applied twice shows as two rows), so the checks are: every acknowledged transfer present
exactly once, nothing else present, the balances equal to the ledger's, the total conserved.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
import pg8000.dbapi
import psycopg
from sqlalchemy import BigInteger, Integer, create_engine, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ACCOUNTS = 8
INITIAL_BALANCE = 1_000
TOTAL_BALANCE = ACCOUNTS * INITIAL_BALANCE
MAX_AMOUNT = 50
SCHEMA = (
    "CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL)",
    "CREATE TABLE transfers (id bigint NOT NULL, source integer NOT NULL, target integer NOT NULL, "
    "amount bigint NOT NULL)",
)
DEBIT = "UPDATE accounts SET balance = balance - %s WHERE id = %s"
CREDIT = "UPDATE accounts SET balance = balance + %s WHERE id = %s"
RECORD = "INSERT INTO transfers (id, source, target, amount) VALUES (%s, %s, %s, %s)"


@dataclass(frozen=True, slots=True)
class Transfer:
    id: int
    source: int
    target: int
    amount: int


@dataclass
class Ledger:
    """What the workers attempted, what was acknowledged, and every error they saw."""

    attempted: list[Transfer] = field(default_factory=list)
    acknowledged: list[Transfer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, rng: random.Random) -> Transfer:
        source, target = rng.sample(range(ACCOUNTS), 2)
        with self._lock:
            transfer = Transfer(next(self._ids), source, target, rng.randint(1, MAX_AMOUNT))
            self.attempted.append(transfer)
        return transfer

    def acknowledge(self, transfer: Transfer) -> None:
        with self._lock:
            self.acknowledged.append(transfer)

    def error(self, worker: str, failure: BaseException) -> None:
        with self._lock:
            self.errors.append(f"{worker}: {type(failure).__name__}: {failure}")


def create_bank(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        for statement in SCHEMA:
            connection.execute(statement)
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO accounts (id, balance) VALUES (%s, %s)",
                               [(account, INITIAL_BALANCE) for account in range(ACCOUNTS)])


def check_store(dsn: str, ledger: Ledger) -> None:
    """Every transfer attempted was acknowledged and is in the store exactly once, nothing else is;
    the balances are the ledger's and the total is conserved."""
    assert ledger.acknowledged, "no transfer was acknowledged"
    assert sorted(t.id for t in ledger.acknowledged) == sorted(t.id for t in ledger.attempted), \
        "a transfer was attempted but never acknowledged (its worker must have seen an error)"
    with psycopg.connect(dsn, autocommit=True) as checker:
        present: Counter[int] = Counter(
            dict(checker.execute("SELECT id, count(*) FROM transfers GROUP BY id").fetchall()))
        balances: dict[int, int] = dict(checker.execute("SELECT id, balance FROM accounts").fetchall())
    twice = {transfer_id: count for transfer_id, count in present.items() if count != 1}
    assert not twice, f"transfers applied more than once: {sorted(twice.items())[:10]}"
    assert set(present) == {t.id for t in ledger.acknowledged}, "the store has transfers nobody made"
    expected = dict.fromkeys(range(ACCOUNTS), INITIAL_BALANCE)
    for transfer in ledger.acknowledged:
        expected[transfer.source] -= transfer.amount
        expected[transfer.target] += transfer.amount
    assert sum(balances.values()) == TOTAL_BALANCE, f"total balance {sum(balances.values())}"
    assert balances == expected, f"balances {balances} != ledger {expected}"


class _Base(DeclarativeBase):
    pass


class Account(_Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger)


class TransferRow(_Base):
    __tablename__ = "transfers"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)


class Worker(threading.Thread):
    """Transfers until `stop` is set, through one connection (or ORM engine) of one driver."""

    DRIVERS = ("psycopg", "asyncpg", "pg8000", "sqlalchemy")

    def __init__(self, driver: str, host: str, port: int, ledger: Ledger, seed: int,
                 stop: threading.Event) -> None:
        super().__init__(name=f"{driver}-worker", daemon=True)
        self.driver = driver
        self.host, self.port = host, port
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.stop_event = stop
        self.connected = threading.Event()

    def run(self) -> None:
        try:
            if self.driver == "asyncpg":
                asyncio.run(self._asyncpg())
            else:
                drivers = {"psycopg": self._psycopg, "pg8000": self._pg8000, "sqlalchemy": self._sqlalchemy}
                drivers[self.driver]()
        except BaseException as failure:
            self.ledger.error(self.name, failure)
        finally:
            self.connected.set()

    def _loop(self, transfer: Callable[[Transfer], None]) -> None:
        self.connected.set()
        while not self.stop_event.is_set():
            current = self.ledger.start(self.rng)
            transfer(current)
            self.ledger.acknowledge(current)

    def _psycopg(self) -> None:
        with psycopg.connect(host=self.host, port=self.port, user="postgres") as connection:
            def transfer(t: Transfer) -> None:
                connection.execute(DEBIT, (t.amount, t.source))
                connection.execute(CREDIT, (t.amount, t.target))
                connection.execute(RECORD, (t.id, t.source, t.target, t.amount))
                connection.commit()

            self._loop(transfer)

    def _pg8000(self) -> None:
        connection = pg8000.dbapi.connect(user="postgres", host=self.host, port=self.port)
        try:
            cursor = connection.cursor()

            def transfer(t: Transfer) -> None:
                cursor.execute(DEBIT, (t.amount, t.source))
                cursor.execute(CREDIT, (t.amount, t.target))
                cursor.execute(RECORD, (t.id, t.source, t.target, t.amount))
                connection.commit()

            self._loop(transfer)
        finally:
            connection.close()

    def _sqlalchemy(self) -> None:
        engine = create_engine(f"postgresql+psycopg://postgres@{self.host}:{self.port}/postgres",
                               pool_size=1, max_overflow=0)

        def transfer(t: Transfer) -> None:
            with Session(engine) as session, session.begin():
                session.execute(update(Account).where(Account.id == t.source)
                                .values(balance=Account.balance - t.amount))
                session.execute(update(Account).where(Account.id == t.target)
                                .values(balance=Account.balance + t.amount))
                session.add(TransferRow(id=t.id, source=t.source, target=t.target, amount=t.amount))

        try:
            self._loop(transfer)
        finally:
            engine.dispose()

    async def _asyncpg(self) -> None:
        connection = await asyncpg.connect(host=self.host, port=self.port, user="postgres")
        try:
            self.connected.set()
            while not self.stop_event.is_set():
                t = self.ledger.start(self.rng)
                async with connection.transaction():
                    await connection.execute("UPDATE accounts SET balance = balance - $1 WHERE id = $2",
                                             t.amount, t.source)
                    await connection.execute("UPDATE accounts SET balance = balance + $1 WHERE id = $2",
                                             t.amount, t.target)
                    await connection.execute("INSERT INTO transfers (id, source, target, amount) "
                                             "VALUES ($1, $2, $3, $4)", t.id, t.source, t.target, t.amount)
                self.ledger.acknowledge(t)
        finally:
            await connection.close()
