"""bench/proxy_bench.py end to end in its smallest configuration: pgbench's TPC-B-like script for a
second directly and through a real proxy, one interrupted COMMIT per way of interrupting it; the
report is printed and its checks (balances, outcome lookups, exactly once, no application error)
hold."""

from __future__ import annotations

import shutil

import pytest

from bench import proxy_bench


@pytest.mark.skipif(shutil.which("pgbench") is None, reason="pgbench is not installed (make deps)")
def test_the_proxy_bench_reports_with_its_checks_holding(capsys: pytest.CaptureFixture[str]) -> None:
    status = proxy_bench.main(["--seconds", "1", "--clients", "1", "--workloads", "tpcb-like",
                               "--modes", "simple", "--repeats", "1", "--kills", "1"])
    report = capsys.readouterr().out
    assert status == 0, report
    assert "| tpcb-like | simple | 1 | " in report, report
    assert ": consistent" in report, report  # the balances after TPC-B-like runs both ways
    for case in proxy_bench.CASES:
        assert f"| {case.name} | 1 | " in report, report
    assert "check exactly once: 3 COMMITs returned; counters [3, 3, 3]; 3 rows, 0 applied twice" in report
    assert report.rstrip().endswith(": yes"), report
