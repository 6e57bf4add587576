"""The bank workload of the chaos harness, and the client-side ledger it is checked against.

`accounts` holds a fixed total balance; every transfer moves an amount between two accounts and
inserts one row, with a unique transfer id, into `transfers` — all in one transaction, either an
explicit one (autocommit=False) or one autocommit simple query. Before a transfer starts, the
ledger records the GTID it will commit under (the session's next GTID from ParameterStatus, or one
the client names with `SET heliosdb.gtid`); afterwards, whether the COMMIT was acknowledged, refused
by the server (rolled back), or left in doubt by a lost connection.
"""

from __future__ import annotations

import enum
import itertools
import random
import threading
import uuid
from dataclasses import dataclass, field

import psycopg
from psycopg.pq import TransactionStatus

from tests.chaos.gtids import next_gtid, resume_options, session_id

ACCOUNTS = 8
INITIAL_BALANCE = 1_000
TOTAL_BALANCE = ACCOUNTS * INITIAL_BALANCE
MAX_AMOUNT = 50
NAMED_GTID_SHARE = 0.3
CONNECT_TIMEOUT = 10

SCHEMA = (
    "CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL)",
    # No key on transfers.id: a transfer applied twice must show as two rows, not as an error.
    "CREATE TABLE transfers (id bigint NOT NULL, source integer NOT NULL, target integer NOT NULL, "
    "amount bigint NOT NULL, gtid text NOT NULL)",
)
DEBIT = "UPDATE accounts SET balance = balance - %(amount)s WHERE id = %(source)s"
CREDIT = "UPDATE accounts SET balance = balance + %(amount)s WHERE id = %(target)s"
RECORD = ("INSERT INTO transfers (id, source, target, amount, gtid) "
          "VALUES (%(id)s, %(source)s, %(target)s, %(amount)s, %(gtid)s)")
TRANSFER_STATEMENTS = (DEBIT, CREDIT, RECORD)


class State(enum.Enum):
    PENDING = "pending"  # started; its fate is unknown until the connection answers
    ACKNOWLEDGED = "acknowledged"  # the server acknowledged the COMMIT
    REFUSED = "refused"  # the server answered with an error: rolled back
    IN_DOUBT = "in doubt"  # the connection was lost before an answer
    COMMITTED = "resolved committed"  # in doubt, then heliosdb_txn_outcome said committed
    NOT_COMMITTED = "resolved not committed"  # in doubt, then not committed (and fenced)


COMMITTED_STATES = (State.ACKNOWLEDGED, State.COMMITTED)


@dataclass(slots=True)
class Transfer:
    id: int
    source: int
    target: int
    amount: int
    gtid: str
    named: bool
    explicit: bool
    state: State = State.PENDING

    def params(self) -> dict[str, object]:
        return {"id": self.id, "source": self.source, "target": self.target, "amount": self.amount,
                "gtid": self.gtid}


@dataclass
class Ledger:
    """Every transfer ever attempted, in id order (ids come from one counter)."""

    transfers: list[Transfer] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, source: int, target: int, amount: int, gtid: str, *, named: bool,
              explicit: bool) -> Transfer:
        with self._lock:
            transfer = Transfer(next(self._ids), source, target, amount, gtid, named, explicit)
            self.transfers.append(transfer)
        return transfer

    def since(self, first_id: int) -> list[Transfer]:
        with self._lock:
            return self.transfers[first_id - 1:]  # transfer n is at index n - 1

    @property
    def next_id(self) -> int:
        with self._lock:
            return self.transfers[-1].id + 1 if self.transfers else 1


def create_bank(connection: psycopg.Connection) -> None:
    for statement in SCHEMA:
        connection.execute(statement)
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO accounts (id, balance) VALUES (%s, %s)",
                           [(account, INITIAL_BALANCE) for account in range(ACCOUNTS)])


def set_gtid(connection: psycopg.Connection, gtid: str) -> None:
    connection.execute(f"SET heliosdb.gtid = '{uuid.UUID(gtid)}'")


def run_transfer(connection: psycopg.Connection, transfer: Transfer) -> None:
    """One transfer, one transaction: an explicit one on a connection out of autocommit, else one
    autocommit simple query of three statements. A client-named GTID is set first."""
    params = transfer.params()
    if transfer.named:
        set_gtid(connection, transfer.gtid)
    if connection.autocommit:
        psycopg.ClientCursor(connection).execute("; ".join(TRANSFER_STATEMENTS), params)
    else:
        for statement in TRANSFER_STATEMENTS:
            connection.execute(statement, params)
        connection.commit()


class BankClient:
    """One client of the workload: its mode (explicit or autocommit) and the session it resumes
    after every restart, so the server continues its commit sequence."""

    def __init__(self, number: int, *, explicit: bool) -> None:
        self.number = number
        self.explicit = explicit
        self.session: str | None = None
        self.connected = threading.Event()
        self.failure: BaseException | None = None

    def burst(self, dsn: str, ledger: Ledger, seed: int, stop: threading.Event) -> None:
        """Transfer until `stop` is set or the server goes away (thread body; never raises)."""
        try:
            self._burst(dsn, ledger, random.Random(seed), stop)
        except BaseException as failure:  # surfaced by the harness
            self.failure = failure
        finally:
            self.connected.set()

    def _burst(self, dsn: str, ledger: Ledger, rng: random.Random, stop: threading.Event) -> None:
        connection = psycopg.connect(dsn, autocommit=not self.explicit, connect_timeout=CONNECT_TIMEOUT,
                                     options=resume_options(self.session) if self.session else None)
        try:
            resumed = session_id(connection)
            assert self.session in (None, resumed), f"session {self.session} resumed as {resumed}"
            self.session = resumed
            self.connected.set()
            while not stop.is_set():
                source, target = rng.sample(range(ACCOUNTS), 2)
                named = rng.random() < NAMED_GTID_SHARE
                gtid = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if named else next_gtid(connection)
                transfer = ledger.start(source, target, rng.randint(1, MAX_AMOUNT), gtid, named=named,
                                        explicit=self.explicit)
                if not self._attempt(connection, transfer):
                    return
        finally:
            connection.close()

    @staticmethod
    def _attempt(connection: psycopg.Connection, transfer: Transfer) -> bool:
        """Run one transfer and record its fate; False when the connection is lost."""
        try:
            run_transfer(connection, transfer)
        except psycopg.Error as error:
            if connection.broken or error.sqlstate is None:
                transfer.state = State.IN_DOUBT
                return False
            transfer.state = State.REFUSED
            if connection.info.transaction_status != TransactionStatus.IDLE:
                connection.rollback()
            return True
        transfer.state = State.ACKNOWLEDGED
        return True
