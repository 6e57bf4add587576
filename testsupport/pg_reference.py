"""A throwaway real PostgreSQL 15: for the differential tests (the `reference_pg` fixture of
tests/plugins/reference_pg.py) and the benchmarks' reference. `start_cluster` gives a cluster whose
`dsn` is `host=127.0.0.1 port=N user=postgres dbname=postgres`, that:

- is created by `initdb` in a fresh temporary directory (trust auth, UTF8, C locale, no fsync),
  run as OS user `postgres` when the tests run as root (PostgreSQL refuses to run as root);
- listens on a free loopback port only, with its unix socket inside the temporary directory;
- is stopped with `pg_ctl stop -m immediate` and deleted at the end of the session.

`reference_unavailable_reason` says why none can be started here (binaries absent from
`HELIOSDB_PG_BINDIR`, default /usr/local/bin): the fixture then skips the tests that use it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PG_BINDIR = Path(os.environ.get("HELIOSDB_PG_BINDIR", "/usr/local/bin"))
STARTUP_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.05


@dataclass(frozen=True)
class ReferenceCluster:
    """A running throwaway cluster: where it lives and how to reach it."""

    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"


def as_postgres_user(argv: list[str]) -> list[str]:
    """Prefix argv so it runs as OS user postgres when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _make_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="heliosdb-pgref-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    return root


def _log_tail(root: Path) -> str:
    log = root / "postgres.log"
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def _wait_until_accepting(cluster: ReferenceCluster) -> None:
    """Poll with real connection attempts until the server answers or the deadline passes."""
    import psycopg

    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(cluster.dsn, connect_timeout=2):
                return
        except psycopg.OperationalError as exc:
            last_error = exc
            time.sleep(POLL_INTERVAL_S)
    raise RuntimeError(
        f"reference PostgreSQL did not accept connections within {STARTUP_TIMEOUT_S}s: {last_error}\n"
        f"{_log_tail(cluster.root)}"
    )


def start_cluster() -> ReferenceCluster:
    """initdb and start a cluster; the caller must call `stop_cluster` on it."""
    root = _make_root()
    cluster = ReferenceCluster(root=root, port=_free_loopback_port())
    initdb = [
        str(PG_BINDIR / "initdb"),
        "-D",
        str(cluster.data_dir),
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
    ]
    done = subprocess.run(as_postgres_user(initdb), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    server_options = (
        f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {root} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    start = [
        str(PG_BINDIR / "pg_ctl"),
        "start",
        "-W",
        "-D",
        str(cluster.data_dir),
        "-l",
        str(root / "postgres.log"),
        "-o",
        server_options,
    ]
    done = subprocess.run(as_postgres_user(start), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    try:
        _wait_until_accepting(cluster)
    except BaseException:
        stop_cluster(cluster)
        raise
    return cluster


def stop_cluster(cluster: ReferenceCluster) -> None:
    """Stop the server at once (no checkpoint) and delete its files."""
    stop = [str(PG_BINDIR / "pg_ctl"), "stop", "-m", "immediate", "-D", str(cluster.data_dir)]
    subprocess.run(as_postgres_user(stop), capture_output=True, check=False)
    shutil.rmtree(cluster.root, ignore_errors=True)


def reference_unavailable_reason() -> str | None:
    """Why a reference cluster cannot be started here, or None if it can."""
    for binary in ("postgres", "initdb", "pg_ctl"):
        if not (PG_BINDIR / binary).exists():
            return f"PostgreSQL 15 reference not available: {PG_BINDIR / binary} is absent"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "PostgreSQL reference needs `runuser` to run initdb as user postgres when tests run as root"
    return None
