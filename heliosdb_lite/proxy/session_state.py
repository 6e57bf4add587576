"""What a client session has set up on its server connection, so that a new connection can be
given the same: startup parameters (plus the resumed `heliosdb.session_id`), prepared statements
(named ones, and the unnamed one, which lives until the next unnamed Parse: pg8000 parses and
binds it in separate requests), session-changing requests (SET, RESET, set_config, ...) and a
client-named GTID.

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
        self.statements: dict[str, bytes] = {}  # name ("": the unnamed statement) -> its Parse message
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

    def settle_statements(self) -> tuple[bytes, int]:
        """Settle prepared-statement changes at once (an interrupted COMMIT answered from its
        outcome: the transaction is over). Returns the messages that bring a connection restored
        from the state before up to date (Close, then Parse, each followed by Sync so that one
        failure skips nothing else), and how many ReadyForQuery answers they get."""
        before = dict(self.statements)
        self.settle(committed=True)
        changes = [frontend.close("S", name) for name, parse in before.items()
                   if self.statements.get(name) != parse]
        changes += [parse for name, parse in self.statements.items() if before.get(name) != parse]
        return b"".join(message + frontend.sync() for message in changes), len(changes)

    # restoring -------------------------------------------------------------------------------

    def restore(self) -> tuple[bytes, int]:
        """The messages that recreate this state on a new connection, but the unnamed statement
        (`unnamed_statement`: any simple query destroys it, so it goes last), and how many
        ReadyForQuery answers they get."""
        named = [parse for name, parse in self.statements.items() if name]
        parts = [parse + frontend.sync() for parse in named]  # a Sync each: a failed Parse skips none
        parts.extend(self.requests)
        ready = len(named) + len(self.requests)
        if self.named_gtid is not None:
            parts.append(frontend.query(f"SET heliosdb.gtid = '{self.named_gtid}'"))
            ready += 1
        return b"".join(parts), ready

    @property
    def unnamed_statement(self) -> bytes | None:
        """The Parse of the unnamed statement, when the session has one."""
        return self.statements.get("")
