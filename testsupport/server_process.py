"""Start and stop a real `heliosdb-lite serve` subprocess on a free loopback port, for tests.

Readiness is awaited by reading the server's stderr until its `HeliosDB-Lite ready` line (no
sleeps); every wait is bounded. The data directory is the caller's, so a test can kill the server
with SIGKILL and start it again on the same data.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Self

READY_MARK = "HeliosDB-Lite ready"
START_TIMEOUT = 30.0


def unread_bytes_waiting(port: int) -> bool:
    """Whether an established connection to loopback `port` holds bytes its server has not read yet
    (from /proc/net/tcp: a stopped server's pending request, say)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01" and int(fields[4].split(":")[1], 16) > 0:
            return True
    return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """One server subprocess; `stderr_lines` keeps everything it logged."""

    ready_mark = READY_MARK

    def __init__(self, data_dir: Path, *, port: int | None = None, args: Sequence[str] = (),
                 env: dict[str, str] | None = None, config: Path | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self._args = list(args)
        self._env = env
        self._config = config
        self.process: subprocess.Popen[str] | None = None
        self.stderr_lines: list[str] = []
        self._ready = threading.Event()
        self._exited = threading.Event()

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user=postgres dbname=postgres"

    def command(self) -> list[str]:
        """The command line started; a subclass may run another command that prints `ready_mark`."""
        command = [sys.executable, "-m", "heliosdb_lite.cli", "serve", "--port", str(self.port),
                   "--data-dir", str(self.data_dir), *self._args]
        if self._config is not None:
            command += ["--config", str(self._config)]
        return command

    def start(self) -> Self:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(self._env or {})}
        self._ready.clear()
        self._exited.clear()
        self.process = subprocess.Popen(self.command(), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stdin=subprocess.DEVNULL, text=True, env=env,
                                        cwd=str(self.data_dir.parent))
        threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()
        # stderr's end also sets _ready: a server that exited (a port taken since free_port(), a failed
        # start-up) may not be reaped yet when poll() is asked, so its closed stderr (_exited) counts too
        if not self._ready.wait(START_TIMEOUT) or self._exited.is_set() or self.process.poll() is not None:
            self.stop()
            log = "\n".join(self.stderr_lines[-40:])
            raise RuntimeError(f"{' '.join(self.command())} did not start:\n{log}")
        return self

    def _pump(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.stderr_lines.append(line.rstrip("\n"))
            if self.ready_mark in line:
                self._ready.set()
        self._ready.set()
        self._exited.set()

    def kill(self) -> None:
        """SIGKILL, as a crash; returns once the dead process's stderr is drained, so that a
        `start()` right after cannot mistake the old reader's end for the new server's readiness."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            assert self._exited.wait(START_TIMEOUT), "the killed server's stderr was not drained"

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM (graceful shutdown); returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self._exited.wait(timeout)
        return code

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.terminate(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def run_server_until_exit(data_dir: Path, args: Sequence[str], timeout: float = 30.0) -> tuple[int, str]:
    """Run `serve` expecting it to refuse to start; returns (exit code, stderr)."""
    command = [sys.executable, "-m", "heliosdb_lite.cli", "serve", "--data-dir", str(data_dir), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          cwd=str(data_dir.parent), stdin=subprocess.DEVNULL)
    return done.returncode, done.stderr
