"""The rows of an executed statement, read into memory before the session sends them, within a bound.

The session holds a statement's whole result (it is sent after the statement has run, and after the
commit protocol for a write). A result larger than the limit (`server.max_result_bytes`, 1 GiB by
default) is refused with 54000 instead of growing the server until the operating system kills it,
and every session with it: `SELECT * FROM generate_series(1, 1e10)` from one client must not stop
the server. The size is estimated from the last row read, every `SIZE_CHECK_INTERVAL` rows.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from heliosdb_lite.engine.types.value_storage import Converter
from heliosdb_lite.errors import PROGRAM_LIMIT_EXCEEDED, DatabaseError

DEFAULT_RESULT_LIMIT_BYTES = 1 << 30
SIZE_CHECK_INTERVAL = 10_000


Row = tuple[Any, ...]


def buffered_rows(stored_rows: Iterable[Sequence[Any]], readers: Sequence[Converter],
                  limit_bytes: int) -> list[Row]:
    """Each stored row converted by its columns' readers, all in a list, refused past limit_bytes
    (no readers: rows of no columns, a SELECT with an empty select list)."""
    rows: list[Row] = []
    for stored in stored_rows:
        row = tuple(read(value) for read, value in zip(readers, stored, strict=True)) if readers else ()
        rows.append(row)
        count = len(rows)
        if count % SIZE_CHECK_INTERVAL == 0 and count * _row_bytes(rows[-1]) > limit_bytes:
            raise DatabaseError(
                PROGRAM_LIMIT_EXCEEDED,
                f"result too large: more than {limit_bytes >> 20} MB of rows",
                hint="The server holds a statement's whole result before sending it: add a LIMIT or "
                     "read the rows in pages.")
    return rows


def _row_bytes(row: Row) -> int:
    return sys.getsizeof(row) + sum(sys.getsizeof(value) for value in row)
