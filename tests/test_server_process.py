"""The test helper `ServerProcess`: `start()` raises, with the server's last log lines, when the
server exits instead of listening — even when its stderr has ended before the process is reaped
(a race that let tests go on against a port nobody listened on)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from testsupport.server_process import ServerProcess

ATTEMPTS = 5  # the race lost about one start in three before the fix


def test_start_raises_when_the_server_cannot_listen(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for attempt in range(ATTEMPTS):
            with pytest.raises(RuntimeError, match="address already in use"):
                ServerProcess(tmp_path / f"data{attempt}", port=port).start()
