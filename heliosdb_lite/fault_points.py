"""Fault points: named instants in the commit path where a test makes the process die, to prove
crash safety at exactly that instant.

`HELIOSDB_FAULT_POINT=<name>` in the process's environment arms the point `<name>`; reaching it
ends the process at once with `os._exit(FAULT_EXIT)`: no cleanup, no flush, nothing written
after, as a kill -9 at that instant would leave things. The variable is read each time a point is
reached, so a test may arm a point in a running process just before the transaction it means to
interrupt. Unarmed, a point costs one dictionary lookup.

Points:
- `after_journal_append`: the transaction's journal entry is written (not yet fsynced) and SQLite
  has not committed (`replay.commit.TransactionRecorder.committing`); recovery must apply it.
- `before_acknowledgement`: an embedded `Database` commit is durable and the caller has not been
  told (`api.embedded`); reopening must show it exactly once.
"""

from __future__ import annotations

import os

ENVIRONMENT_VARIABLE = "HELIOSDB_FAULT_POINT"
FAULT_EXIT = 86


def reached(name: str) -> None:
    """End the process now if the point `name` is armed."""
    if os.environ.get(ENVIRONMENT_VARIABLE) == name:
        os._exit(FAULT_EXIT)
