"""A client must never be able to stop the server or starve the others: what a hostile or broken
client sends gets an ERROR (or ends only its own session), and leaves nothing behind that grows.

Each test uses its own server when it measures the process (memory), else the module's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.server.conftest import Target
from testsupport.server_process import ServerProcess

CONNECT_TIMEOUT = 10
MIB = 1024 * 1024


@pytest.fixture
def autocommit(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as connection:
        yield connection


@pytest.mark.parametrize("nesting", ["(" * 20000 + "1" + ")" * 20000, "not " * 20000 + "true"])
def test_statement_nested_too_deeply_is_an_error(autocommit: psycopg.Connection[Any], nesting: str) -> None:
    """PostgreSQL's parser answers 42601 "memory exhausted"; HeliosDB-Lite's, which recurses,
    54001 "stack depth limit exceeded" (was XX000 naming Python's RecursionError)."""
    with pytest.raises(psycopg.Error) as refused:
        autocommit.execute(f"select {nesting}")
    assert refused.value.sqlstate in ("54001", "42601")
    assert autocommit.execute("select 1").fetchone() == (1,)


def resident_bytes(server: ServerProcess) -> int:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def test_long_statements_are_not_kept_in_memory(tmp_path: Path) -> None:
    """Statements of megabytes, each different, must not pile up in the statement, token and parse
    caches (each 2048 entries: about 9 MB each was kept of a 2 MB statement)."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        with psycopg.connect(server.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as connection:

            def run_long_statements(first: int, count: int) -> None:
                for i in range(first, first + count):
                    text = f"{i:04d}" + "x" * (2 * MIB)
                    assert connection.execute(f"select length('{text}')").fetchone() == (len(text),)

            run_long_statements(0, 5)  # the process's own warm-up (threads, allocator arenas)
            before = resident_bytes(server)
            run_long_statements(5, 25)
            grown = resident_bytes(server) - before
        assert grown < 100 * MIB, f"the server grew by {grown // MIB} MiB"
    finally:
        server.stop()


def test_a_result_past_the_memory_bound_is_refused_and_the_session_goes_on(tmp_path: Path) -> None:
    """The server holds a result before sending it: one statement asking for more rows than
    `server.max_result_bytes` gets 54000 (before, `select * from generate_series(1, 1e9)` grew the
    process until the operating system killed it, and every session with it)."""
    config = tmp_path / "heliosdb.toml"
    config.write_text(f"[server]\nmax_result_bytes = {MIB}\n")
    server = ServerProcess(tmp_path / "data", config=config).start()
    try:
        with psycopg.connect(server.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as session:
            small = session.execute("select g, repeat('x', 100) from generate_series(1, 1000) g").fetchall()
            assert len(small) == 1000
            with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="result too large"):
                session.execute("select g, repeat('x', 100) from generate_series(1, 1000000000) g")
            assert session.execute("select count(*) from generate_series(1, 100000)").fetchone() == (100000,)
    finally:
        server.stop()
