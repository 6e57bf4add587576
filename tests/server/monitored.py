"""A server with its /metrics endpoint on, so tests observe server-side state (a statement
running, sessions waiting for the writer slot) instead of guessing it from timing."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

from testsupport.server_process import ServerProcess, free_port

TIMEOUT = 10.0
STARTED_METRIC = "heliosdb_statements_total"
FINISHED_METRIC = "heliosdb_statement_duration_seconds_count"
SLOT_WAITERS_METRIC = "heliosdb_writer_slot_waiters"


class MonitoredServer:
    """A server with its /metrics endpoint on, to see whether a statement is running: statements
    are counted when they start, and observed in the duration histogram when they end."""

    def __init__(self, data_dir: Path, args: list[str] | None = None) -> None:
        self.metrics_port = free_port()
        self.process = ServerProcess(data_dir, args=["--metrics-port", str(self.metrics_port), *(args or [])])

    def metrics(self) -> dict[str, float]:
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            lines = response.read().decode().splitlines()
        return {name: float(value) for name, value in (line.split(" ", 1) for line in lines
                                                        if line and not line.startswith("#"))}

    def statements_running(self) -> float:
        samples = self.metrics()
        return samples[STARTED_METRIC] - samples[FINISHED_METRIC]

    def wait_for_slot_waiters(self, count: int) -> None:
        deadline = time.monotonic() + TIMEOUT
        while self.metrics()[SLOT_WAITERS_METRIC] < count:
            assert time.monotonic() < deadline, f"{count} sessions never queued for the writer slot"

    def wait_for_running_statement(self) -> None:
        deadline = time.monotonic() + TIMEOUT
        while self.statements_running() < 1:
            assert time.monotonic() < deadline, "the statement never started running"
