"""The API's exceptions: PEP 249's hierarchy, chosen by SQLSTATE class as psycopg chooses, the same
in embedded and remote mode.

Every error from the database carries `sqlstate`, `pgerror` (the primary message), `detail` and
`hint`. The engine's `heliosdb_lite.errors.DatabaseError` (embedded) and psycopg's errors
(remote) are both turned into these by `from_engine` and `from_psycopg`, so application code
catches one set of classes whichever mode it runs in.
"""

from __future__ import annotations

from typing import Any

from heliosdb_lite import errors as engine_errors


class Warning(Exception):
    """Important warnings (PEP 249); not raised by this API."""


class Error(Exception):
    """The base of every error this API raises (PEP 249)."""

    def __init__(self, message: str, *, sqlstate: str | None = None, detail: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.pgerror = message
        self.sqlstate = sqlstate
        self.detail = detail
        self.hint = hint


class InterfaceError(Error):
    """A misuse of the API itself (a closed connection, a fetch with no result)."""


class DatabaseError(Error):
    """An error reported by the database."""


class DataError(DatabaseError):
    """Bad data: a value out of range, a division by zero, an invalid input syntax (22xxx)."""


class OperationalError(DatabaseError):
    """An error in the database's operation: connection, locks, shutdown, resources."""


class IntegrityError(DatabaseError):
    """A constraint was violated (23xxx)."""


class InternalError(DatabaseError):
    """The database's internal state is inconsistent (XX000, an aborted transaction)."""


class ProgrammingError(DatabaseError):
    """A wrong statement: syntax, unknown table or column, wrong number of parameters."""


class NotSupportedError(DatabaseError):
    """Something the database does not support (0A000)."""


class TransactionRollbackError(OperationalError):
    """The transaction was rolled back: serialization failure, deadlock, fenced GTID (40xxx)."""


class ReplayError(OperationalError):
    """Transparent replay could not hide a lost connection (the SQLSTATE of docs/replay-proxy.md):
    the replayed results differed, a result could not be reproduced, or the attempts or the
    deadline ran out. Nothing was applied twice; roll back and carry on."""


_BY_CLASS: dict[str, type[DatabaseError]] = {
    "08": OperationalError, "0A": NotSupportedError, "20": ProgrammingError, "21": ProgrammingError,
    "22": DataError, "23": IntegrityError, "24": InternalError, "25": InternalError, "26": InternalError,
    "27": OperationalError, "28": OperationalError, "2B": InternalError, "2D": InternalError,
    "2F": OperationalError, "34": OperationalError, "38": OperationalError, "39": OperationalError,
    "3B": OperationalError, "3D": ProgrammingError, "3F": ProgrammingError,
    "40": TransactionRollbackError, "42": ProgrammingError, "44": ProgrammingError,
    "53": OperationalError, "54": OperationalError, "55": OperationalError, "57": OperationalError,
    "58": OperationalError, "F0": OperationalError, "HV": OperationalError, "P0": ProgrammingError,
    "XX": InternalError, "HZ": ReplayError,
}


def error_for(sqlstate: str, message: str, *, detail: str | None = None,
              hint: str | None = None) -> DatabaseError:
    """The exception for an error the database reported with `sqlstate`."""
    cls = _BY_CLASS.get(sqlstate[:2], DatabaseError)
    return cls(message, sqlstate=sqlstate, detail=detail, hint=hint)


def from_engine(error: engine_errors.DatabaseError) -> DatabaseError:
    """An embedded engine's error as the API's exception."""
    return error_for(error.sqlstate, error.message, detail=error.detail, hint=error.hint)


def from_psycopg(error: Any) -> Error:
    """A psycopg error as the API's exception (one without SQLSTATE: the connection failed)."""
    diag = error.diag
    if error.sqlstate is None:
        return OperationalError(str(error).strip() or type(error).__name__)
    return error_for(error.sqlstate, diag.message_primary or str(error), detail=diag.message_detail,
                     hint=diag.message_hint)
