"""Prometheus metrics of the network layer, and the HTTP endpoint that exposes every metric.

Metrics live on prometheus-client's default registry, created once at import, so the journal and
replay layers register theirs beside these and one `/metrics` endpoint serves them all.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, start_http_server

CONNECTIONS_ACTIVE = Gauge("heliosdb_connections_active", "Client connections currently open")
CONNECTIONS_TOTAL = Counter("heliosdb_connections_total", "Client connections accepted")
WRITER_SLOT_WAITERS = Gauge("heliosdb_writer_slot_waiters", "Sessions queued for the writer slot")
ERRORS = Counter("heliosdb_errors_total", "Errors sent to clients, by SQLSTATE", ["sqlstate"])
# the statements' count and durations: statement_metrics.STATEMENTS


def start_metrics_endpoint(host: str, port: int) -> None:
    """Serve /metrics over HTTP on host:port from a daemon thread."""
    start_http_server(port, addr=host)
