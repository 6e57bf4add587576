"""Run the real `psql` client on a script file; tests skip, saying why, when psql is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parent / "psql"
PSQL_TIMEOUT = 30.0


def run_psql(host: str, port: int, script: Path, *, user: str = "postgres",
             environment: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`psql -v ON_ERROR_STOP=1 -X -h HOST -p PORT -U USER -d postgres -f SCRIPT`, in a clean
    environment plus `environment` (PGPASSWORD, PGSSLMODE, ...)."""
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed (`make test` installs postgresql-client)")
    return subprocess.run(
        [psql, "-v", "ON_ERROR_STOP=1", "-X", "-h", host, "-p", str(port), "-U", user, "-d", "postgres",
         "-f", str(script)],
        capture_output=True, text=True, timeout=PSQL_TIMEOUT, check=False, stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "10", "LC_ALL": "C.UTF-8", **(environment or {})})
