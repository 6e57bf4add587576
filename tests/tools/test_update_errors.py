"""errors.py's SQLSTATE table is what tools/update_errors.py makes of PostgreSQL 15's errcodes.txt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from heliosdb_lite import errors
from tools.generated import END, ROOT, START, write_region
from tools.update_errors import DEFAULT_SOURCE, parse, render

EXCERPT = """\
Section: Class 01 - Warning
01004    W    ERRCODE_WARNING_STRING_DATA_RIGHT_TRUNCATION                   string_data_right_truncation

Section: Class 22 - Data Exception
22001    E    ERRCODE_STRING_DATA_RIGHT_TRUNCATION                           string_data_right_truncation
2202E    E    ERRCODE_ARRAY_SUBSCRIPT_ERROR                                  array_subscript_error
# SQL99's actual definition of this code:
2202E    E    ERRCODE_ARRAY_ELEMENT_ERROR
"""


@pytest.mark.skipif(not DEFAULT_SOURCE.exists(), reason=f"{DEFAULT_SOURCE} is absent (package postgresql-15)")
def test_errors_py_is_generated_from_postgresql_15() -> None:
    done = subprocess.run([sys.executable, "-m", "tools.update_errors", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_names_are_condition_names_or_macro_names_when_ambiguous() -> None:
    body = render(parse(EXCERPT))
    namespace: dict[str, str] = {}
    exec(body, namespace)
    del namespace["__builtins__"]
    assert namespace == {
        "WARNING_STRING_DATA_RIGHT_TRUNCATION": "01004",
        "STRING_DATA_RIGHT_TRUNCATION": "22001",
        "ARRAY_SUBSCRIPT_ERROR": "2202E",
        "ARRAY_ELEMENT_ERROR": "2202E",
    }
    assert "# Class 22 - Data Exception\n" in body


def test_unknown_lines_are_refused() -> None:
    with pytest.raises(SystemExit, match="unexpected line"):
        parse(EXCERPT + "2202X    E    NOT_A_MACRO\n")


def test_a_stale_region_is_reported_and_rewritten_only_without_check(tmp_path: Path) -> None:
    target = tmp_path / "module.py"
    target.write_text(f"HEAD = 1\n{START} (test)\nOLD = 1\n{END}\nTAIL = 2\n")
    assert not write_region(target, "NEW = 2\n", check=True)
    assert "OLD = 1" in target.read_text()
    assert not write_region(target, "NEW = 2\n", check=False)
    assert target.read_text() == f"HEAD = 1\n{START} (test)\nNEW = 2\n{END}\nTAIL = 2\n"
    assert write_region(target, "NEW = 2\n", check=True)


@pytest.mark.skipif(not DEFAULT_SOURCE.exists(), reason=f"{DEFAULT_SOURCE} is absent (package postgresql-15)")
def test_our_own_codes_are_not_postgresql_codes() -> None:
    postgresql = {code.sqlstate for _, codes in parse(DEFAULT_SOURCE.read_text()) for code in codes}
    assert errors.UNIQUE_VIOLATION in postgresql
    assert {errors.TRANSACTION_FENCED, errors.TRANSACTION_REPLAY_FAILED}.isdisjoint(postgresql)
