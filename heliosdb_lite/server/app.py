"""The server process: listening sockets, TLS, sessions, metrics endpoint, graceful shutdown.

`serve(config)` runs until SIGTERM/SIGINT: it stops accepting, lets running statements and
commits finish (bounded by SHUTDOWN_GRACE_SECONDS), ends idle sessions with FATAL 57P01 and
closes the engine. It prints one line `HeliosDB-Lite ready: listening on HOST:PORT` on stderr once
connections are accepted, which scripts and tests wait for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
import sys
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import apsw

from heliosdb_lite.config import Config
from heliosdb_lite.engine.interface import Engine
from heliosdb_lite.failover.agent import FailoverAgent
from heliosdb_lite.replay.commit import CommitService
from heliosdb_lite.replication.node import ReplicationNode
from heliosdb_lite.server import metrics
from heliosdb_lite.server.authenticator import Authenticator
from heliosdb_lite.server.databases import Databases
from heliosdb_lite.server.session import Session, SessionLimits, SessionRegistry
from heliosdb_lite.server.users import UsersFile
from heliosdb_lite.server.writer_slot import WriterSlot

log = logging.getLogger("heliosdb.server")
SHUTDOWN_GRACE_SECONDS = 10.0
CHECKPOINT_INTERVAL_SECONDS = 10.0
# Worker threads beyond one per connection: startup, cancel and housekeeping calls.
SPARE_WORKERS = 4


def _tls_context(config: Config) -> ssl.SSLContext | None:
    if config.server.tls_cert is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(config.server.tls_cert), str(config.server.tls_key))
    return context


class Server:
    """Accepts connections and runs one Session per connection."""

    def __init__(self, config: Config, engine: Engine, commit_service: CommitService | None = None,
                 replication: ReplicationNode | None = None) -> None:
        self._config = config
        self._registry = SessionRegistry()
        self._executor = ThreadPoolExecutor(
            max_workers=config.server.max_connections + SPARE_WORKERS, thread_name_prefix="engine")
        users = UsersFile(config.users_file_path)  # under trust too: CREATE ROLE, NOLOGIN
        self._authenticator = Authenticator(config.server.auth_method, users)
        self._tls = _tls_context(config)
        self._limits = SessionLimits(config.server.max_message_bytes, config.server.max_connections)
        self._replication = replication
        self.databases = Databases(config, engine, commit_service, WriterSlot())
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Server | None = None

    async def start(self) -> list[tuple[str, int]]:
        """Open (and recover) the databases CREATE DATABASE made, then the listening sockets;
        returns the bound (host, port) pairs."""
        await asyncio.to_thread(self.databases.open_all)
        hosts = [host.strip() for host in self._config.server.listen.split(",") if host.strip()]
        self._listener = await asyncio.start_server(self._on_connection, hosts, self._config.server.port,
                                                    reuse_address=True, limit=2**16)
        return [sock.getsockname()[:2] for sock in self._listener.sockets]

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        metrics.CONNECTIONS_TOTAL.inc()
        writer.transport.set_write_buffer_limits(high=256 * 1024)
        session = Session(reader, writer, databases=self.databases, executor=self._executor,
                          registry=self._registry, authenticator=self._authenticator,
                          tls_context=self._tls, limits=self._limits, replication=self._replication)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await session.run()
        finally:
            self._tasks.discard(task)

    async def shutdown(self) -> None:
        """Stop accepting; end sessions at their next idle point; wait for them, bounded."""
        if self._listener is not None:
            self._listener.close()
        for session in self._registry.all():
            session.request_shutdown()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)
            for task in pending:
                task.cancel()
        self._executor.shutdown(wait=True, cancel_futures=False)
        await asyncio.to_thread(self.databases.close)


async def serve(config: Config, engine: Engine, commit_service: CommitService | None = None,
                replication: ReplicationNode | None = None) -> None:
    """Run the server until SIGTERM or SIGINT."""
    server = Server(config, engine, commit_service, replication)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    agent = None
    if replication is not None:
        await replication.start()
        if config.failover.enabled:
            agent = FailoverAgent(config, replication)
            agent.start()
    addresses = await server.start()
    if config.observability.metrics_enabled:
        host = "127.0.0.1" if config.server.listen in ("127.0.0.1", "localhost") else config.server.listen
        metrics.start_metrics_endpoint(host.split(",")[0], config.observability.metrics_port)
    shown = ", ".join(f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in addresses)
    print(f"HeliosDB-Lite ready: listening on {shown}", file=sys.stderr, flush=True)
    checkpoints = asyncio.create_task(_checkpoint_periodically(config, server.databases)) \
        if commit_service is not None else None
    await stop.wait()
    log.info("shutdown requested: no new connections; finishing running work")
    if agent is not None:
        await agent.stop()
    if replication is not None:
        await replication.close()
    if checkpoints is not None:  # before the databases close
        checkpoints.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await checkpoints
    await server.shutdown()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(signum)


async def _checkpoint_periodically(config: Config, databases: Databases) -> None:
    """Checkpoint each database's store every CHECKPOINT_INTERVAL_SECONDS (docs/design.md: only after
    its journal is durable past the store's last LSN; `CommitService.checkpoint` keeps that order)."""
    retention = config.transaction_replay.outcome_retention_hours
    while True:
        await asyncio.sleep(CHECKPOINT_INTERVAL_SECONDS)
        for commit_service in databases.commit_services():
            try:
                await asyncio.to_thread(commit_service.checkpoint, retention_hours=retention)
            except apsw.BusyError:  # a session's write transaction held the store past the busy timeout
                log.info("checkpoint postponed: the store was busy with a write transaction; will retry")
            except Exception:
                log.exception("checkpoint failed; will retry")


def run(main: Callable[[], Coroutine[Any, Any, object]]) -> None:
    """Run a coroutine function on uvloop when available, else plain asyncio."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
        return
    uvloop.run(main())
