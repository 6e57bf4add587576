"""What a client session has set up on its server connection, so that a new connection can be
given the same: startup parameters (plus the resumed `heliosdb.session_id`), named prepared
statements, session-changing requests (SET, RESET, set_config, ...) and a client-named GTID.

Changes are kept apart while a transaction is open and settled when the session is next idle:
prepared statements live on whatever the transaction did (they are not transactional), settings
only when it committed. While a transaction is open, restoring therefore gives the state from
before it, which is what a replay of the transaction expects to start from.
"""

from __future__ import annotations

from collections.abc import Mapping

from heliosdb_lite.protocol import frontend
from heliosdb_lite.transparent_replay.gtid import resume_option

MAX_SESSION_REQUESTS = 200


class SessionState:
    def __init__(self, startup: Mapping[str, str]) -> None:
        self.startup = dict(startup)
        self.session_id: str | None = None
        self.statements: dict[str, bytes] = {}  # name -> its Parse message
        self.requests: list[bytes] = []  # session-changing requests, each ending in Sync or a Query
        self.named_gtid: str | None = None
        self._parsed: list[tuple[str | None, bytes | None]] = []  # (name, Parse) / (name, None): closed
        self._requests: list[bytes] = []

    def upstream_startup(self) -> dict[str, str]:
        """The startup parameters of a new server connection: the client's, resuming the session id."""
        parameters = dict(self.startup)
        if self.session_id is not None:
            options = f"{parameters.get('options', '')} {resume_option(self.session_id)}"
            parameters["options"] = options.strip()
        return parameters

    # changes, settled at the next idle point ------------------------------------------------

    def statement_parsed(self, name: str, parse: bytes) -> None:
        self._parsed.append((name, parse))

    def statement_closed(self, name: str | None) -> None:
        """A named statement closed; None: all of them (DEALLOCATE ALL, DISCARD ALL)."""
        self._parsed.append((name, None))

    def request_completed(self, request: bytes) -> None:
        self._requests.append(request)

    def settle(self, *, committed: bool) -> None:
        for name, parse in self._parsed:
            if name is None:
                self.statements.clear()
            elif parse is None:
                self.statements.pop(name, None)
            else:
                self.statements[name] = parse
        if committed:
            for request in self._requests:
                if request in self.requests:
                    self.requests.remove(request)
                self.requests.append(request)
            del self.requests[:-MAX_SESSION_REQUESTS]
        self._parsed.clear()
        self._requests.clear()

    def settle_statements(self) -> bytes:
        """Settle prepared-statement changes at once (an interrupted COMMIT answered from its
        outcome: the transaction is over); the Parse messages the new connection lacks."""
        missing = [parse for name, parse in self._parsed if name is not None and parse is not None]
        self.settle(committed=True)
        return b"".join(missing)

    # restoring -------------------------------------------------------------------------------

    def restore(self) -> tuple[bytes, int]:
        """The messages that recreate this state on a new connection, and how many ReadyForQuery
        answers they get."""
        parts: list[bytes] = []
        ready = 0
        if self.statements:
            parts.extend(self.statements.values())
            parts.append(frontend.sync())
            ready += 1
        parts.extend(self.requests)
        ready += len(self.requests)
        if self.named_gtid is not None:
            parts.append(frontend.query(f"SET heliosdb.gtid = '{self.named_gtid}'"))
            ready += 1
        return b"".join(parts), ready
