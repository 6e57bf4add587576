"""bench.statement_opcodes: the instruction count it reports is the same from run to run (what
lets it compare versions on a loaded machine), and a workload doing more work counts more."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def measured(workload: str, tmp_path: Path) -> float:
    script = ROOT / "bench" / "statement_opcodes.py"
    done = subprocess.run([sys.executable, str(script), "--measure", workload, "--transactions", "20"],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          check=True, cwd=tmp_path, timeout=120)
    instructions: float = json.loads(done.stdout.strip().splitlines()[-1])["instructions"]
    return instructions


def test_the_count_repeats_and_tells_workloads_apart(tmp_path: Path) -> None:
    first, second = measured("select", tmp_path), measured("select", tmp_path)
    assert abs(first - second) <= 0.05 * first, (first, second)
    assert measured("select-extended", tmp_path) > first  # five messages against one
