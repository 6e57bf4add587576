"""SQL cursors of one session: DECLARE, FETCH, MOVE and CLOSE, as PostgreSQL's forward-only ones.

A cursor's query runs at DECLARE and its rows are kept (bounded as any result by
`server.max_result_bytes`); FETCH and MOVE walk them forward (NEXT, n, ALL, FORWARD n | ALL; a
backward or absolute move is refused with 0A000). Cursors end with their transaction, except WITH
HOLD ones once it commits; ROLLBACK, and ROLLBACK TO SAVEPOINT for those declared after the
savepoint, close them, as in PostgreSQL. The server also describes a cursor as a portal of its
name (psycopg's server-side cursors ask for that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heliosdb_lite.engine.interface import Column
from heliosdb_lite.errors import (
    DUPLICATE_CURSOR,
    INVALID_CURSOR_NAME,
    NO_ACTIVE_SQL_TRANSACTION,
    DatabaseError,
)


@dataclass(slots=True)
class OpenCursor:
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    hold: bool
    depth: int | None  # the savepoints open when it was declared; None once its transaction committed
    position: int = field(default=0)


class Cursors:
    """The session's open cursors by name."""

    def __init__(self) -> None:
        self._open: dict[str, OpenCursor] = {}
        self._savepoints = 0
        self._in_block = False

    def check_new(self, name: str, *, hold: bool) -> None:
        """What DECLARE checks before it runs its query: 25P01 outside a block without HOLD, 42P03."""
        if not hold and not self._in_block:
            raise DatabaseError(NO_ACTIVE_SQL_TRANSACTION,
                                "DECLARE CURSOR can only be used in transaction blocks")
        if name in self._open:
            raise DatabaseError(DUPLICATE_CURSOR, f'cursor "{name}" already exists')

    def declare(self, name: str, columns: tuple[Column, ...], rows: list[tuple[Any, ...]], *,
                hold: bool) -> None:
        self.check_new(name, hold=hold)
        self._open[name] = OpenCursor(columns, rows, hold, self._savepoints if self._in_block else None)

    def get(self, name: str) -> OpenCursor:
        cursor = self._open.get(name)
        if cursor is None:
            raise DatabaseError(INVALID_CURSOR_NAME, f'cursor "{name}" does not exist')
        return cursor

    def columns(self, name: str) -> tuple[Column, ...] | None:
        """The columns of an open cursor, None if there is none of that name (a portal's description)."""
        cursor = self._open.get(name)
        return None if cursor is None else cursor.columns

    def fetch(self, name: str, count: int | None) -> list[tuple[Any, ...]]:
        """The next `count` rows (None: all the rest), the cursor moved past them."""
        cursor = self.get(name)
        end = len(cursor.rows) if count is None else min(len(cursor.rows), cursor.position + count)
        rows = cursor.rows[cursor.position:end]
        cursor.position = max(cursor.position, end)
        return rows

    def close(self, name: str | None) -> None:
        """CLOSE name; None: CLOSE ALL."""
        if name is None:
            self._open.clear()
        elif self._open.pop(name, None) is None:
            raise DatabaseError(INVALID_CURSOR_NAME, f'cursor "{name}" does not exist')

    # --- the transaction ---------------------------------------------------------------------------------

    def begin(self) -> None:
        self._in_block = True

    def commit(self) -> None:
        for name, cursor in list(self._open.items()):
            if cursor.hold:
                cursor.depth = None
            else:
                del self._open[name]
        self._end()

    def rollback(self) -> None:
        self._close_declared_since(0)
        self._end()

    def _end(self) -> None:
        self._savepoints = 0
        self._in_block = False

    def savepoint(self) -> None:
        self._savepoints += 1

    def release(self, depth: int) -> None:
        """RELEASE: the savepoints from `depth` on are gone; their cursors stay, as the transaction's."""
        for cursor in self._open.values():
            if cursor.depth is not None and cursor.depth > depth:
                cursor.depth = depth
        self._savepoints = depth

    def rollback_to(self, depth: int) -> None:
        """ROLLBACK TO the savepoint at `depth` (0: the outermost): its cursors and later ones close."""
        self._close_declared_since(depth + 1)
        self._savepoints = depth + 1

    def _close_declared_since(self, depth: int) -> None:
        for name, cursor in list(self._open.items()):
            if cursor.depth is not None and cursor.depth >= depth:
                del self._open[name]
