"""Fixtures of the proxy tests: a real server (killed and restarted by the tests) and a real
`heliosdb-lite proxy` in front of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testsupport.proxy_process import ProxyProcess
from testsupport.server_process import ServerProcess


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[ProxyProcess]:
    """A proxy in front of the test's own server (trust auth, loopback, metrics on)."""
    process = ProxyProcess([f"{server.host}:{server.port}"]).start()
    try:
        yield process
    finally:
        process.stop()


def crash_and_restart(server: ServerProcess) -> None:
    """SIGKILL the server and start it again on the same data directory and port."""
    server.kill()
    server.start()
