"""`heliosdb-lite restore`: rebuild a store from the journal alone (disaster and point-in-time recovery).

Reads the journal read-only (checksums verified, a torn tail ends the input, damage before it stops
the restore naming segment and offset) and applies commit and fence entries into a new, empty data
directory, up to an LSN or a time. The journal must hold every entry from LSN 1: a journal whose
early segments were released after checkpoints cannot rebuild a store on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from heliosdb_lite.engine.session import SQLiteEngine
from heliosdb_lite.errors import DATA_CORRUPTED, DUPLICATE_FILE, UNDEFINED_FILE, DatabaseError
from heliosdb_lite.journal import EntryView, JournalScan
from heliosdb_lite.journal.progress import Progress
from heliosdb_lite.replay import txn_table
from heliosdb_lite.replay.recovery import apply_entries


@dataclass(frozen=True, slots=True)
class RestoreReport:
    applied: int
    last_lsn: int
    seconds: float


def restore(journal_dir: Path, into: Path, *, to_lsn: int | None = None,
            to_time: dt.datetime | None = None, show_progress: bool = True) -> RestoreReport:
    if into.exists() and any(into.iterdir()):
        raise DatabaseError(DUPLICATE_FILE, f"restore target {into} is not empty",
                            hint="Restore into a new data directory, then point the server at it.")
    if not journal_dir.is_dir():
        raise DatabaseError(UNDEFINED_FILE, f"no journal directory at {journal_dir}")
    started = time.monotonic()
    scan = JournalScan(journal_dir)
    first_lsn = scan.segments[0].first_lsn if scan.segments else 1
    if first_lsn != 1:
        raise DatabaseError(DATA_CORRUPTED, f"the journal in {journal_dir} starts at LSN {first_lsn}: "
                                     "earlier entries were released after checkpoints, so it cannot rebuild "
                                     "a store alone")
    engine = SQLiteEngine(into)
    progress = Progress("restore", scan.total_bytes) if show_progress else None
    limit_us = None if to_time is None else int(to_time.timestamp() * 1_000_000)

    def entries() -> Iterator[EntryView]:
        for entry in scan:
            if limit_us is not None and entry.timestamp_us > limit_us:
                return
            if progress is not None:
                progress.update(scan.bytes_scanned)
            yield entry

    connection = engine.maintenance_connection()
    try:
        connection.execute("PRAGMA foreign_keys=OFF")
        txn_table.ensure(connection)
        applied = apply_entries(connection, entries(), to_lsn=to_lsn)
        last_lsn = txn_table.last_lsn(connection)
    finally:
        connection.close()
        engine.close()
    if progress is not None:
        progress.finish()
    return RestoreReport(applied, last_lsn, time.monotonic() - started)


def _parse_time(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _run(args: argparse.Namespace) -> int:
    try:
        report = restore(args.journal, args.into, to_lsn=args.to_lsn, to_time=args.to_time)
    except DatabaseError as error:
        print(f"heliosdb-lite restore: {error.message}", file=sys.stderr)
        return 1
    rate = report.applied / report.seconds if report.seconds else 0.0
    print(f"restored {report.applied} entries up to LSN {report.last_lsn} into {args.into} "
          f"in {report.seconds:.3f} s ({rate:.0f} entries/s)")
    return 0


def add_restore_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("restore", help="rebuild a store from the journal alone")
    parser.add_argument("--journal", type=Path, default=None, metavar="DIR",
                        help="journal directory (default: the journal of --config, else ./data/journal)")
    parser.add_argument("--into", type=Path, required=True, metavar="NEW_DATA_DIR",
                        help="new, empty data directory to create the store in")
    bound = parser.add_mutually_exclusive_group()
    bound.add_argument("--to-lsn", type=int, metavar="N", help="stop after LSN N")
    bound.add_argument("--to-time", type=_parse_time, metavar="T",
                       help="stop before the first entry after T (ISO 8601; UTC unless an offset is given)")
    parser.set_defaults(func=_run)
