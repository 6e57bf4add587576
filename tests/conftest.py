"""Fixtures shared by the whole suite: a running server on a fresh data directory; the plugins of
tests/plugins/ (e.g. `reference_pg`, a real PostgreSQL 15) are loaded here for every directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testsupport.server_process import ServerProcess

pytest_plugins = ["tests.plugins.reference_pg"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh server (trust auth, loopback) for one test."""
    process = ServerProcess(tmp_path / "data").start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for a whole test module (tests must not depend on each other's tables)."""
    process = ServerProcess(tmp_path_factory.mktemp("shared") / "data").start()
    try:
        yield process
    finally:
        process.stop()
