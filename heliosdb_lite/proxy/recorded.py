"""What a proxy session records and what a recovery of it checks, shared by `session` and
`recovery`: the recorded client messages, the validation a replay must pass, the end of a session."""

from __future__ import annotations

from dataclasses import dataclass, field

from heliosdb_lite.protocol import messages
from heliosdb_lite.transparent_replay.statements import Classified


class SessionEnd(Exception):
    """The client session is over (Terminate, the client went away, or a FATAL error sent)."""


@dataclass(slots=True)
class Validation:
    """What a replay must reproduce before anything more reaches the client: the first `count`
    responses, with the digests the client's responses had at each statement's end
    (`milestones`: response count, digest, client message index) and at `count` (None: only skip)."""

    count: int
    digest: bytes | None = None
    milestones: list[tuple[int, bytes, int]] = field(default_factory=list)


@dataclass(slots=True)
class RecordedMessage:
    """One client message of the recording: its position, decoded form, wire bytes, statements."""

    index: int
    message: messages.FrontendMessage
    frame: bytes
    statements: tuple[Classified, ...] = ()
