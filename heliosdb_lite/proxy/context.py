"""What every session of one proxy shares: the replay policy, the upstreams, client authentication,
the registry of sessions (for CancelRequest, and the process ids NotificationResponses name) and the
replay statistics."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from heliosdb_lite.protocol import frontend
from heliosdb_lite.proxy.upstream import Credentials, Upstream, connect_writable
from heliosdb_lite.server.authenticator import Authenticator
from heliosdb_lite.transparent_replay.metrics import ReplayStatistics
from heliosdb_lite.transparent_replay.policy import ReplayPolicy

if TYPE_CHECKING:
    from heliosdb_lite.proxy.session import ProxySession

CANCEL_TIMEOUT = 5.0


class SessionRegistry:
    """Live client sessions by the proxy's own BackendKeyData, to forward a CancelRequest to the
    backend its session is connected to now."""

    def __init__(self) -> None:
        self._sessions: dict[int, ProxySession] = {}

    def register(self, session: ProxySession) -> int:
        while True:
            process_id = secrets.randbelow(2**31 - 1) + 1
            if process_id not in self._sessions:
                self._sessions[process_id] = session
                return process_id

    def unregister(self, process_id: int) -> None:
        self._sessions.pop(process_id, None)

    def __len__(self) -> int:
        return len(self._sessions)

    def client_process_id(self, backend_process_id: int) -> int:
        """The process id this proxy gave the client whose session is on that backend now (as a
        NotificationResponse must name the notifier); the backend's own for a session not through it."""
        for process_id, session in self._sessions.items():
            upstream = session.upstream
            if upstream is not None and upstream.key[0] == backend_process_id:
                return process_id
        return backend_process_id

    def recorded_bytes(self) -> int:
        return sum(session.recording.bytes for session in self._sessions.values())

    async def cancel(self, process_id: int, secret_key: int) -> None:
        """Send the session's current upstream backend a CancelRequest (nothing if the key is wrong)."""
        session = self._sessions.get(process_id)
        if session is None or not secrets.compare_digest(
                session.secret_key.to_bytes(4, "big"), (secret_key & 0xFFFFFFFF).to_bytes(4, "big")):
            return
        upstream = session.upstream
        if upstream is None:
            return
        host, port = upstream.host_port
        with contextlib.suppress(OSError, TimeoutError):
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CANCEL_TIMEOUT)
            writer.write(frontend.cancel_request(*upstream.key))
            await writer.drain()
            writer.close()


@dataclass
class ProxyContext:
    policy: ReplayPolicy
    upstreams: tuple[str, ...]
    authenticator: Authenticator
    max_client_connections: int
    max_message_bytes: int
    registry: SessionRegistry = field(default_factory=SessionRegistry)
    statistics: ReplayStatistics = field(default_factory=ReplayStatistics)

    async def connect(self, startup: Mapping[str, str], credentials: Credentials, timeout: float) -> Upstream:
        return await connect_writable(self.upstreams, startup, credentials, timeout)
