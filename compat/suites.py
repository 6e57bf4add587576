"""The three suites: where each one's tests come from, which subset runs (issue 15's table), how each
is pointed at a server (environment variables its own fixtures read) and the pytest configuration it
runs under (its project's own, given with `-c` so that this repository's pytest settings stay out).

psycopg's sdist carries no tests, so its tests/ directory is vendored under compat/suites/psycopg
(from the git tag, LGPL-3 with its LICENSE.txt); pg8000's and asyncpg's sdists carry theirs, pinned
by sha256 in compat/sdists.txt and unpacked by compat/deps.py into the cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

COMPAT_DIR = Path(__file__).resolve().parent
VENDORED_DIR = COMPAT_DIR / "suites"
CACHE_DIR = COMPAT_DIR.parent / ".compat-cache"


@dataclass(frozen=True)
class Suite:
    """One driver's test suite: `root` holds its test package (the directory pytest runs in)."""

    name: str
    version: str  # the driver's installed version the suite is run with
    tests_version: str  # the release the test files come from
    root: Path
    paths: tuple[str, ...]
    ini: str  # the pytest configuration, as the project's own pyproject.toml sets it
    environment: Callable[[str, int], dict[str, str]]
    sdist: str | None = None  # the pinned sdist compat/deps.py unpacks into `root`, if not vendored


def _psycopg_environment(host: str, port: int) -> dict[str, str]:
    return {"PSYCOPG_TEST_DSN": f"host={host} port={port} user=postgres dbname=postgres"}


def _libpq_environment(host: str, port: int) -> dict[str, str]:
    """pg8000's conftest reads PGHOST/PGPORT (user postgres); asyncpg's _testbase uses a running
    cluster instead of starting its own when PGHOST is set, and connects with libpq's variables."""
    return {"PGHOST": host, "PGPORT": str(port), "PGUSER": "postgres", "PGDATABASE": "postgres"}


SUITES: dict[str, Suite] = {
    suite.name: suite
    for suite in (
        Suite(
            name="psycopg",
            version="3.3.9",
            tests_version="3.3.4",
            root=VENDORED_DIR / "psycopg",
            paths=("tests/test_connection.py", "tests/test_cursor.py", "tests/test_copy.py",
                   "tests/test_transaction.py", "tests/test_adapt.py", "tests/test_prepared.py",
                   "tests/pq", "tests/types"),
            ini="[pytest]\naddopts = -ra\nfilterwarnings =\n    error\n",
            environment=_psycopg_environment,
        ),
        Suite(
            name="pg8000",
            version="1.31.6",
            tests_version="1.31.6",
            root=CACHE_DIR / "pg8000-1.31.6",
            paths=("test/native", "test/legacy", "test/dbapi"),
            ini="[pytest]\n",
            environment=_libpq_environment,
            sdist="pg8000-1.31.6.tar.gz",
        ),
        Suite(
            name="asyncpg",
            version="0.32.0",
            tests_version="0.32.0",
            root=CACHE_DIR / "asyncpg-0.32.0",
            paths=("tests/test_codecs.py", "tests/test_execute.py", "tests/test_prepare.py",
                   "tests/test_transaction.py", "tests/test_copy.py", "tests/test_introspection.py"),
            ini=("[pytest]\naddopts = --capture=no --assert=plain --strict-markers --tb=native "
                 "--import-mode=importlib\nfilterwarnings = default\n"),
            environment=_libpq_environment,
            sdist="asyncpg-0.32.0.tar.gz",
        ),
    )
}
