"""A real single-member etcd (Debian's etcd-server, /usr/bin/etcd) on free loopback ports, for tests.

Readiness is awaited by reading etcd's log for `ready to serve client requests` (no sleeps); the
data directory is the caller's (tmp_path). `stop()` SIGKILLs it, `pause()`/`resume()` SIGSTOP and
SIGCONT it (a slow etcd). Tests that need it skip, saying why, when the binary is absent
(`make deps` installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from testsupport.server_process import free_port
from testsupport.suspend import suspend

READY_MARK = "ready to serve client requests"
START_TIMEOUT = 30.0


def etcd_binary() -> str | None:
    return shutil.which("etcd") or ("/usr/bin/etcd" if os.path.exists("/usr/bin/etcd") else None)


def require_etcd() -> str:
    binary = etcd_binary()
    if binary is None:
        pytest.skip("etcd is not installed (make deps installs Debian's etcd-server)")
    return binary


class EtcdProcess:
    """One etcd member; `endpoint` is its client address as "127.0.0.1:port"."""

    def __init__(self, data_dir: Path) -> None:
        self.binary = require_etcd()
        self.data_dir = data_dir
        self.client_port = free_port()
        self.peer_port = free_port()
        self.process: subprocess.Popen[str] | None = None
        self.log_lines: list[str] = []
        self._ready = threading.Event()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.client_port}"

    def start(self) -> EtcdProcess:
        client = f"http://{self.endpoint}"
        peer = f"http://127.0.0.1:{self.peer_port}"
        command = [self.binary, "--name", "test", "--data-dir", str(self.data_dir),
                   "--listen-client-urls", client, "--advertise-client-urls", client,
                   "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                   "--initial-cluster", f"test={peer}", "--initial-cluster-state", "new"]
        self._ready.clear()
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stdin=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()
        if not self._ready.wait(START_TIMEOUT) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("etcd did not start:\n" + "\n".join(self.log_lines[-30:]))
        return self

    def _pump(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.log_lines.append(line.rstrip("\n"))
            if READY_MARK in line:
                self._ready.set()
        self._ready.set()

    def pause(self) -> None:
        assert self.process is not None
        suspend(self.process)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=30)
