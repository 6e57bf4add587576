"""`heliosdb-lite journal verify | dump | stats`, run as a subprocess on journals the tests write."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from heliosdb_lite.journal import (
    CheckpointPayload,
    CommitPayload,
    EntryType,
    FencePayload,
    Isolation,
    Journal,
    JournalScan,
    ReadSet,
    Statement,
    WriteSet,
    WriteStep,
    encode_payload,
)
from tests.journal.fakes import CountingSyscalls, gtid

REPOSITORY = Path(__file__).resolve().parents[2]
COMMITS = 30


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "heliosdb_lite.cli", "journal", *args],
                          cwd=REPOSITORY, capture_output=True, text=True, timeout=60)


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    """Thirty commits over several segments, then a fence and a checkpoint."""
    journal = Journal.open(tmp_path, segment_size=2048, syscalls=CountingSyscalls(real=False))
    try:
        for number in range(COMMITS):
            payload = CommitPayload(
                statements=[Statement("INSERT INTO orders VALUES ($1, $2)", [number, "widget"]),
                            Statement("UPDATE stock SET n = n - 1")],
                read_set=ReadSet(["customers"], number),
                write_set=WriteSet(["orders", "stock"], memoryview(b"changeset"), ["CREATE TABLE a (x)"],
                                   steps=[WriteStep(memoryview(b"step"), ["DROP TABLE a"])]),
            )
            journal.append(EntryType.COMMIT, gtid(number), encode_payload(payload),
                           flags=Isolation.SERIALIZABLE)
        journal.append(EntryType.FENCE, gtid(1000), encode_payload(FencePayload("outcome lookup")))
        journal.append(EntryType.CHECKPOINT, bytes(16), encode_payload(CheckpointPayload(COMMITS)))
    finally:
        journal.close_sync()
    return tmp_path


def test_verify_a_sound_journal(journal_dir: Path) -> None:
    result = _run("verify", "--journal", str(journal_dir))
    assert result.returncode == 0, result.stderr
    assert "32 entries verified (LSN 1..32)" in result.stdout and "OK" in result.stdout
    as_json = json.loads(_run("verify", "--json", "--journal", str(journal_dir)).stdout)
    assert (as_json["status"], as_json["entries"], as_json["last_lsn"]) == ("ok", 32, 32)


def test_verify_reports_a_corrupted_byte_by_segment_and_offset(journal_dir: Path) -> None:
    damaged = next(entry for entry in JournalScan(journal_dir) if entry.lsn == 7)
    path = journal_dir / damaged.segment
    content = bytearray(path.read_bytes())
    content[damaged.offset + 100] ^= 0x40
    path.write_bytes(content)
    result = _run("verify", "--journal", str(journal_dir))
    assert result.returncode == 1
    assert f"CORRUPT: segment {damaged.segment} offset {damaged.offset}" in result.stdout
    as_json = json.loads(_run("verify", "--json", "--journal", str(journal_dir)).stdout)
    assert (as_json["status"], as_json["segment"], as_json["offset"]) == ("corrupt", damaged.segment,
                                                                           damaged.offset)
    assert as_json["entries"] == 6
    assert _run("stats", "--journal", str(journal_dir)).returncode == 1


def test_verify_reports_a_torn_tail(journal_dir: Path) -> None:
    last = list(JournalScan(journal_dir))[-1]
    path = journal_dir / last.segment
    content = path.read_bytes()
    path.write_bytes(content[:last.offset + 30])
    result = _run("verify", "--journal", str(journal_dir))
    assert result.returncode == 3
    assert f"TORN TAIL: segment {last.segment} offset {last.offset}" in result.stdout


def test_dump_shows_lsn_gtid_time_type_tables_and_statements(journal_dir: Path) -> None:
    result = _run("dump", "--journal", str(journal_dir), "--from-lsn", "30")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("LSN 30 ") and f"gtid {uuid.UUID(bytes=gtid(29))}" in lines[0]
    assert " commit " in lines[0] and "Z " in lines[0]
    assert "tables written: orders, stock  read: customers" in result.stdout
    assert "[1] INSERT INTO orders VALUES ($1, $2)  params [29, 'widget']" in result.stdout
    assert "LSN 31 " in result.stdout and "fence" in result.stdout and "outcome lookup" in result.stdout
    assert "LSN 29 " not in result.stdout


def test_dump_json_is_one_object_per_entry(journal_dir: Path) -> None:
    result = _run("dump", "--json", "--journal", str(journal_dir))
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [entry["lsn"] for entry in entries] == list(range(1, 33))
    first = entries[0]
    assert first["type"] == "commit" and first["isolation"] == "serializable"
    assert first["gtid"] == str(uuid.UUID(bytes=gtid(0)))
    assert first["tables_written"] == ["orders", "stock"]
    assert first["changeset_bytes"] == len(b"changeset") + len(b"step")
    assert first["ddl"] == ["CREATE TABLE a (x)", "DROP TABLE a"]
    assert first["statements"][0] == {"sql": "INSERT INTO orders VALUES ($1, $2)", "params": [0, "widget"]}
    assert entries[-1]["type"] == "checkpoint" and entries[-1]["store_lsn"] == COMMITS


def test_stats(journal_dir: Path) -> None:
    result = _run("stats", "--json", "--journal", str(journal_dir))
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["by_type"] == {"commit": COMMITS, "fence": 1, "checkpoint": 1, "epoch": 0, "abort": 0}
    assert (stats["entries"], stats["first_lsn"], stats["last_lsn"]) == (32, 1, 32)
    assert stats["segments"] == len(list(journal_dir.glob("*.htj"))) > 1
    assert stats["tail"] == {"status": "ok"}
    text = _run("stats", "--journal", str(journal_dir), "--from-lsn", "31").stdout
    assert "entries        2" in text


def test_a_missing_journal_is_an_error(tmp_path: Path) -> None:
    result = _run("verify", "--journal", str(tmp_path / "nowhere"))
    assert result.returncode == 1 and "no journal directory" in result.stderr
