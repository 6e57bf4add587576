"""Fault points for crash tests: named instants where a test makes the process die, to prove crash
safety at exactly that instant.

Two ways to arm them:
- `HELIOSDB_FAULT_POINT=<name>`: the point `<name>` ends the process every time it is reached,
  with `os._exit(FAULT_EXIT)` (no cleanup, no flush). The variable is read at each pass, so a
  test may arm a point in a running process just before the transaction it means to interrupt.
- `HELIOSDB_FAULT_POINTS="journal_appended=0.02,commit_acknowledged=0.02"` (read once, at
  import) arms each named point with a probability per pass, for chaos runs; a crash is then a
  SIGKILL of the process itself. `HELIOSDB_FAULT_SEED` makes the draws repeatable.
Unarmed, a check is two dictionary lookups that find nothing.

The points:
- `journal_appended` (server and embedded): a commit's journal entry is written, SQLite has not
  committed (`replay.commit`); recovery must apply it;
- `roles_applied`: as `journal_appended`, with the entry's role changes also in the users file;
  recovery must not apply them again;
- `commit_acknowledged`: the commit is durable and acknowledged: the server handed the answer to
  the socket; an embedded `Database` is about to return from `commit` (`api.embedded`);
- `proxy_commit_answer` (proxy): the server's answer to a COMMIT reached the proxy, which drops
  the connection instead of forwarding it.
"""

from __future__ import annotations

import os
import random
import signal

ENVIRONMENT_VARIABLE = "HELIOSDB_FAULT_POINT"
PROBABILITIES_VARIABLE = "HELIOSDB_FAULT_POINTS"
SEED_VARIABLE = "HELIOSDB_FAULT_SEED"
FAULT_EXIT = 86


def _armed(text: str) -> dict[str, float]:
    points: dict[str, float] = {}
    for item in text.split(","):
        name, _, probability = item.partition("=")
        if name.strip():
            points[name.strip()] = float(probability or "1")
    return points


_POINTS = _armed(os.environ.get(PROBABILITIES_VARIABLE, ""))
_RANDOM = random.Random(os.environ.get(SEED_VARIABLE))


def armed(name: str) -> bool:
    """Whether the point `name` is armed with a probability (a hot path checks before decoding)."""
    return name in _POINTS


def hit(name: str) -> bool:
    """Whether the point `name`, armed with a probability, fires on this pass."""
    probability = _POINTS.get(name)
    return probability is not None and _RANDOM.random() < probability


def crash_if_hit(name: str) -> None:
    """End the process now if the point `name` is armed: `os._exit(FAULT_EXIT)` when named by
    HELIOSDB_FAULT_POINT, SIGKILL when its probability fires."""
    if os.environ.get(ENVIRONMENT_VARIABLE) == name:
        os._exit(FAULT_EXIT)
    if hit(name):
        os.kill(os.getpid(), signal.SIGKILL)
