"""One psycopg 3 connection of remote mode: connecting (multi-host DSNs, the writable server, a
resumed session id), sending one statement, and what its answer was.

`Link.open` connects with libpq's `target_session_attrs=read-write`, so among several hosts the
writable one is chosen, and with `options=-c heliosdb.session_id=...` when a session is resumed
(its GTID sequence continues, docs/replay.md). `send` returns the statement's `Result` with the
XXH3-128 digest (`transparent_replay.checksum`) of the answer as the server sent it (the row
description, every row's raw text, the command tag; or the error's SQLSTATE and message), which a
replay must reproduce. A lost connection (EOF, reset, FATAL 57P01-57P03, class 08) is
`ConnectionLost`; any other error is `StatementFailed`, carrying its digest too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import conninfo

from heliosdb_lite.api.errors import DatabaseError, from_psycopg
from heliosdb_lite.api.result import Result
from heliosdb_lite.engine.interface import Column
from heliosdb_lite.errors import (
    ADMIN_SHUTDOWN,
    CANNOT_CONNECT_NOW,
    CRASH_SHUTDOWN,
    INTERNAL_ERROR,
    is_connection_exception,
)
from heliosdb_lite.errors import DatabaseError as ServerError
from heliosdb_lite.protocol import messages
from heliosdb_lite.transparent_replay.checksum import ResponseChecksum
from heliosdb_lite.transparent_replay.gtid import (
    SESSION_ID_PARAMETER,
    TRANSACTION_TIMESTAMP_PARAMETER,
    TXN_SEQ_PARAMETER,
    gtid_of,
    resume_option,
)
from heliosdb_lite.transparent_replay.outcome import TxnOutcome, outcome_from_row
from heliosdb_lite.transparent_replay.statements import STANDARD_CONFORMING_STRINGS

CONNECTION_ENDED = (ADMIN_SHUTDOWN, CRASH_SHUTDOWN, CANNOT_CONNECT_NOW)
DEFAULT_CONNECT_TIMEOUT = 5


class ConnectionLost(Exception):
    """The server connection is gone; what was in flight has an unknown fate."""


class StatementFailed(Exception):
    """The server answered the statement with an error (the connection is fine)."""

    def __init__(self, error: DatabaseError, digest: bytes) -> None:
        super().__init__(str(error))
        self.error = error
        self.digest = digest


@dataclass(frozen=True, slots=True)
class Sent:
    """A statement's answer: the result and the digest of what the server sent."""

    result: Result
    digest: bytes


class Link:
    """A live connection to a writable server."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection

    @classmethod
    def open(cls, dsn: str, options: dict[str, Any], session_id: str | None) -> Link:
        """Connect to the first writable server of `dsn`, resuming `session_id` if given."""
        settings = {"connect_timeout": DEFAULT_CONNECT_TIMEOUT, **options, "autocommit": True,
                    "prepare_threshold": None, "target_session_attrs": "read-write"}
        if session_id is not None:
            given = settings.get("options") or conninfo.conninfo_to_dict(dsn).get("options") or ""
            settings["options"] = f"{given} {resume_option(session_id)}".strip()
        try:
            return cls(psycopg.connect(dsn, **settings))
        except psycopg.OperationalError as error:
            raise ConnectionLost(str(error).strip()) from error

    @property
    def session_id(self) -> str:
        return self._parameter(SESSION_ID_PARAMETER)

    def next_gtid(self) -> str:
        """The GTID the session's next write transaction commits under (known before COMMIT)."""
        return gtid_of(self.session_id, int(self._parameter(TXN_SEQ_PARAMETER)))

    def send(self, sql: str, params: Sequence[Any] | None) -> Sent:
        """Run one statement (`$n` placeholders when `params` is not None)."""
        cursor = psycopg.RawCursor(self._connection)
        try:
            cursor.execute(sql, params)
        except psycopg.Error as error:
            if self.broken or error.sqlstate in CONNECTION_ENDED or is_connection_exception(error.sqlstate):
                raise ConnectionLost(str(error).strip()) from error
            failure = from_psycopg(error)
            assert isinstance(failure, DatabaseError)
            raise StatementFailed(failure, _error_digest(failure)) from error
        return _sent(cursor)

    def outcome(self, gtid: str) -> TxnOutcome:
        """The GTID's outcome (`heliosdb_txn_outcome`): committed, or not committed and now fenced."""
        row = self.send(f"SELECT status, lsn FROM heliosdb_txn_outcome('{gtid}')", None).result.rows[0]
        return outcome_from_row(gtid, row[0], row[1], None)

    def transaction_timestamp(self) -> str | None:
        """The transaction timestamp the server last reported (ISO 8601; None when it reports none)."""
        reported = self._connection.info.parameter_status(TRANSACTION_TIMESTAMP_PARAMETER)
        try:
            return dt.datetime.fromisoformat(reported).isoformat() if reported else None
        except ValueError:
            return None

    @property
    def broken(self) -> bool:
        return self._connection.broken or self._connection.closed

    def close(self) -> None:
        self._connection.close()

    @property
    def backslash_quotes(self) -> bool:
        return self._connection.info.parameter_status(STANDARD_CONFORMING_STRINGS) == "off"

    def _parameter(self, name: str) -> str:
        value = self._connection.info.parameter_status(name)
        if value is None:
            raise ConnectionLost(f"the server did not report {name}: is it HeliosDB-Lite?")
        return value


def _sent(cursor: psycopg.RawCursor[Any]) -> Sent:
    """The cursor's result and the digest of its row description, rows and command tag."""
    answer = cursor.pgresult
    assert answer is not None
    checksum = ResponseChecksum()
    tag = (answer.command_status or b"").decode()
    if cursor.description is None:
        columns = None
        rows: list[tuple[Any, ...]] = []
    else:
        fields = [messages.FieldDescription((answer.fname(i) or b"").decode(), answer.ftype(i),
                                            answer.fsize(i), answer.fmod(i), answer.ftable(i),
                                            answer.ftablecol(i))
                  for i in range(answer.nfields)]
        checksum.update(messages.row_description(fields, [answer.fformat(i) for i in range(answer.nfields)]))
        for row in range(answer.ntuples):
            values = [answer.get_value(row, column) for column in range(answer.nfields)]
            checksum.update(messages.data_row(values))
        columns = tuple(Column(field.name, field.type_oid, field.type_modifier) for field in fields)
        rows = cursor.fetchall()
    checksum.update(messages.command_complete(tag))
    return Sent(Result(columns, tag, rows), checksum.digest())


def _error_digest(error: DatabaseError) -> bytes:
    checksum = ResponseChecksum()
    checksum.update(messages.error_response(ServerError(error.sqlstate or INTERNAL_ERROR, error.pgerror)))
    return checksum.digest()
