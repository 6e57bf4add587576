"""The proxy's observability: a gauge of client sessions, and an HTTP endpoint serving Prometheus
`/metrics` (every metric of the process, `heliosdb_transparent_replay_*` included) and
`/replay-metrics` (JSON: the proxy's counts in `heliosdb_replay_metrics()` keys)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

SESSIONS = Gauge("heliosdb_proxy_client_sessions", "Client sessions open on the proxy")
REQUEST_TIMEOUT = 10.0


async def start_metrics_endpoint(host: str, port: int,
                                 replay_metrics: Callable[[], dict[str, object]]) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT)
            path = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b"/"
            if path.startswith(b"/replay-metrics"):
                body, content_type = json.dumps(replay_metrics()).encode(), "application/json"
            else:
                body, content_type = generate_latest(), CONTENT_TYPE_LATEST
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                         "Connection: close\r\n\r\n".encode() + body)
            await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    return await asyncio.start_server(handle, host, port)
