"""What the API asks of a mode: run one statement, and begin, commit or roll back a transaction.

`EmbeddedBackend` (`api.embedded`) runs the engine in this process; `RemoteBackend`
(`api.remote`) talks to a server through psycopg with transparent replay. Statements arrive one
at a time, with `$n` placeholders when `params` is not None; transaction control always comes
through `begin`/`commit`/`rollback`, never as SQL text to `execute`, so a remote backend knows
every transaction's bounds. Errors are `api.errors` exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from heliosdb_lite.api.result import Result


class Backend(Protocol):
    @property
    def in_transaction(self) -> bool:
        """A transaction block is open (also a failed one)."""
        ...

    @property
    def backslash_quotes(self) -> bool:
        """The session's standard_conforming_strings is off: a backslash escapes a quote in any string."""
        ...

    def execute(self, sql: str, params: Sequence[Any] | None) -> Result: ...

    def begin(self, sql: str) -> Result:
        """`sql` is the BEGIN / START TRANSACTION statement as written (modes included)."""
        ...

    def commit(self) -> Result:
        """The tag is ROLLBACK when the transaction had failed, as PostgreSQL answers."""
        ...

    def rollback(self) -> Result: ...

    def replay_metrics(self) -> dict[str, Any]:
        """The seed's keys: total_replays ... data_loss_prevented."""
        ...

    def close(self) -> None: ...
