"""psql, the real command-line client, runs SQL scripts against the server over TCP.

psql/script.sql covers DDL, single and multi-row inserts, filtered and ordered selects, update,
delete, committed and rolled-back transaction blocks, COPY FROM STDIN and \\copy with inline data,
COPY TO STDOUT (text and csv), and several statements on one line (split by psql, and sent as one
Query with `\\;`); psql/script.out is PostgreSQL 15's output for it, byte for byte.
"""

from __future__ import annotations

import re

from tests.server.conftest import Target
from tests.server.psql_client import SCRIPTS, run_psql


def test_script_output_matches_postgresql(target: Target) -> None:
    done = run_psql(target.host, target.port, SCRIPTS / "script.sql")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (SCRIPTS / "script.out").read_text()


def test_error_stops_script_with_exit_code_3_and_sqlstate(target: Target) -> None:
    done = run_psql(target.host, target.port, SCRIPTS / "error.sql")
    assert done.returncode == 3
    assert re.search(r'error\.sql:4: ERROR:  42P01: relation "psql_missing_table" does not exist',
                     done.stderr), done.stderr
    assert "before_error" in done.stdout
    assert "after_error" not in done.stdout
