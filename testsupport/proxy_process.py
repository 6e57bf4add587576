"""Start and stop a real `heliosdb-lite proxy` subprocess on a free loopback port, for tests.

Readiness is awaited by reading the proxy's stderr until its `HeliosDB-Lite proxy ready` line (no
sleeps); every wait is bounded. `replay_metrics()` and `prometheus()` read its metrics endpoint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from testsupport.server_process import free_port

READY_MARK = "HeliosDB-Lite proxy ready"
START_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0


class ProxyProcess:
    """One proxy subprocess in front of `upstreams`; `stderr_lines` keeps everything it logged."""

    def __init__(self, upstreams: Sequence[str], *, config: Path | None = None,
                 env: dict[str, str] | None = None, metrics: bool = True) -> None:
        self.upstreams = list(upstreams)
        self.port = free_port()
        self.metrics_port = free_port() if metrics else 0
        self.host = "127.0.0.1"
        self._config = config
        self._env = env
        self.process: subprocess.Popen[str] | None = None
        self.stderr_lines: list[str] = []
        self._ready = threading.Event()

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user=postgres dbname=postgres"

    def start(self) -> ProxyProcess:
        command = [sys.executable, "-m", "heliosdb_lite.cli", "proxy", "--port", str(self.port),
                   "--upstreams", ",".join(self.upstreams), "--metrics-port", str(self.metrics_port)]
        if self._config is not None:
            command += ["--config", str(self._config)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(self._env or {})}
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stdin=subprocess.DEVNULL, text=True, env=env)
        threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()
        if not self._ready.wait(START_TIMEOUT) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("proxy did not start:\n" + "\n".join(self.stderr_lines[-40:]))
        return self

    def _pump(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.stderr_lines.append(line.rstrip("\n"))
            if READY_MARK in line:
                self._ready.set()
        self._ready.set()

    def _get(self, path: str) -> bytes:
        url = f"http://{self.host}:{self.metrics_port}{path}"
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            return response.read()

    def replay_metrics(self) -> dict[str, object]:
        """The proxy's counts in `heliosdb_replay_metrics()` keys."""
        return json.loads(self._get("/replay-metrics"))

    def counter(self, name: str, **labels: str) -> float:
        """The value of one Prometheus sample (0 when absent)."""
        shown = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
        wanted = f"{name}{{{shown}}}" if labels else name
        for line in self._get("/metrics").decode().splitlines():
            if line.startswith("#"):
                continue
            sample, _, value = line.rpartition(" ")
            if sample == wanted:
                return float(value)
        return 0.0

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
