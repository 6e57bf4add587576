"""A do-nothing TCP relay for bench/proxy_bench.py: the floor under any relay written in Python.

It forwards bytes both ways between each client and its own connection to the upstream, with
asyncio protocols on uvloop (as the proxy runs), parsing and recording nothing. What pgbench
loses through it, against the same server directly, is the cost of one more process and two more
loopback hops per round trip on this machine, which any proxy pays before doing its own work.

    .venv/bin/python -m bench.byte_relay --port PORT --upstream HOST:PORT

Prints `byte relay ready` on stderr once it accepts clients; runs until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from heliosdb_lite.server.app import run
from testsupport.server_process import ServerProcess

READY_MARK = "byte relay ready"
ROOT = Path(__file__).resolve().parent.parent  # where `python -m bench.byte_relay` finds the package


class _Half(asyncio.Protocol):
    """One side of a relayed connection: what it receives goes to the other side."""

    def __init__(self) -> None:
        self.transport: asyncio.WriteTransport | None = None
        self.peer: _Half | None = None
        self.early = bytearray()  # a client's first bytes, before its upstream connection is made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's TCPTransport

    def data_received(self, data: bytes) -> None:
        peer = self.peer
        if peer is None or peer.transport is None:
            self.early += data
        else:
            peer.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()


async def _serve(port: int, upstream: str) -> None:
    loop = asyncio.get_running_loop()
    host, _, upstream_port = upstream.rpartition(":")

    async def connect_upstream(client: _Half) -> None:
        try:
            _, server = await loop.create_connection(_Half, host, int(upstream_port))
        except OSError:
            if client.transport is not None:
                client.transport.close()
            return
        server.peer, client.peer = client, server
        if client.early and server.transport is not None:
            server.transport.write(bytes(client.early))
            client.early.clear()

    connecting: set[asyncio.Task[None]] = set()

    def accept() -> _Half:
        client = _Half()
        task = loop.create_task(connect_upstream(client))
        connecting.add(task)
        task.add_done_callback(connecting.discard)
        return client

    await loop.create_server(accept, "127.0.0.1", port)
    print(f"{READY_MARK}: 127.0.0.1:{port} -> {upstream}", file=sys.stderr, flush=True)
    await asyncio.Event().wait()


class RelayProcess(ServerProcess):
    """The relay as a subprocess on a free loopback port in front of `upstream`, started, awaited
    and stopped as testsupport/server_process.py does the server's (`workdir`: its working directory)."""

    ready_mark = READY_MARK

    def __init__(self, upstream: str, workdir: Path) -> None:
        path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
        super().__init__(workdir / "relay", env={"PYTHONPATH": path})
        self.upstream = upstream

    def command(self) -> list[str]:
        return [sys.executable, "-m", "bench.byte_relay", "--port", str(self.port),
                "--upstream", self.upstream]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="HOST:PORT")
    options = parser.parse_args(argv)
    run(lambda: _serve(options.port, options.upstream))


if __name__ == "__main__":
    main()
