"""The proxy process: listening socket, one `ProxySession` per client, metrics endpoint, shutdown.

`serve_proxy(config)` runs until SIGTERM/SIGINT and prints one line
`HeliosDB-Lite proxy ready: listening on HOST:PORT` on stderr once clients are accepted (scripts
and tests wait for it); with `proxy.metrics_port` set, a second line gives the metrics address.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from heliosdb_lite.config import Config, ConfigError, is_loopback_address
from heliosdb_lite.proxy import metrics
from heliosdb_lite.proxy.context import ProxyContext
from heliosdb_lite.proxy.link import Link
from heliosdb_lite.proxy.session import ProxySession
from heliosdb_lite.server.authenticator import Authenticator
from heliosdb_lite.server.users import UsersFile
from heliosdb_lite.transparent_replay.policy import ReplayPolicy

log = logging.getLogger("heliosdb.proxy")
READY_MARK = "HeliosDB-Lite proxy ready"


def proxy_context(config: Config) -> ProxyContext:
    """The sessions' shared context; refuses a configuration that would let anyone in."""
    proxy = config.proxy
    users_file = proxy.users_file or config.users_file_path
    if proxy.auth_method == "trust":
        if not is_loopback_address(proxy.listen):
            raise ConfigError(f"proxy.auth_method: trust lets anyone who reaches {proxy.listen} in; set "
                              'proxy.auth_method = "scram-sha-256" with a users file, or listen on 127.0.0.1',
                              key="proxy.auth_method")
        users = None
    else:
        users = UsersFile(users_file)
        if not users_file.is_file() or not users.list():
            raise ConfigError(f"proxy.auth_method: {proxy.auth_method} needs the users' SCRAM verifiers, but "
                              f"{users_file} has none (use the server's users file, or a copy)",
                              key="proxy.users_file")
    return ProxyContext(policy=ReplayPolicy.from_config(config.transaction_replay), upstreams=proxy.upstreams,
                        authenticator=Authenticator(proxy.auth_method, users),
                        max_client_connections=proxy.max_client_connections,
                        max_message_bytes=config.server.max_message_bytes)


async def serve_proxy(config: Config) -> None:
    """Run the proxy until SIGTERM or SIGINT."""
    context = proxy_context(config)
    tasks: set[asyncio.Task[None]] = set()

    loop = asyncio.get_running_loop()

    async def serve_client(client: Link) -> None:
        metrics.SESSIONS.inc()
        try:
            await ProxySession(client, context).run()
        finally:
            metrics.SESSIONS.dec()

    def on_connected(client: Link) -> None:
        task = loop.create_task(serve_client(client))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    listener = await loop.create_server(lambda: Link(on_made=on_connected), config.proxy.listen,
                                        config.proxy.port, reuse_address=True)
    endpoint = None
    if config.proxy.metrics_port:
        endpoint = await metrics.start_metrics_endpoint(
            config.proxy.listen, config.proxy.metrics_port,
            lambda: context.statistics.snapshot(context.registry.recorded_bytes()))
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    shown = ", ".join(f"{host}:{port}" for host, port, *_ in (s.getsockname() for s in listener.sockets))
    print(f"{READY_MARK}: listening on {shown}; upstreams {', '.join(config.proxy.upstreams)}",
          file=sys.stderr, flush=True)
    if endpoint is not None:
        port = endpoint.sockets[0].getsockname()[1]
        print(f"HeliosDB-Lite proxy metrics on http://{config.proxy.listen}:{port}/metrics", file=sys.stderr,
              flush=True)
    await stop.wait()
    log.info("proxy shutting down")
    listener.close()
    if endpoint is not None:
        endpoint.close()
    for task in list(tasks):
        task.cancel()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(signum)
