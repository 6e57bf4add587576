"""A primary and its standbys as real server processes on loopback ports, for replication tests.

`Cluster` writes each server's TOML ([replication] keys), starts and kills them, and waits — with
bounded polls, never sleeps — until a standby has applied what the primary has.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

from heliosdb_lite.journal.segment import segment_path
from testsupport.server_process import ServerProcess

CATCH_UP_TIMEOUT = 30.0
FILLER_BYTES = 1 << 20
SEGMENT_FILLERS = 20  # rows of FILLER_BYTES: past a 16 MiB journal segment
POLL_SECONDS = 0.02


def _toml(values: dict[str, object]) -> str:
    lines = ["[replication]"]
    for key, value in values.items():
        text = str(value).lower() if isinstance(value, bool) else \
            str(value) if isinstance(value, int) else json.dumps(str(value))
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


class Cluster:
    """Servers under `root`: `primary` and `standbys` (not started)."""

    def __init__(self, root: Path, *, mode: str = "sync", standbys: int = 1, sync_timeout_ms: int = 5000,
                 standby_count: int = 1, primary_args: tuple[str, ...] = ()) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.mode = mode
        # every server's: a promoted standby serves standbys in the same mode
        self.primary_settings: dict[str, object] = {
            "replicate_journal": True, "replication_mode": mode, "sync_timeout_ms": sync_timeout_ms,
            "synchronous_standby_count": standby_count, "replication_retry_interval_seconds": 1}
        self.settings: dict[str, dict[str, object]] = {}
        self.primary = self._server("primary", self.primary_settings, args=primary_args)
        self.standbys = [self.standby_of(self.primary, f"standby{number}")
                         for number in range(1, standbys + 1)]

    def _server(self, name: str, replication: dict[str, object], *,
                args: tuple[str, ...] = ()) -> ServerProcess:
        config = self.root / f"{name}.toml"
        config.write_text(_toml(replication))
        (self.root / name).mkdir(parents=True, exist_ok=True)
        server = ServerProcess(self.root / name / "data", config=config, args=args)
        self.settings[str(config)] = dict(replication)
        return server

    def standby_of(self, primary: ServerProcess, name: str, *, args: tuple[str, ...] = (),
                   **settings: object) -> ServerProcess:
        """A standby server of `primary` (its config written, not started); `settings` add keys,
        `args` command-line options."""
        return self._server(name, {**self.primary_settings, "role": "standby",
                                   "primary_host": f"127.0.0.1:{primary.port}", "standby_name": name,
                                   **settings}, args=args)

    def reconfigure(self, server: ServerProcess, **changes: object) -> None:
        """Change keys of `server`'s [replication] section (a None value removes the key); it takes
        effect at the server's next start."""
        assert server._config is not None
        settings = self.settings[str(server._config)]
        settings.update(changes)
        for key in [key for key, value in settings.items() if value is None]:
            del settings[key]
        server._config.write_text(_toml(settings))

    def make_standby(self, server: ServerProcess, primary: ServerProcess, name: str) -> None:
        """Reconfigure `server` (at its next start) as a standby of `primary` named `name`."""
        self.reconfigure(server, role="standby", primary_host=f"127.0.0.1:{primary.port}", standby_name=name,
                         standby_host=None)

    def start(self) -> Cluster:
        self.primary.start()
        for standby in self.standbys:
            standby.start()
        return self

    def stop(self) -> None:
        for server in (self.primary, *self.standbys):
            server.stop()


@contextmanager
def running(cluster: Cluster) -> Iterator[Cluster]:
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def connect(server: ServerProcess) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(server.dsn, autocommit=True, connect_timeout=10)


def value(server: ServerProcess, query: str) -> Any:
    """The one value of `query`'s one row, on a new connection to `server`."""
    with connect(server) as connection:
        [(result,)] = connection.execute(query).fetchall()
        return result


def current_lsn(server: ServerProcess) -> int:
    return int(value(server, "SELECT heliosdb_current_lsn()"))


def applied_lsn(server: ServerProcess) -> int:
    return int(value(server, "SELECT heliosdb_last_applied_lsn()"))


def wait_until(condition: Callable[[], object], what: str, timeout: float = CATCH_UP_TIMEOUT) -> None:
    """Poll `condition()` (bounded) until true."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(POLL_SECONDS)


def _applied_at_least(server: ServerProcess, lsn: int) -> bool:
    return applied_lsn(server) >= lsn


def wait_caught_up(primary: ServerProcess, *standbys: ServerProcess) -> int:
    """Until every standby has applied the primary's last LSN; returns that LSN."""
    last = current_lsn(primary)
    for standby in standbys:
        wait_until(partial(_applied_at_least, standby, last), f"{standby.data_dir} to reach LSN {last}")
    return last


def start_rebuilt_from_copy(primary: ServerProcess, standby: ServerProcess) -> None:
    """Start a stopped standby once the primary's checkpoints have released its first journal
    segment: too far behind to stream, it is rebuilt from a copy of the primary's store."""
    first_segment = segment_path(primary.data_dir / "journal", 1)
    wait_until(lambda: not first_segment.exists(), "a checkpoint to release the journal's first segment",
               timeout=120)
    standby.start()
    assert any("REBUILT from a copy of the primary's store" in line for line in standby.stderr_lines)
