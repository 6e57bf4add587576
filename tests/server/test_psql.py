"""psql, the real command-line client, runs SQL scripts against the server over TCP.

script.sql covers DDL, single and multi-row inserts, filtered and ordered selects, update, delete,
committed and rolled-back transaction blocks, COPY FROM STDIN and \\copy with inline data, COPY TO
STDOUT (text and csv), and several statements on one line (split by psql, and sent as one Query
with `\\;`); script.out is PostgreSQL 15's output for it, byte for byte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server.conftest import Target

SCRIPTS = Path(__file__).parent / "psql"
PSQL_TIMEOUT = 30.0


def run_psql(target: Target, script: Path) -> subprocess.CompletedProcess[str]:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed (`make test` installs postgresql-client)")
    return subprocess.run(
        [psql, "-v", "ON_ERROR_STOP=1", "-X", "-h", target.host, "-p", str(target.port), "-U", "postgres",
         "-d", "postgres", "-f", str(script)],
        capture_output=True, text=True, timeout=PSQL_TIMEOUT, check=False, stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "10", "LC_ALL": "C.UTF-8"})


def test_script_output_matches_postgresql(target: Target) -> None:
    done = run_psql(target, SCRIPTS / "script.sql")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (SCRIPTS / "script.out").read_text()


def test_error_stops_script_with_exit_code_3_and_sqlstate(target: Target) -> None:
    done = run_psql(target, SCRIPTS / "error.sql")
    assert done.returncode == 3
    assert re.search(r'error\.sql:4: ERROR:  42P01: relation "psql_missing_table" does not exist',
                     done.stderr), done.stderr
    assert "before_error" in done.stdout
    assert "after_error" not in done.stdout
