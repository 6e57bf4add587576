"""`heliosdb-lite journal verify | dump | stats`: inspect a journal directory without opening it
for writing (safe beside a running server, whose unfinished last entry may then show as a torn tail).

Exit codes: 0 the journal is sound; 1 corruption before the tail (the report names segment and
offset), or no journal at the path; 3 (`verify` only) a torn tail that the next start-up will cut.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from heliosdb_lite.journal.errors import JournalCorruption
from heliosdb_lite.journal.format import EntryType, EntryView, isolation_of
from heliosdb_lite.journal.payload import CommitPayload, decode_payload
from heliosdb_lite.journal.progress import Progress
from heliosdb_lite.journal.reader import JournalScan

EXIT_OK = 0
EXIT_CORRUPT = 1
EXIT_TORN_TAIL = 3


def add_journal_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `journal verify|dump|stats`; each leaf sets `func(args) -> exit code`."""
    journal = subparsers.add_parser("journal", help="inspect the transaction journal")
    commands = journal.add_subparsers(dest="journal_command", required=True, metavar="COMMAND")
    for name, func, help_text in (
        ("verify", _verify, "check every entry's checksum and the LSN sequence"),
        ("dump", _dump, "print entries: LSN, GTID, time, type, tables, statements"),
        ("stats", _stats, "entry counts by type, bytes, segments, first and last LSN"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--journal", type=Path, default=None, metavar="DIR",
                             help="journal directory (default: the journal of --config, else ./data/journal)")
        command.add_argument("--json", action="store_true", help="machine-readable output")
        command.add_argument("--from-lsn", type=int, default=0, metavar="N",
                             help="start at LSN N (default: the oldest entry)")
        command.set_defaults(func=func)


class _Walk:
    """One pass over a journal with a progress line; stops at corruption and keeps it."""

    def __init__(self, args: argparse.Namespace, label: str) -> None:
        self.scan = JournalScan(args.journal, args.from_lsn)
        self.label = label
        self.corruption: JournalCorruption | None = None

    def entries(self) -> Iterator[EntryView]:
        progress = Progress(f"journal {self.label}", self.scan.total_bytes)
        try:
            for count, entry in enumerate(self.scan):
                yield entry
                if count % 1024 == 0:
                    progress.update(self.scan.bytes_scanned)
        except JournalCorruption as corruption:
            self.corruption = corruption
        finally:
            progress.finish()

    def outcome(self) -> dict[str, Any]:
        """How the pass ended: ok, torn_tail or corrupt, with where and why."""
        if self.corruption is not None:
            return {"status": "corrupt", "segment": self.corruption.segment,
                    "offset": self.corruption.offset, "reason": self.corruption.reason}
        tail = self.scan.tail
        if tail is not None and tail.torn:
            return {"status": "torn_tail", "segment": tail.segment.name, "offset": tail.offset,
                    "reason": tail.torn_reason, "last_lsn": tail.last_lsn}
        return {"status": "ok"}


def _no_journal(args: argparse.Namespace) -> bool:
    if args.journal.is_dir():
        return False
    print(f"heliosdb-lite journal: no journal directory at {args.journal}", file=sys.stderr)
    return True


def _outcome_line(outcome: dict[str, Any]) -> str:
    if outcome["status"] == "corrupt":
        return (f"CORRUPT: segment {outcome['segment']} offset {outcome['offset']}: {outcome['reason']}")
    if outcome["status"] == "torn_tail":
        return (f"TORN TAIL: segment {outcome['segment']} offset {outcome['offset']}: {outcome['reason']}; "
                f"the next start-up cuts it, keeping entries up to LSN {outcome['last_lsn']}")
    return "OK"


def _verify(args: argparse.Namespace) -> int:
    if _no_journal(args):
        return EXIT_CORRUPT
    walk = _Walk(args, "verify")
    count = 0
    first = last = None
    for entry in walk.entries():
        count += 1
        first = entry.lsn if first is None else first
        last = entry.lsn
    outcome = walk.outcome()
    summary = {**outcome, "entries": count, "first_lsn": first, "last_lsn": last,
               "segments": len(walk.scan.segments)}
    if args.json:
        print(msgspec.json.encode(summary).decode())
    else:
        print(f"{count} entries verified (LSN {first}..{last}) in {len(walk.scan.segments)} segments")
        print(_outcome_line(outcome))
    return {"ok": EXIT_OK, "torn_tail": EXIT_TORN_TAIL}.get(outcome["status"], EXIT_CORRUPT)


def _time(timestamp_us: int) -> str:
    try:
        moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
            microseconds=timestamp_us)
    except OverflowError:
        return f"{timestamp_us}us"
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _describe(entry: EntryView) -> dict[str, Any]:
    """An entry as plain data: header fields and what its payload says."""
    described: dict[str, Any] = {
        "lsn": entry.lsn, "gtid": str(entry.gtid_uuid), "time": _time(entry.timestamp_us),
        "type": entry.entry_type.name.lower(), "epoch": entry.epoch,
        "isolation": isolation_of(entry.flags).name.lower(), "payload_bytes": len(entry.payload),
    }
    try:
        payload = decode_payload(entry.entry_type, entry.payload)
    except ValueError as error:
        described["payload_error"] = str(error)
        return described
    if isinstance(payload, CommitPayload):
        described["tables_written"] = payload.write_set.tables
        described["tables_read"] = payload.read_set.tables
        described["snapshot_lsn"] = payload.read_set.snapshot_lsn
        write_set = payload.write_set
        steps = write_set.steps
        described["changeset_bytes"] = len(write_set.changeset) + sum(len(step.changeset) for step in steps)
        described["ddl"] = [*write_set.schema_sql, *(sql for step in steps for sql in step.schema_sql)]
        described["statements"] = [{"sql": statement.sql, "params": statement.params}
                                   for statement in payload.statements]
        described["user"] = payload.session.user
        # the verifiers stay out of a dump: only whether one was set
        described["roles"] = [{"action": role.action, "name": role.name, "login": role.login,
                               "password_set": role.set_verifier} for role in payload.roles]
    else:
        described.update(msgspec.structs.asdict(payload))
    return described


def _dump_text(described: dict[str, Any]) -> str:
    head = (f"LSN {described['lsn']}  {described['time']}  {described['type']}  gtid {described['gtid']}  "
            f"epoch {described['epoch']}  {described['payload_bytes']} B")
    lines = [head]
    if "payload_error" in described:
        lines.append(f"  payload not decodable: {described['payload_error']}")
    elif described["type"] == EntryType.COMMIT.name.lower():
        written = ", ".join(described["tables_written"]) or "-"
        read = ", ".join(described["tables_read"]) or "-"
        lines.append(f"  {described['isolation']}  tables written: {written}  read: {read}  "
                     f"changeset {described['changeset_bytes']} B")
        for number, statement in enumerate(described["statements"], 1):
            params = f"  params {statement['params']!r}" if statement["params"] else ""
            lines.append(f"  [{number}] {statement['sql']}{params}")
        for role in described["roles"]:
            login = "" if role["login"] is None else "  login" if role["login"] else "  nologin"
            lines.append(f"  role {role['action']} {role['name']}{login}"
                         f"{'  password set' if role['password_set'] else ''}")
    else:
        skip = {"lsn", "time", "type", "gtid", "epoch", "payload_bytes", "isolation"}
        fields = (f"{key} {value}" for key, value in described.items() if key not in skip)
        lines.append("  " + "  ".join(fields))
    return "\n".join(lines)


def _dump(args: argparse.Namespace) -> int:
    if _no_journal(args):
        return EXIT_CORRUPT
    walk = _Walk(args, "dump")
    for entry in walk.entries():
        described = _describe(entry)
        print(msgspec.json.encode(described).decode() if args.json else _dump_text(described))
    outcome = walk.outcome()
    if outcome["status"] != "ok":
        print(_outcome_line(outcome), file=sys.stderr)
    return EXIT_CORRUPT if outcome["status"] == "corrupt" else EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    if _no_journal(args):
        return EXIT_CORRUPT
    walk = _Walk(args, "stats")
    by_type: Counter[str] = Counter()
    entry_bytes = payload_bytes = 0
    first: EntryView | None = None
    last: EntryView | None = None
    for entry in walk.entries():
        by_type[entry.entry_type.name.lower()] += 1
        entry_bytes += entry.size
        payload_bytes += len(entry.payload)
        first = first or entry
        last = entry
    outcome = walk.outcome()
    stats: dict[str, Any] = {
        "entries": sum(by_type.values()),
        "by_type": {kind.name.lower(): by_type[kind.name.lower()] for kind in EntryType},
        "entry_bytes": entry_bytes, "payload_bytes": payload_bytes,
        "segments": len(walk.scan.segments), "segment_bytes": walk.scan.total_bytes,
        "first_lsn": first.lsn if first else None, "last_lsn": last.lsn if last else None,
        "first_time": _time(first.timestamp_us) if first else None,
        "last_time": _time(last.timestamp_us) if last else None,
        "epoch": last.epoch if last else None,
        "tail": outcome,
    }
    if args.json:
        print(msgspec.json.encode(stats).decode())
    else:
        for key, value in stats.items():
            if key == "by_type":
                value = "  ".join(f"{kind} {count}" for kind, count in value.items())
            elif key == "tail":
                value = _outcome_line(value)
            print(f"{key:<14} {value}")
    return EXIT_CORRUPT if outcome["status"] == "corrupt" else EXIT_OK

