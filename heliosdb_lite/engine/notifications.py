"""LISTEN, UNLISTEN and NOTIFY of one session, transactional as in PostgreSQL.

A NOTIFY (or pg_notify) inside a transaction is queued and sent only if the transaction commits;
identical notifications of one transaction are sent once; ROLLBACK TO SAVEPOINT drops those queued
since the savepoint. LISTEN and UNLISTEN take effect at commit too. Outside a transaction block each
takes effect at once. What has committed waits in `committed` until the server takes it and
delivers it to the listening sessions (`server.session.SessionRegistry.notify`).
"""

from __future__ import annotations

from heliosdb_lite.errors import INVALID_PARAMETER_VALUE, DatabaseError

MAX_PAYLOAD_BYTES = 7999  # PostgreSQL's NOTIFY_PAYLOAD_MAX_LENGTH - 1
_MAX_CHANNEL_BYTES = 63  # NAMEDATALEN - 1


def _checked(channel: str, payload: str) -> None:
    if not channel:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "channel name cannot be empty")
    if len(channel.encode()) > _MAX_CHANNEL_BYTES:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "channel name too long")
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "payload string too long")


class Notifications:
    """The session's channels, and its notifications queued, committed and not yet delivered."""

    def __init__(self) -> None:
        self.listening: set[str] = set()
        self.committed: list[tuple[str, str]] = []
        self._queued: list[tuple[str, str]] = []
        self._listen_changes: list[tuple[str, str | None]] = []  # ("listen" | "unlisten", channel | None: *)
        self._savepoints: list[tuple[int, int]] = []
        self._in_block = False

    # --- statements --------------------------------------------------------------------------------------

    def notify(self, channel: str, payload: str | None) -> None:
        _checked(channel, payload or "")
        notification = (channel, payload or "")
        if not self._in_block:
            self.committed.append(notification)
        elif notification not in self._queued:
            self._queued.append(notification)

    def listen(self, channel: str) -> None:
        self._change("listen", channel)

    def unlisten(self, channel: str | None) -> None:
        """UNLISTEN channel; None: UNLISTEN *."""
        self._change("unlisten", channel)

    def _change(self, action: str, channel: str | None) -> None:
        if self._in_block:
            self._listen_changes.append((action, channel))
        else:
            self._apply(action, channel)

    def _apply(self, action: str, channel: str | None) -> None:
        if action == "listen" and channel is not None:
            self.listening.add(channel)
        elif channel is None:
            self.listening.clear()
        else:
            self.listening.discard(channel)

    # --- the transaction ---------------------------------------------------------------------------------

    def begin(self) -> None:
        self._in_block = True

    def commit(self) -> None:
        for action, channel in self._listen_changes:
            self._apply(action, channel)
        self.committed.extend(self._queued)
        self.rollback()

    def rollback(self) -> None:
        self._queued.clear()
        self._listen_changes.clear()
        self._savepoints.clear()
        self._in_block = False

    def savepoint(self) -> None:
        self._savepoints.append((len(self._queued), len(self._listen_changes)))

    def release(self, depth: int) -> None:
        """RELEASE: the savepoints from `depth` on (0: the outermost) are gone, their work kept."""
        del self._savepoints[depth:]

    def rollback_to(self, depth: int) -> None:
        """ROLLBACK TO the savepoint at `depth`: what was queued since is dropped; it stays."""
        queued, changes = self._savepoints[depth]
        del self._queued[queued:]
        del self._listen_changes[changes:]
        del self._savepoints[depth + 1:]

    def take_committed(self) -> list[tuple[str, str]]:
        """The committed notifications not yet delivered (the server delivers them now)."""
        taken, self.committed = self.committed, []
        return taken

