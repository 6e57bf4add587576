"""The statements' metrics: counted when they start, timed into the histogram's buckets when they
end, exposed in the text format prometheus-client gives its own Counter and Histogram."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from heliosdb_lite.server.statement_metrics import StatementMetrics


def samples(metrics: StatementMetrics) -> dict[str, float]:
    registry = CollectorRegistry()
    registry.register(metrics)
    lines = generate_latest(registry).decode().splitlines()
    return {name: float(value) for name, value in (line.rsplit(" ", 1) for line in lines
                                                    if line and not line.startswith("#"))}


def test_started_and_ended_statements_are_counted_and_bucketed() -> None:
    metrics = StatementMetrics(buckets=(0.001, 0.01))
    for _ in range(3):
        metrics.started()
    metrics.ended(0.0005)
    metrics.ended(0.001)  # a bound belongs to its bucket (le: less or equal)
    got = samples(metrics)
    assert got["heliosdb_statements_total"] == 3
    assert got['heliosdb_statement_duration_seconds_bucket{le="0.001"}'] == 2
    assert got['heliosdb_statement_duration_seconds_bucket{le="0.01"}'] == 2
    assert got['heliosdb_statement_duration_seconds_bucket{le="+Inf"}'] == 2
    assert got["heliosdb_statement_duration_seconds_count"] == 2
    assert abs(got["heliosdb_statement_duration_seconds_sum"] - 0.0015) < 1e-12
    metrics.ended(5.0)
    got = samples(metrics)
    assert got['heliosdb_statement_duration_seconds_bucket{le="0.01"}'] == 2
    assert got['heliosdb_statement_duration_seconds_bucket{le="+Inf"}'] == 3
