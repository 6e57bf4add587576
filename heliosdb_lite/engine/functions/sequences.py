"""The sequence functions of one session: nextval, currval, lastval and setval, and the calls that
CREATE/ALTER/DROP SEQUENCE (`ddl.sequences`) and INSERTs into a serial rowid key make
(`names.SEQUENCE_*`), over the store's sequence rows (`store.sequences`), the numbering of serial
rowid keys (`store.serial_sequences`), and what this session drew last (currval, lastval)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import apsw

from heliosdb_lite.engine.functions.names import (
    NEXTVAL,
    SEQUENCE_ASSIGNED,
    SEQUENCE_DEFINE,
    SEQUENCE_DROP,
    SEQUENCE_RENAME,
)
from heliosdb_lite.engine.store import schemas, serial_sequences
from heliosdb_lite.engine.store.sequences import SEQUENCE_OPTIONS_TABLE, Sequences, regclass_name, shown_name
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, OBJECT_NOT_IN_PREREQUISITE_STATE, DatabaseError


def serial_sequence(connection: apsw.Connection, sequence: str) -> bool:
    """Whether `sequence` (storage name) is a serial column's: a rowid key's, or one a default names."""
    return serial_sequences.rowid_table(connection, sequence) is not None \
        or serial_sequences.default_schema(connection, sequence, NEXTVAL) is not None


class SessionSequences:
    """The sequence functions registered on one session's connection (`registration`)."""

    def __init__(self, connection: apsw.Connection, search_path: Callable[[], tuple[str, ...]]) -> None:
        self._connection = connection
        self._search_path = search_path  # the session's, as it is when a function runs
        self._sequences = Sequences(connection)
        self._last_values: dict[str, int | None] = {}  # currval: the value nextval last returned here
        self._last_used: str | None = None  # lastval: the sequence nextval last drew from

    def functions(self) -> dict[str, Callable[..., Any]]:
        """The SQL functions, by name."""
        return {NEXTVAL: self.nextval, "currval": self.currval, "setval": self.setval,
                "lastval": self.lastval, SEQUENCE_ASSIGNED: self.assigned, SEQUENCE_DEFINE: self.define,
                SEQUENCE_RENAME: self.rename, SEQUENCE_DROP: self.drop}

    def nextval(self, qualified: str) -> int:
        name = self._stored(qualified)
        value = self._sequences.next_value(name)
        connection = self._connection
        if value is None and (rowid := serial_sequences.rowid_table(connection, name)) is not None:
            value = serial_sequences.rowid_sequence_value(connection, *rowid) + 1
            serial_sequences.set_rowid_sequence(connection, *rowid, value)
        elif value is None and (schema := serial_sequences.default_schema(connection, name, NEXTVAL)):
            value = 1  # a serial column's first value
            self._sequences.start_serial(name, value, temporary=schema == "temp")
        elif value is None:
            raise self._sequences.missing(name, qualified)
        self._drawn(name, value)
        return value

    def currval(self, qualified: str) -> int:
        name = self._stored(qualified)
        if not self._exists(name):
            raise self._sequences.missing(name, qualified)
        if name not in self._last_values:
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE, f'currval of sequence "{shown_name(name)}" '
                                "is not yet defined in this session")
        value = self._last_values[name]
        if value is None:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f'currval of sequence "{name}" after an INSERT ... '
                                "ON CONFLICT into its serial key is not supported")
        return value

    def lastval(self) -> int:
        last = self._last_used
        if last is None or last not in self._last_values or not self._exists(last):
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                "lastval is not yet defined in this session")
        return self.currval(last)

    def setval(self, qualified: str, value: int, is_called: int = 1) -> int:
        name = self._stored(qualified)
        rowid = serial_sequences.rowid_table(self._connection, name)
        if rowid is not None:
            drawn_last = value if is_called else value - self._increment(name)
            serial_sequences.set_rowid_sequence(self._connection, *rowid, drawn_last)
        elif not self._exists(name):
            raise self._sequences.missing(name, qualified)
        elif not self._sequences.set_value(name, value, bool(is_called)):  # a serial's before its first value
            schema = serial_sequences.default_schema(self._connection, name, NEXTVAL)
            self._sequences.start_serial(name, value, temporary=schema == "temp", is_called=bool(is_called))
        if is_called:
            self._last_values[name] = value
        return value

    def assigned(self, name: str, value: int | None) -> int | None:
        """A serial rowid key SQLite assigned (as nextval would have): currval answers it; None
        (after ON CONFLICT): currval cannot know what PostgreSQL's would answer."""
        return self._drawn(name, value)

    def define(self, name: str, given: str, mode: str) -> int:
        """CREATE SEQUENCE or ALTER SEQUENCE (`Sequences.define`): currval forgets a sequence of the
        name dropped before (not at DROP, which a rollback may undo)."""
        if self._sequences.define(name, given, mode):
            self._last_values.pop(name, None)
        return 1

    def rename(self, name: str, renamed: str) -> int:
        self._sequences.rename(name, renamed)
        if name in self._last_values:
            self._last_values[renamed] = self._last_values.pop(name)
        if self._last_used == name:
            self._last_used = renamed
        return 1

    def drop(self, name: str) -> int:
        """DROP SEQUENCE (the caller has checked that it exists)."""
        self._sequences.drop(name)
        return 1

    def _drawn(self, name: str, value: int | None) -> int | None:
        self._last_values[name] = value
        self._last_used = name
        return value

    def _increment(self, name: str) -> int:
        rows: list[tuple[int]] = list(self._connection.execute(
            f"SELECT increment FROM {SEQUENCE_OPTIONS_TABLE} WHERE name = ?", (name,)))
        return rows[0][0] if rows else 1

    def _exists(self, stored: str) -> bool:
        return serial_sequence(self._connection, stored) or self._sequences.exists(stored)

    def _stored(self, name: str) -> str:
        """The storage name of the sequence a function argument names: its schema's if qualified,
        else the first on the search path that has it."""
        schema, bare = regclass_name(name)
        return schemas.resolve(bare, schema, self._search_path(), self._exists)
