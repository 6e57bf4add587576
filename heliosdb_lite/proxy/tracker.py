"""Which client messages still await their answers, matched against the server's responses.

The proxy forwards messages as they come, so several requests may be in flight. Every frontend
message that gets an answer (Query, Parse, Bind, Describe, Execute, Close, Sync) is queued;
each backend message completes the head or not, as PostgreSQL's protocol orders them: an error in
the extended protocol ends the head and everything up to the next Sync; ReadyForQuery ends a
Query or a Sync. A queued entry may carry a synthetic answer that the proxy gives itself instead of
the server (an interrupted COMMIT that the outcome lookup found committed is not executed again).
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass

from heliosdb_lite.protocol import messages
from heliosdb_lite.protocol.frontend import BackendMessage


class Expect(enum.Enum):
    QUERY = "Q"
    PARSE = "P"
    BIND = "B"
    DESCRIBE = "D"
    EXECUTE = "E"
    CLOSE = "C"
    SYNC = "S"


@dataclass(slots=True)
class Pending:
    expect: Expect
    index: int  # the message's position in the session's stream of client messages
    name: str = ""  # statement or portal name (Parse, Close, Describe)
    statement_close: bool = False  # Close of a statement, not a portal
    synthetic: BackendMessage | None = None  # answered by the proxy, not sent to the server


def expectation(message: messages.FrontendMessage, index: int) -> Pending | None:
    """What `message` waits for, or None when it gets no answer of its own."""
    expect = _EXPECTED.get(type(message))
    if expect is None:
        return None
    match message:
        case messages.Parse():
            return Pending(expect, index, message.statement)
        case messages.Bind() | messages.Execute():
            return Pending(expect, index, message.portal)
        case messages.Describe():
            return Pending(expect, index, message.name)
        case messages.Close():
            return Pending(expect, index, message.name, statement_close=message.kind == "S")
    return Pending(expect, index)


_EXPECTED: dict[type, Expect] = {
    messages.Query: Expect.QUERY, messages.Parse: Expect.PARSE, messages.Bind: Expect.BIND,
    messages.Describe: Expect.DESCRIBE, messages.Execute: Expect.EXECUTE, messages.Close: Expect.CLOSE,
    messages.Sync: Expect.SYNC,
}
_ENDS_EXECUTE = frozenset("CIs")
_ENDS_HEAD = {"1": Expect.PARSE, "2": Expect.BIND, "3": Expect.CLOSE, "n": Expect.DESCRIBE}


class ResponseTracker:
    """The queue of answered-to-be messages; `received` returns the entries a response completed,
    each with whether it succeeded."""

    def __init__(self) -> None:
        self.pending: deque[Pending] = deque()

    def sent(self, entry: Pending) -> None:
        self.pending.append(entry)

    def reset(self) -> None:
        self.pending.clear()

    @property
    def head(self) -> Pending | None:
        return self.pending[0] if self.pending else None

    def received(self, type_code: str) -> list[tuple[Pending, bool]]:
        head = self.head
        if head is None:
            return []
        expect = head.expect
        if type_code == "Z":
            return self._through_ready()
        if expect is Expect.QUERY:
            return []  # everything up to ReadyForQuery belongs to the query
        if type_code == "E":
            return self._failed_until_sync()
        if _ENDS_HEAD.get(type_code) is expect:
            return [(self.pending.popleft(), True)]
        if type_code == "T" and expect is Expect.DESCRIBE:
            return [(self.pending.popleft(), True)]
        if type_code in _ENDS_EXECUTE and expect is Expect.EXECUTE:
            return [(self.pending.popleft(), True)]
        return []

    def _through_ready(self) -> list[tuple[Pending, bool]]:
        done = []
        while self.pending:
            entry = self.pending.popleft()
            done.append((entry, True))
            if entry.expect in (Expect.QUERY, Expect.SYNC):
                break
        return done

    def _failed_until_sync(self) -> list[tuple[Pending, bool]]:
        done = []
        while self.pending and self.pending[0].expect is not Expect.SYNC:
            done.append((self.pending.popleft(), False))
        return done

    def pop_synthetic(self) -> BackendMessage | None:
        """The synthetic answer of the entry at the head (popped), else None."""
        head = self.head
        if head is None or head.synthetic is None:
            return None
        self.pending.popleft()
        return head.synthetic
