"""The seed's Python `OrderService` (docs/python-api.md) run exactly as written there, in a child
process, on the seed's `heliosdb-transaction-replay.toml` with its paths moved to a temporary
directory; then the data it left is checked through a fresh embedded Database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import heliosdb_lite as hdb

DOC = Path(__file__).resolve().parents[2] / "docs" / "python-api.md"
FIRST_LINE = "# order_service.py"

# The seed's Example 1 configuration, key for key; only the two paths point into the test's directory.
SEED_CONFIG = """
[database]
path = "{data}"
cache_size_mb = 512

[transaction_replay]
enabled = true
journal_path = "{journal}"
journal_max_size_mb = 512
journal_sync_mode = "async"
checksum_algorithm = "xxh3"
verify_on_replay = true
auto_replay_on_startup = true
parallel_replay = true
replay_threads = 8
max_replay_time_seconds = 30
track_read_sets = true
track_write_sets = true
generate_gtid = true
replay_on_connection_loss = true
max_replay_attempts = 3
replay_backoff_ms = 100

[replication]
replicate_journal = true
standby_host = "replica.example.com:50051"
replication_mode = "async"

[performance]
simd_checksums = true
io_uring_journal = true

[observability]
metrics_enabled = true
metrics_port = 9090
track_replay_latency = true
track_journal_size = true
log_replayed_transactions = true
"""


def example_code() -> str:
    """The fenced block of docs/python-api.md that starts with `# order_service.py`."""
    blocks = DOC.read_text(encoding="utf-8").split("```python\n")[1:]
    matching = [block.split("```", 1)[0] for block in blocks if block.startswith(FIRST_LINE)]
    assert len(matching) == 1, f"docs/python-api.md must have one block starting {FIRST_LINE!r}"
    return matching[0]


def test_order_service_example_runs_as_documented(tmp_path: Path) -> None:
    code = example_code()
    (tmp_path / "order_service.py").write_text(code, encoding="utf-8")
    config_file = tmp_path / "heliosdb-transaction-replay.toml"
    config_file.write_text(SEED_CONFIG.format(data=tmp_path / "orders.db", journal=tmp_path / "tx-journal"),
                           encoding="utf-8")
    done = subprocess.run([sys.executable, "order_service.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ Transaction present exactly once after reopen" in done.stdout
    assert "Zero data loss events: 0" in done.stdout
    assert "created with zero data loss guarantee" in done.stdout
    assert "config key replication.replicate_journal is accepted but has no effect" in done.stderr

    iterations = int(code.split("ITERATIONS = ", 1)[1].split("\n", 1)[0])
    orders = 1 + 1 + iterations + 1
    with hdb.Database.open(hdb.Config.from_file(config_file)) as db:
        assert db.query_one("SELECT count(*), count(DISTINCT id) FROM orders") == (orders, orders)
        assert db.query_one("SELECT count(*), sum(quantity) FROM order_items") == (
            2 + 1 + iterations + 3, 8 + 2 + iterations + 8)
        stock = dict(db.query("SELECT id, stock FROM products"))
        assert stock == {1: 100000 - 5 - iterations, 2: 100000 - 3, 3: 100000 - 2,
                         101: 100000 - 2, 102: 100000 - 1, 103: 100000 - 5}
        assert db.query_one("SELECT total FROM orders WHERE customer_id = 67890") == (3.25 * 2,)
