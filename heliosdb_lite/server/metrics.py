"""Prometheus metrics of the network layer, and the HTTP endpoint that exposes every metric.

Metrics live on prometheus-client's default registry, created once at import, so the journal and
replay layers register theirs beside these and one `/metrics` endpoint serves them all.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

CONNECTIONS_ACTIVE = Gauge("heliosdb_connections_active", "Client connections currently open")
CONNECTIONS_TOTAL = Counter("heliosdb_connections_total", "Client connections accepted")
WRITER_SLOT_WAITERS = Gauge("heliosdb_writer_slot_waiters", "Sessions queued for the writer slot")
STATEMENTS = Counter("heliosdb_statements_total", "Statements executed")
ERRORS = Counter("heliosdb_errors_total", "Errors sent to clients, by SQLSTATE", ["sqlstate"])
STATEMENT_SECONDS = Histogram(
    "heliosdb_statement_duration_seconds",
    "Statement execution time inside the engine",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
             5, 10),
)


def start_metrics_endpoint(host: str, port: int) -> None:
    """Serve /metrics over HTTP on host:port from a daemon thread."""
    start_http_server(port, addr=host)
