"""compat/report.py: outcomes read from pytest's JUnit XML (a test once, however many testcases pytest
wrote for it), the regressions against PostgreSQL, and failures grouped by cause across drivers."""

from __future__ import annotations

from pathlib import Path

from compat.report import Outcome, cause, counts, read_junit, regressions, top_causes

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
 <testcase classname="tests.test_copy.TestCopy" name="test_ok" time="0.1"/>
 <testcase classname="tests.test_copy.TestCopy" name="test_binary" time="0.1">
  <failure message="psycopg.errors.FeatureNotSupported: COPY BINARY is not supported&#10;more">tb</failure>
 </testcase>
 <testcase classname="tests.test_copy.TestCopy" name="test_binary" time="0.1">
  <error message="failed on teardown with &quot;AssertionError: leaked&quot;">tb</error>
 </testcase>
 <testcase classname="tests.test_copy.TestCopy" name="test_setup" time="0.1">
  <error message="failed on setup with &quot;asyncpg.exceptions.PostgresError: no&quot;">tb</error>
 </testcase>
 <testcase classname="tests.test_copy.TestCopy" name="test_skip" time="0">
  <skipped type="pytest.skip" message="no hstore">skip</skipped>
 </testcase>
</testsuite></testsuites>
"""


def test_read_junit_counts_each_test_once(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT)
    results = {result.test: result for result in read_junit(path)}
    assert counts(list(results.values())) == {"passed": 1, "failed": 1, "error": 1, "skipped": 1}
    binary = results["tests/test_copy/TestCopy::test_binary"]
    assert (binary.outcome, binary.message) == (
        "failed", "psycopg.errors.FeatureNotSupported: COPY BINARY is not supported")


def test_regressions_are_failures_that_pass_on_postgresql() -> None:
    heliosdb = [Outcome("a", "failed", "x"), Outcome("b", "error", "y"), Outcome("c", "failed", "z")]
    postgresql = [Outcome("a", "passed", ""), Outcome("b", "passed", ""), Outcome("c", "failed", "z")]
    assert [result.test for result in regressions(heliosdb, postgresql)] == ["a", "b"]


def test_causes_mask_what_varies_and_read_pg8000_fields() -> None:
    pg8000 = ("pg8000.exceptions.DatabaseError: {'S': 'ERROR', 'V': 'ERROR', 'C': '0A000', "
              "'M': 'data type with OID 3904 is not supported'}")
    assert cause(pg8000) == "0A000 data type with OID N is not supported"
    assert cause('failed on setup with "asyncpg.exceptions.DuplicateTableError: relation "tab1" already '
                 'exists"') == "asyncpg.exceptions.DuplicateTableError: relation '…' already exists"
    assert cause('psycopg.errors.UndefinedTable: relation "pg_stat_activity" does not exist') == (
        'psycopg.errors.UndefinedTable: relation "pg_stat_activity" does not exist')
    failures = [Outcome("a", "failed", pg8000), Outcome("b", "failed", pg8000.replace("3904", "869")),
                Outcome("c", "failed", "AssertionError: assert 1 == 2")]
    assert top_causes(failures, 5) == [("0A000 data type with OID N is not supported", 2),
                                       ("AssertionError: assert N == N", 1)]
