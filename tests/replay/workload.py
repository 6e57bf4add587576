"""A seeded workload for power-loss tests, as a list of steps to run on a `Machine`.

It creates `ledger` (one row per transaction meant to commit, tagged, so a lost or doubled
transaction shows in the data) and `accounts` (updated and deleted in place), then mixes
autocommit inserts, explicit multi-statement transfers, inserts and deletes, rolled-back
transactions, a `notes_N` table going through create → index → alter → drop, client-named GTIDs,
outcome lookups (fences), unacknowledged commits and checkpoints; with `roles` (a machine with a
users file), CREATE ROLE and DROP ROLE in some of those transactions, rolled-back ones included.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

from tests.replay.machine import Machine

Step = Callable[[Machine], None]

SETUP = [
    "CREATE TABLE ledger (tag text PRIMARY KEY, amount numeric(12,2) NOT NULL, note text)",
    "CREATE TABLE accounts (id serial PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL)",
    "INSERT INTO accounts (owner, balance) VALUES ('ada', 1000), ('bob', 1000), ('cy', 1000)",
]


class _Generator:
    def __init__(self, rng: random.Random, roles: bool) -> None:
        self.rng = rng
        self.roles = roles
        self.created: list[str] = []  # roles created so far (some of them dropped since)
        self.tags = 0
        self.notes = 0  # the notes table generation
        self.notes_state = "none"  # none → created → indexed → altered → (dropped) none

    def tag(self) -> str:
        self.tags += 1
        return f"t{self.tags}"

    def ledger_insert(self, tag: str) -> str:
        amount = f"{self.rng.randint(-99999, 99999) / 100:.2f}"
        note = self.rng.choice(["NULL", "'plain'", "'it''s quoted'", "'ünïcode ✓'"])
        return f"INSERT INTO ledger (tag, amount, note) VALUES ('{tag}', {amount}, {note})"

    def step(self) -> Step:
        rng = self.rng
        kind = rng.choices(  # "role" last, so without roles the other kinds are drawn as before
            ["insert", "transfer", "churn", "rollback", "ddl", "named", "fence", "checkpoint", "update",
             "role"],
            weights=[5, 4, 3, 1, 2, 1, 1, 2, 2, 3 if self.roles else 0])[0]
        session = rng.randrange(2)
        acknowledge = rng.random() < 0.7
        if kind == "checkpoint":
            return Machine.checkpoint
        if kind == "fence":
            return Machine.outcome_lookup
        if kind == "rollback":
            statements = [self.ledger_insert("rolled-back"), "UPDATE accounts SET balance = 0"]
            if self.roles:
                statements.append("CREATE ROLE r_rolled_back")
            return lambda machine: machine.rolled_back(session, statements)
        if kind == "ddl":
            return self.ddl(session, acknowledge)
        if kind == "update":
            sql = rng.choice(["UPDATE accounts SET balance = balance + 1",
                              "UPDATE ledger SET note = 'updated' WHERE tag = (SELECT min(tag) FROM ledger)"])
            return lambda machine: machine.transaction(session, [sql], acknowledge=acknowledge)
        tag = self.tag()
        statements = [self.ledger_insert(tag)]
        gtid = str(uuid.UUID(int=rng.getrandbits(128))) if kind == "named" else None
        if kind == "transfer":
            amount = rng.randint(1, 50)
            statements += [
                f"UPDATE accounts SET balance = balance - {amount} WHERE id = (SELECT min(id) FROM accounts)",
                f"UPDATE accounts SET balance = balance + {amount} WHERE id = (SELECT max(id) FROM accounts)"]
        elif kind == "role":
            if self.created and rng.random() < 0.3:
                statements.append(f"DROP ROLE IF EXISTS {rng.choice(self.created)}")
            else:
                self.created.append(f"r_{tag}")
                statements.append(f"CREATE ROLE r_{tag} LOGIN PASSWORD '{tag}'")
        elif kind == "churn":
            statements += [f"INSERT INTO accounts (owner, balance) VALUES ('{tag}', {rng.randint(0, 500)})",
                           "DELETE FROM accounts WHERE id = (SELECT min(id) FROM accounts)"]
        if self.notes_state != "none" and rng.random() < 0.5:
            statements.append(
                f"INSERT INTO notes_{self.notes} (body, score) VALUES ('{tag}', {rng.random():.3f})")
        return lambda machine: machine.transaction(session, statements, tag=tag, acknowledge=acknowledge,
                                                   gtid=gtid)

    def ddl(self, session: int, acknowledge: bool) -> Step:
        table = f"notes_{self.notes}"
        tag: str | None = None
        if self.notes_state == "none":
            self.notes += 1
            table = f"notes_{self.notes}"
            statements = [f"CREATE TABLE {table} (id serial PRIMARY KEY, body text, score numeric(8,3))"]
            self.notes_state = "created"
        elif self.notes_state == "created":
            statements = [f"CREATE INDEX {table}_body ON {table} (body)"]
            self.notes_state = "indexed"
        elif self.notes_state == "indexed":
            tag = self.tag()
            statements = [f"ALTER TABLE {table} ADD COLUMN extra text DEFAULT 'x'",
                          f"INSERT INTO {table} (body, score, extra) VALUES ('{tag}', 1.5, 'y')",
                          self.ledger_insert(tag)]
            self.notes_state = "altered"
        else:
            statements = [f"DROP TABLE {table}"]
            self.notes_state = "none"
        return lambda machine: machine.transaction(session, statements, tag=tag, acknowledge=acknowledge)


def setup_step(machine: Machine) -> None:
    for sql in SETUP:
        machine.transaction(0, [sql])


def workload(seed: int, steps: int, *, roles: bool = False) -> list[Step]:
    """The setup, then `steps` random steps, the same for the same seed."""
    generator = _Generator(random.Random(seed), roles)
    return [setup_step, *(generator.step() for _ in range(steps))]
