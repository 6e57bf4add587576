"""The child process of the embedded crash tests: it opens the database, commits `COMMITTED`
orders, then runs one more and dies at the scenario's instant (`python -m tests.api.crash_child
DATA_DIR SCENARIO COMMITTED`). Scenarios:

- journal_appended: a transaction dies in COMMIT after its journal entry is written, before
  SQLite commits (fault point); recovery must apply it;
- commit_acknowledged: a transaction dies after its commit is durable, before `commit` returns;
- autocommit_journal_appended: the same instant as the first, for one autocommit statement;
- mid_transaction: the process ends (`os._exit`) inside a transaction that wrote, before COMMIT.
"""

from __future__ import annotations

import os
import sys

import heliosdb_lite as hdb
from heliosdb_lite import fault_points

MID_TRANSACTION_EXIT = 87
INTERRUPTED_CUSTOMER = 999
SCHEMA = ("CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, customer integer NOT NULL, "
          "total numeric(12,2) NOT NULL)")


def insert_order(statements: hdb.Database | hdb.Transaction, customer: int) -> None:
    statements.execute("INSERT INTO orders (customer, total) VALUES (?, ?)", (customer, customer * 1.5))


def main(data_dir: str, scenario: str, committed: int) -> None:
    db = hdb.Database.open(data_dir)
    db.execute(SCHEMA)
    for customer in range(committed):
        with db.transaction() as txn:
            insert_order(txn, customer)
    print(f"committed {committed}", flush=True)
    if scenario == "mid_transaction":
        with db.transaction() as txn:
            insert_order(txn, INTERRUPTED_CUSTOMER)
            txn.execute("UPDATE orders SET total = 0")
            print("inside the transaction", flush=True)
            os._exit(MID_TRANSACTION_EXIT)
    point = scenario.removeprefix("autocommit_")
    os.environ[fault_points.ENVIRONMENT_VARIABLE] = point
    if scenario.startswith("autocommit_"):
        insert_order(db, INTERRUPTED_CUSTOMER)
    else:
        with db.transaction() as txn:
            insert_order(txn, INTERRUPTED_CUSTOMER)
    print("the fault point was not reached", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
