"""Engine tests call SQLiteEngine directly on a temporary data directory (no server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[SQLiteEngine]:
    engine = SQLiteEngine(tmp_path / "data", busy_timeout_ms=200, default_lock_wait_ms=200)
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture
def session(engine: SQLiteEngine) -> SQLiteSession:
    return engine.open_session("postgres", "postgres", {})
