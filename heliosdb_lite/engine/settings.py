"""Per-session configuration parameters (GUCs): PostgreSQL 15 defaults, SET/SHOW/RESET semantics.

Names are case-insensitive and shown in PostgreSQL's spelling (`TimeZone`, `DateStyle`). A value
set in a transaction that rolls back is restored; SET LOCAL lasts until the transaction ends.
Names with a dot (`heliosdb.gtid`, `myapp.x`) are custom placeholders any client may set.
Parameters marked `report` are the GUC_REPORT ones a server sends as ParameterStatus.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from heliosdb_lite.engine.date_style_setting import DEFAULT_DATE_STYLE, date_style
from heliosdb_lite.engine.setting_values import BLOCKS, KILOBYTES, Normalizer, enumeration, integer, real
from heliosdb_lite.errors import (
    CANT_CHANGE_RUNTIME_PARAM,
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER_VALUE,
    UNDEFINED_OBJECT,
    DatabaseError,
)
from heliosdb_lite.protocol.client_encodings import client_encoding_setting
from heliosdb_lite.protocol.codecs.styles import INTERVAL_STYLES
from heliosdb_lite.protocol.codecs.time_zones import (
    FIXED_OFFSET_LIMIT_SECONDS,
    hours_zone_name,
    named_or_nameless_posix_offset,
    setting_hours,
)

SERVER_VERSION = "15.18"
_TRANSACTION_MODES = frozenset({"transaction_isolation", "transaction_read_only", "transaction_deferrable"})
SERVER_VERSION_NUM = "150018"



def _invalid(name: str, value: str, hint: str | None = None, detail: str | None = None) -> DatabaseError:
    return DatabaseError(INVALID_PARAMETER_VALUE, f'invalid value for parameter "{name}": "{value}"',
                         detail=detail, hint=hint)


def _boolean(name: str, value: str) -> str:
    lowered = value.strip().lower()
    if lowered in ("on", "true", "yes", "1", "t", "y"):
        return "on"
    if lowered in ("off", "false", "no", "0", "f", "n"):
        return "off"
    raise DatabaseError(INVALID_PARAMETER_VALUE, f'parameter "{name}" requires a Boolean value')


def _only(*accepted: str) -> Normalizer:
    def normalize(name: str, value: str) -> str:
        for option in accepted:
            if value.strip().lower() == option.lower():
                return option
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f'{name} "{value}" is not supported',
                            hint=f"Supported: {', '.join(accepted)}.")
    return normalize




@cache
def _zone_names() -> dict[str, str]:
    return {zone.lower(): zone for zone in zoneinfo.available_timezones()}


def _time_zone(name: str, value: str) -> str:
    """A zone name; a number of hours east (`-5`: `<-05>+05`); or a fixed offset as POSIX writes
    it, kept as given. An offset of a day or more is refused (22023), as PostgreSQL refuses one of
    a week or more: Python's tzinfo cannot hold it."""
    hours = setting_hours(value)
    stripped = hours_zone_name(hours) if hours is not None else value.strip().strip("'")
    if stripped.lower() == "utc":
        return "UTC"
    zone = _zone_names().get(stripped.lower())
    if zone is not None:
        return zone
    offset = named_or_nameless_posix_offset(stripped)
    if offset is None:
        raise _invalid(name, value)
    if abs(offset) >= FIXED_OFFSET_LIMIT_SECONDS:
        raise _invalid(name, value, detail="UTC timezone offset is out of range.")
    return stripped


_ISOLATION_LEVELS = ("read uncommitted", "read committed", "repeatable read", "serializable")


def _isolation(name: str, value: str) -> str:
    lowered = " ".join(value.strip().lower().replace("_", " ").split())
    if lowered not in _ISOLATION_LEVELS:
        raise _invalid(name, value)
    return lowered


def _integer(low: int, high: int) -> Normalizer:
    def normalize(name: str, value: str) -> str:
        try:
            number = int(value.strip())
        except ValueError:
            raise DatabaseError(INVALID_PARAMETER_VALUE,
                                f'invalid value for parameter "{name}": "{value}"') from None
        if not low <= number <= high:
            message = f'{number} is outside the valid range for parameter "{name}" ({low} .. {high})'
            raise DatabaseError(INVALID_PARAMETER_VALUE, message)
        return str(number)
    return normalize


_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_MS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


def _duration(name: str, value: str) -> str:
    match = _DURATION.match(value)
    if not match:
        raise _invalid(name, value, hint='Valid units for this parameter are "ms", "s", "min", "h", and "d".')
    milliseconds = int(match.group(1)) * _UNIT_MS[(match.group(2) or "ms").lower()]
    return format_duration(milliseconds)


def format_duration(milliseconds: int) -> str:
    """A duration as SHOW displays it: the largest unit that divides it exactly."""
    if milliseconds == 0:
        return "0"
    for unit in ("d", "h", "min", "s"):
        if milliseconds % _UNIT_MS[unit] == 0:
            return f"{milliseconds // _UNIT_MS[unit]}{unit}"
    return f"{milliseconds}ms"


@lru_cache(maxsize=256)
def duration_ms(shown: str) -> int:
    """Milliseconds of a duration parameter's value."""
    match = _DURATION.match(shown)
    assert match is not None, shown
    return int(match.group(1)) * _UNIT_MS[(match.group(2) or "ms").lower()]


def _any(_: str, value: str) -> str:
    return value


# The primary a hot standby follows ("" elsewhere), named in the 25006 of a write on a standby.
PRIMARY_HOST_SETTING = "heliosdb.primary_host"


Updater = Callable[[str, str], str]  # (raw value, current value) -> stored value


@dataclass(frozen=True, slots=True)
class Parameter:
    """One known configuration parameter; `update`, when given, replaces `normalize` for a setting
    whose new value depends on the current one (DateStyle: `SET DateStyle = DMY` keeps the format)."""

    name: str
    default: str
    description: str
    normalize: Normalizer = _any
    report: bool = False
    read_only: bool = False
    update: Updater | None = None


_NO_EFFECT = " Accepted for compatibility; it has no effect on HeliosDB-Lite."
_ON_OFF_ALIASES = {"true": "on", "yes": "on", "1": "on", "false": "off", "no": "off", "0": "off"}
_INT_MAX = 2**31 - 1
_DOUBLE_MAX = 1.7976931348623157e308


def _tuning(name: str, default: str, description: str, normalize: Normalizer) -> Parameter:
    """A planner or resource setting of PostgreSQL's that clients and tools send: its default,
    units and validation, and nothing else (SQLite plans and allocates on its own)."""
    return Parameter(name, default, description + _NO_EFFECT, normalize)


_PLANNER_PARAMETERS = (
    _tuning("work_mem", "4MB", "Sets the maximum memory to be used for query workspaces.",
            integer(64, _INT_MAX, KILOBYTES)),
    _tuning("maintenance_work_mem", "64MB", "Sets the maximum memory to be used for maintenance operations.",
            integer(1024, _INT_MAX, KILOBYTES)),
    _tuning("hash_mem_multiplier", "2", "Multiple of work_mem to use for hash tables.", real(1, 1000)),
    _tuning("temp_buffers", "8MB", "Sets the maximum number of temporary buffers used by each session.",
            integer(100, _INT_MAX // 2, BLOCKS)),
    _tuning("temp_file_limit", "-1", "Limits the total size of all temporary files used by each process.",
            integer(-1, _INT_MAX, KILOBYTES)),
    _tuning("effective_cache_size", "4GB", "Sets the planner's assumption about the total size of the data "
            "caches.", integer(1, _INT_MAX, BLOCKS)),
    _tuning("random_page_cost", "4", "Sets the planner's estimate of the cost of a nonsequentially fetched "
            "disk page.", real(0, _DOUBLE_MAX)),
    _tuning("seq_page_cost", "1", "Sets the planner's estimate of the cost of a sequentially fetched disk "
            "page.", real(0, _DOUBLE_MAX)),
    _tuning("cpu_tuple_cost", "0.01", "Sets the planner's estimate of the cost of processing each tuple "
            "(row).", real(0, _DOUBLE_MAX)),
    _tuning("cpu_index_tuple_cost", "0.005", "Sets the planner's estimate of the cost of processing each "
            "index entry during an index scan.", real(0, _DOUBLE_MAX)),
    _tuning("cpu_operator_cost", "0.0025", "Sets the planner's estimate of the cost of processing each "
            "operator or function call.", real(0, _DOUBLE_MAX)),
    _tuning("parallel_tuple_cost", "0.1", "Sets the planner's estimate of the cost of passing each tuple "
            "(row) from worker to leader backend.", real(0, _DOUBLE_MAX)),
    _tuning("parallel_setup_cost", "1000", "Sets the planner's estimate of the cost of starting up worker "
            "processes for parallel query.", real(0, _DOUBLE_MAX)),
    _tuning("effective_io_concurrency", "1", "Number of simultaneous requests that can be handled "
            "efficiently by the disk subsystem.", integer(0, 1000)),
    _tuning("maintenance_io_concurrency", "10", "A variant of effective_io_concurrency that is used for "
            "maintenance work.", integer(0, 1000)),
    _tuning("max_parallel_workers_per_gather", "2", "Sets the maximum number of parallel processes per "
            "executor node.", integer(0, 1024)),
    _tuning("max_parallel_workers", "8", "Sets the maximum number of parallel workers that can be active at "
            "one time.", integer(0, 1024)),
    _tuning("max_parallel_maintenance_workers", "2", "Sets the maximum number of parallel processes per "
            "maintenance operation.", integer(0, 1024)),
    _tuning("default_statistics_target", "100", "Sets the default statistics target.", integer(1, 10000)),
    _tuning("from_collapse_limit", "8", "Sets the FROM-list size beyond which subqueries are not collapsed.",
            integer(1, _INT_MAX)),
    _tuning("join_collapse_limit", "8", "Sets the FROM-list size beyond which JOIN constructs are not "
            "flattened.", integer(1, _INT_MAX)),
    _tuning("geqo", "on", "Enables genetic query optimization.", _boolean),
    _tuning("geqo_threshold", "12", "Sets the threshold of FROM items beyond which GEQO is used.",
            integer(2, _INT_MAX)),
    *(_tuning(f"enable_{plan}", "on", f"Enables the planner's use of {what}.", _boolean) for plan, what in (
        ("seqscan", "sequential-scan plans"), ("indexscan", "index-scan plans"),
        ("indexonlyscan", "index-only-scan plans"), ("bitmapscan", "bitmap-scan plans"),
        ("tidscan", "TID scan plans"), ("sort", "explicit sort steps"),
        ("incremental_sort", "incremental sort steps"), ("hashagg", "hashed aggregation plans"),
        ("material", "materialization"), ("memoize", "memoization"), ("nestloop", "nested-loop join plans"),
        ("mergejoin", "merge join plans"), ("hashjoin", "hash join plans"),
        ("gathermerge", "gather merge plans"), ("parallel_append", "parallel append plans"),
        ("parallel_hash", "parallel hash plans"))),
    *(_tuning(f"enable_partitionwise_{kind}", "off", f"Enables partitionwise {kind}.", _boolean)
      for kind in ("join", "aggregate")),
)


PARAMETERS: dict[str, Parameter] = {p.name.lower(): p for p in (
    Parameter("application_name", "", "Sets the application name to be reported in statistics and logs.",
              report=True),
    Parameter("client_encoding", "UTF8", "Sets the client's character set encoding.", client_encoding_setting,
              report=True),
    Parameter("DateStyle", DEFAULT_DATE_STYLE, "Sets the display format for date and time values.",
              report=True, update=date_style),
    Parameter("IntervalStyle", "postgres", "Sets the display format for interval values.",
              enumeration(*INTERVAL_STYLES), report=True),
    Parameter("TimeZone", "Etc/UTC", "Sets the time zone for displaying and interpreting time stamps.",
              _time_zone, report=True),
    Parameter("standard_conforming_strings", "on", "Causes '...' strings to treat backslashes literally.",
              _boolean, report=True),
    Parameter("escape_string_warning", "on", "Warn about backslash escapes in ordinary string literals.",
              _boolean),
    Parameter("integer_datetimes", "on", "Shows whether datetimes are integer based.", report=True,
              read_only=True),
    Parameter("server_version", SERVER_VERSION, "Shows the server version.", report=True, read_only=True),
    Parameter("server_version_num", SERVER_VERSION_NUM, "Shows the server version as an integer.",
              read_only=True),
    Parameter("server_encoding", "UTF8", "Shows the server (database) character set encoding.", report=True,
              read_only=True),
    Parameter("is_superuser", "on", "Shows whether the current user is a superuser.", report=True,
              read_only=True),
    Parameter("session_authorization", "", "Sets the session user name.", report=True, read_only=True),
    Parameter("password_encryption", "scram-sha-256", "Chooses the algorithm for encrypting passwords.",
              enumeration("md5", "scram-sha-256")),
    Parameter("default_transaction_read_only", "off",
              "Sets the default read-only status of new transactions.", _boolean, report=True),
    Parameter("transaction_read_only", "off", "Sets the current transaction's read-only status.", _boolean),
    # accepted without effect: a read-only SERIALIZABLE transaction here never waits nor fails to serialize
    Parameter("default_transaction_deferrable", "off",
              "Sets the default deferrable status of new transactions.", _boolean),
    Parameter("transaction_deferrable", "off", "Whether to defer a read-only serializable transaction until "
              "it can be executed with no possible serialization failures.", _boolean),
    Parameter("in_hot_standby", "off", "Shows whether hot standby is currently active.", report=True,
              read_only=True),
    Parameter("default_transaction_isolation", "read committed",
              "Sets the transaction isolation level of each new transaction.", _isolation),
    Parameter("transaction_isolation", "read committed", "Sets the current transaction's isolation level.",
              _isolation),
    Parameter("search_path", '"$user", public', "Sets the schema search order for names that are not "
              "schema-qualified."),
    Parameter("extra_float_digits", "1", "Sets the number of digits displayed for floating-point values.",
              _integer(-15, 3)),
    Parameter("statement_timeout", "0", "Sets the maximum allowed duration of any statement.", _duration),
    Parameter("lock_timeout", "0", "Sets the maximum allowed duration of any wait for a lock.", _duration),
    Parameter("idle_in_transaction_session_timeout", "0",
              "Sets the maximum allowed idle time between queries, when in a transaction.", _duration),
    Parameter("jit", "on", "Allow JIT compilation." + _NO_EFFECT, _boolean),
    Parameter("default_table_access_method", "heap", "Sets the default table access method for new tables.",
              _only("heap")),
    Parameter("bytea_output", "hex", "Sets the output format for bytea.", _only("hex")),
    Parameter("max_identifier_length", "63", "Shows the maximum identifier length.", read_only=True),
    Parameter("lc_collate", "C.UTF-8", "Shows the collation order locale.", read_only=True),
    Parameter("lc_ctype", "C.UTF-8", "Shows the character classification and case conversion locale.",
              read_only=True),
    Parameter("lc_messages", "C.UTF-8", "Sets the language in which messages are displayed."),
    Parameter("lc_monetary", "C.UTF-8", "Sets the locale for formatting monetary amounts."),
    Parameter("lc_numeric", "C.UTF-8", "Sets the locale for formatting numbers."),
    Parameter("lc_time", "C.UTF-8", "Sets the locale for formatting date and time values."),
    Parameter("client_min_messages", "notice", "Sets the message levels that are sent to the client."),
    Parameter("synchronous_commit", "on",
              "Sets the current transaction's synchronization level." + _NO_EFFECT,
              enumeration("local", "remote_write", "remote_apply", "on", "off", aliases=_ON_OFF_ALIASES)),
    Parameter("row_security", "on", "Enable row security.", _boolean),
    *_PLANNER_PARAMETERS,
)}

ALIASES = {"transaction isolation level": "transaction_isolation", "time zone": "timezone",
           "session authorization": "session_authorization"}


def canonical_name(name: str) -> str:
    """PostgreSQL's spelling of a parameter name; 42704 if there is no such parameter."""
    lowered = " ".join(name.lower().split())
    lowered = ALIASES.get(lowered, lowered)
    known = PARAMETERS.get(lowered)
    if known is not None:
        return known.name
    if "." in lowered:
        return lowered
    raise DatabaseError(UNDEFINED_OBJECT, f'unrecognized configuration parameter "{name}"')


# the names the server and engine ask for, in either spelling: found without canonical_name's work
_KNOWN_NAMES = {spelling: p.name for p in PARAMETERS.values() for spelling in (p.name, p.name.lower())}


class SessionSettings:
    """The parameters of one session, transactional like PostgreSQL's.

    `generation` moves with every change of a value, so what is derived from the values (the
    ParameterStatus to send after a statement) need not be derived again while it stands."""

    def __init__(self, user: str) -> None:
        self._values: dict[str, str] = {p.name: p.default for p in PARAMETERS.values()}
        self._values["session_authorization"] = user
        self._local: dict[str, str] = {}
        self._in_transaction = False
        self._snapshot: dict[str, str] | None = None  # the values at BEGIN, copied at the first change
        self._reported: dict[str, str] = {}
        self.generation = 0
        self._reported_generation = -1
        self.mark_reported()

    def get(self, name: str, *, missing_ok: bool = False) -> str | None:
        """The current value (None for an unset custom parameter when missing_ok)."""
        canonical = _KNOWN_NAMES.get(name)
        if canonical is None:
            try:
                canonical = canonical_name(name)
            except DatabaseError:
                if missing_ok:
                    return None
                raise
        if canonical in _TRANSACTION_MODES and canonical not in self._local:  # the default's, unless set
            return self.get(f"default_{canonical}")
        value = self._local.get(canonical, self._values.get(canonical))
        if value is None and not missing_ok:
            raise DatabaseError(UNDEFINED_OBJECT, f'unrecognized configuration parameter "{name}"')
        return value

    def set(self, name: str, value: str | None, *, local: bool = False, startup: bool = False) -> str:
        """SET name = value (None: DEFAULT); returns the value stored. SET LOCAL outside a
        transaction has no effect, as in PostgreSQL."""
        canonical = canonical_name(name)
        known = PARAMETERS.get(canonical.lower())
        if known is not None and known.read_only and not startup:
            raise DatabaseError(CANT_CHANGE_RUNTIME_PARAM, f'parameter "{canonical}" cannot be changed')
        if value is None:
            stored = known.default if known is not None else ""
        elif known is None:
            stored = value
        elif known.update is not None:
            stored = known.update(value, self.get(canonical) or known.default)
        else:
            stored = known.normalize(canonical, value)
        if local:
            if self._in_transaction:
                self._local[canonical] = stored
                self.generation += 1
        else:
            self._changing()
            self._values[canonical] = stored
            self._local.pop(canonical, None)
        return stored

    def _changing(self) -> None:
        """Before a change of the session's values: keep those of BEGIN for a rollback."""
        if self._in_transaction and self._snapshot is None:
            self._snapshot = dict(self._values)
        self.generation += 1

    @staticmethod
    def time_zone_name(value: str) -> str:
        """The canonical name of a time zone (22023 if there is none by that name)."""
        return _time_zone("TimeZone", value)

    def reset_all(self) -> None:
        self._changing()
        for parameter in PARAMETERS.values():
            if not parameter.read_only:
                self._values[parameter.name] = parameter.default
        self._local.clear()

    def all(self) -> list[tuple[str, str, str]]:
        """SHOW ALL: (name, setting, description) sorted by name."""
        rows = [(p.name, self.get(p.name) or "", p.description) for p in PARAMETERS.values()]
        rows += [(name, value, "") for name, value in self._values.items() if "." in name]
        return sorted(rows, key=lambda row: row[0].lower())

    # transactions ---------------------------------------------------------------------------------

    def begin(self) -> None:
        self._in_transaction = True
        self._snapshot = None

    def commit(self) -> None:
        self._end_transaction()

    def rollback(self) -> None:
        if self._snapshot is not None:
            self._values = self._snapshot
            self.generation += 1
        self._end_transaction()

    def _end_transaction(self) -> None:
        self._in_transaction = False
        self._snapshot = None
        if self._local:  # SET LOCAL values end with the transaction
            self._local.clear()
            self.generation += 1

    # reporting -----------------------------------------------------------------------------------

    def mark_reported(self) -> None:
        """Take the current values as already known to the client."""
        self._reported = {p.name: self.get(p.name) or "" for p in PARAMETERS.values() if p.report}
        self._reported_generation = self.generation

    def changes(self) -> list[tuple[str, str]]:
        """GUC_REPORT parameters whose value differs from the last report (and mark them reported)."""
        if self.generation == self._reported_generation:
            return []
        self._reported_generation = self.generation
        changed = []
        for name, last in self._reported.items():
            current = self.get(name) or ""
            if current != last:
                changed.append((name, current))
                self._reported[name] = current
        return changed
