"""The one error type every layer raises toward a client: a PostgreSQL SQLSTATE and its fields.

Owned here so protocol, engine and journal share it without depending on each other. The
protocol layer turns a `DatabaseError` into an ErrorResponse (fields S, V, C, M, D, H, P).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False)
class DatabaseError(Exception):
    """An error with a SQLSTATE, reported to the client as ErrorResponse.

    severity is ERROR (statement fails), FATAL (the session ends) or PANIC (never used).
    position is the 1-based character offset in the statement, when known.
    """

    sqlstate: str
    message: str
    detail: str | None = None
    hint: str | None = None
    position: int | None = None
    severity: str = "ERROR"

    def __post_init__(self) -> None:
        assert len(self.sqlstate) == 5, self.sqlstate
        super().__init__(f"{self.sqlstate}: {self.message}")


def fatal(sqlstate: str, message: str, detail: str | None = None) -> DatabaseError:
    """A FATAL error: the server sends it and then closes the session."""
    return DatabaseError(sqlstate, message, detail=detail, severity="FATAL")


def in_failed_transaction() -> DatabaseError:
    """25P02: a statement other than COMMIT or ROLLBACK in a failed transaction block."""
    return DatabaseError(IN_FAILED_SQL_TRANSACTION,
                         "current transaction is aborted, commands ignored until end of transaction block")


PROTOCOL_VIOLATION = "08P01"
UNABLE_TO_CONNECT = "08001"
FEATURE_NOT_SUPPORTED = "0A000"
SYNTAX_ERROR = "42601"
UNDEFINED_TABLE = "42P01"
UNDEFINED_COLUMN = "42703"
UNDEFINED_FUNCTION = "42883"
UNDEFINED_OBJECT = "42704"
DUPLICATE_TABLE = "42P07"
DUPLICATE_COLUMN = "42701"
GROUPING_ERROR = "42803"
DUPLICATE_SCHEMA = "42P06"
INVALID_SCHEMA_NAME = "3F000"
DEPENDENT_OBJECTS_STILL_EXIST = "2BP01"
INVALID_NAME = "42602"
INVALID_TEXT_REPRESENTATION = "22P02"
NUMERIC_VALUE_OUT_OF_RANGE = "22003"
DIVISION_BY_ZERO = "22012"
STRING_DATA_RIGHT_TRUNCATION = "22001"
INVALID_DATETIME_FORMAT = "22007"
DATETIME_FIELD_OVERFLOW = "22008"
NOT_NULL_VIOLATION = "23502"
FOREIGN_KEY_VIOLATION = "23503"
UNIQUE_VIOLATION = "23505"
CHECK_VIOLATION = "23514"
IN_FAILED_SQL_TRANSACTION = "25P02"
ACTIVE_SQL_TRANSACTION = "25001"
NO_ACTIVE_SQL_TRANSACTION = "25P01"
READ_ONLY_SQL_TRANSACTION = "25006"
INVALID_SQL_STATEMENT_NAME = "26000"
INVALID_CURSOR_NAME = "34000"
DUPLICATE_PREPARED_STATEMENT = "42P05"
DUPLICATE_CURSOR = "42P03"
UNDEFINED_PARAMETER = "42P02"
INVALID_PARAMETER_VALUE = "22023"
UNDEFINED_SETTING = "42704"
QUERY_CANCELED = "57014"
ADMIN_SHUTDOWN = "57P01"
TOO_MANY_CONNECTIONS = "53300"
INVALID_PASSWORD = "28P01"
INVALID_AUTHORIZATION = "28000"
INVALID_CATALOG_NAME = "3D000"
SERIALIZATION_FAILURE = "40001"
LOCK_NOT_AVAILABLE = "55P03"
IDLE_IN_TRANSACTION_TIMEOUT = "25P03"
INTERNAL_ERROR = "XX000"
DATA_CORRUPTED = "XX001"
CONFIGURATION_ERROR = "F0000"
CHARACTER_NOT_IN_REPERTOIRE = "22021"
BAD_COPY_FILE_FORMAT = "22P04"
UNDEFINED_FILE = "58P01"
DUPLICATE_FILE = "58P02"
TRANSACTION_FENCED = "40P02"  # ours: the GTID was fenced by an outcome lookup and can never commit
# ours (class HZ, HeliosDB): transparent replay could not hide a lost connection (transparent_replay.failure)
TRANSACTION_REPLAY_FAILED = "HZ001"
OBJECT_IN_USE = "55006"
INVALID_BINARY_REPRESENTATION = "22P03"
UNTRANSLATABLE_CHARACTER = "22P05"
NAME_TOO_LONG = "42622"
STATEMENT_TOO_COMPLEX = "54001"
OUT_OF_MEMORY = "53200"
PROGRAM_LIMIT_EXCEEDED = "54000"
INTERVAL_FIELD_OVERFLOW = "22015"
INVALID_TIME_ZONE_DISPLACEMENT = "22009"
DATATYPE_MISMATCH = "42804"
ARRAY_SUBSCRIPT_ERROR = "2202E"
AMBIGUOUS_FUNCTION = "42725"
AMBIGUOUS_COLUMN = "42702"
INVALID_SAVEPOINT = "3B001"
GENERATED_ALWAYS = "428C9"
WRONG_OBJECT_TYPE = "42809"
INVALID_TABLE_DEFINITION = "42P16"
RESERVED_NAME = "42939"
OBJECT_NOT_IN_PREREQUISITE_STATE = "55000"
INVALID_COLUMN_REFERENCE = "42P10"
INVALID_FOREIGN_KEY = "42830"
SEQUENCE_GENERATOR_LIMIT_EXCEEDED = "2200H"
CANT_CHANGE_RUNTIME_PARAM = "55P02"
DATA_EXCEPTION = "22000"
NULL_VALUE_NOT_ALLOWED = "22004"
INDETERMINATE_DATATYPE = "42P18"
DUPLICATE_COLUMN = "42701"
DUPLICATE_ALIAS = "42712"
GROUPING_ERROR = "42803"
WINDOWING_ERROR = "42P20"
INVALID_ROW_COUNT_IN_LIMIT_CLAUSE = "2201W"
INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE = "2201X"
