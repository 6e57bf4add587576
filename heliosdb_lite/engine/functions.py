"""SQL functions, aggregates and collations registered on every session's SQLite connection.

Two kinds live here. PostgreSQL's own functions that SQLite lacks or gets wrong (version(), now()
stable within a transaction, current_setting/set_config, pg_sleep that cancel() interrupts,
gen_random_uuid, random, Unicode upper/lower, LIKE with backslash escapes, sequences, the
table-valued generate_series over integers, the string functions of `string_functions`), and the
`helios_*` helpers the translator emits where SQLite's own operator would give a wrong answer
(casts, checked integer and float arithmetic, numeric and date/time arithmetic, comparisons,
numeric sum/avg; float sum/avg are `float_aggregates`).
Arguments and results are SQLite storage values (`value_storage`); type OIDs travel as integers.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Protocol

import apsw
import apsw.ext

from heliosdb_lite.errors import (
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER_VALUE,
    INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
    INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
    NOT_NULL_VIOLATION,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
    QUERY_CANCELED,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs

from . import (
    array_functions,
    casts,
    float_aggregates,
    operators,
    schemas,
    serial_sequences,
    string_functions,
    zone_names,
)
from . import pgtypes as t
from .datetime_functions import age, date_trunc, extract, time_series
from .errors_map import CANCELED_MESSAGE
from .format_function import format_text
from .json_functions import json_get, json_get_path
from .number_format import format_number
from .sequences import SEQUENCE_OPTIONS_TABLE, Sequences, regclass_name, shown_name
from .settings import SessionSettings
from .to_char_format import format_datetime
from .value_storage import check_integer, from_storage, to_storage

VERSION = "PostgreSQL 15.18 (HeliosDB-Lite 0.1.0) on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"

CAST = "helios_cast"
NUMBER_ARITH = "helios_number_arith"
QUICK_ARITH_TYPES = (t.INT2, t.INT4, t.INT8, t.FLOAT4, t.FLOAT8)
QUICK_ARITH_NAMES = {"+": "add", "-": "sub", "*": "mul"}


def quick_arith_name(operator: str, oid: int) -> str:
    """The function the translator calls for `operator` (+ - *) with a result of type oid."""
    return f"helios_{QUICK_ARITH_NAMES[operator]}_{oid}"
ROW_COUNT = "helios_row_count"  # (count, 'LIMIT' | 'OFFSET'): the count SQLite takes, PostgreSQL's checks
BITWISE = "helios_bitwise"
ARITH = "helios_arith"
NEGATE = "helios_neg"
COMPARE = "helios_compare"
MATH = "helios_math"
EXTRACT = "helios_extract"
DATE_TRUNC = "helios_date_trunc"
GREATEST = "helios_greatest"
LEAST = "helios_least"
ILIKE = "helios_ilike"
REGEXP_I = "helios_regexp_i"
CURRENT_DATE = "helios_current_date"
LOCALTIMESTAMP = "helios_localtimestamp"
NEXTVAL = "nextval"
SUBSTRING_START = "helios_substring_start"
SUBSTRING_LENGTH = "helios_substring_length"
SEQUENCE_DEFINE = "helios_sequence_define"
SEQUENCE_RENAME = "helios_sequence_rename"
SEQUENCE_DROP = "helios_sequence_drop"
FAIL_IF = "helios_fail_if"  # (failed, sqlstate, message): raises that error if failed, else 1
NOT_NULL = "helios_not_null"  # (value, message): the value, or 23502 with the message if it is NULL
SUM = "helios_sum"
AVG = "helios_avg"
ARRAY_AGG = "helios_array_agg"
SUBSCRIPT = "helios_subscript"
ARRAY_LENGTH = "helios_array_length"
AT_TIME_ZONE = "helios_at_time_zone"
LOCALTIME = "helios_localtime"
TO_TIMESTAMP = "helios_to_timestamp"
FORMAT = "helios_format"
AGE = "helios_age"
TO_CHAR = "helios_to_char"
JSON_GET = "helios_json_get"
JSON_GET_PATH = "helios_json_get_path"
QUANTIFIED = "helios_quantified"
SCALAR_SUBQUERY = "helios_scalar_subquery"
SEQUENCE_ASSIGNED = "helios_sequence_assigned"
GENERATE_SERIES = "generate_series"
TIME_SERIES = "helios_time_series"
NUMERIC_COLLATION = "helios_numeric"
INTERVAL_COLLATION = "helios_interval"
# the collation that makes SQLite compare stored values of a type as PostgreSQL compares them
# (RTRIM is SQLite's own: char(n) ignores trailing spaces)
COLLATIONS = {t.NUMERIC: NUMERIC_COLLATION, t.INTERVAL: INTERVAL_COLLATION, t.BPCHAR: "RTRIM"}


class FunctionContext(Protocol):
    """What the functions need to know about the session that runs them."""

    user: str
    database: str
    settings: SessionSettings
    cancel_event: threading.Event

    def transaction_timestamp(self) -> dt.datetime: ...

    def statement_timestamp(self) -> dt.datetime: ...

    def time_zone(self) -> dt.tzinfo: ...

    def search_path(self) -> tuple[str, ...]: ...


def register(connection: apsw.Connection, context: FunctionContext) -> None:
    """Register every function, aggregate and collation on a session's connection."""
    for name, function in {**_session_functions(connection, context),
                           **array_functions.functions(context.time_zone)}.items():
        connection.create_scalar_function(name, function)
    for name, function in {**_pure_functions(), **string_functions.FUNCTIONS}.items():
        connection.create_scalar_function(name, function, deterministic=True)
    connection.create_window_function(SUM, _NumericSum, 2)
    connection.create_window_function(AVG, _Average, 2)
    for name, aggregate in float_aggregates.AGGREGATES.items():
        connection.create_window_function(name, aggregate, 1)
    connection.create_aggregate_function(ARRAY_AGG, _ArrayAggregate, 2)
    connection.create_aggregate_function(SCALAR_SUBQUERY, _ScalarSubquery, 1)
    connection.create_collation(NUMERIC_COLLATION, operators.compare_numeric_text)
    connection.create_collation(INTERVAL_COLLATION, operators.compare_interval_text)
    for oid, collation in array_functions.COLLATIONS.items():
        connection.create_collation(collation, array_functions.stored_order(oid))
    apsw.ext.make_virtual_module(connection, GENERATE_SERIES, _generate_series)
    apsw.ext.make_virtual_module(connection, array_functions.UNNEST, array_functions.unnest)
    apsw.ext.make_virtual_module(connection, TIME_SERIES, _time_series(context))


def _generate_series(start: int, stop: int, step: int = 1) -> Iterator[tuple[int]]:
    """generate_series(start, stop[, step]) over integers, as a table-valued function."""
    if start is None or stop is None or step is None:
        return
    if step == 0:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "step size cannot equal zero")
    value = start
    while (value <= stop) if step > 0 else (value >= stop):
        yield (value,)
        value += step


_generate_series.columns = ("value",)  # type: ignore[attr-defined]
_generate_series.column_access = apsw.ext.VTColumnAccess.By_Index  # type: ignore[attr-defined]


def _time_series(context: FunctionContext) -> Callable[..., Iterator[tuple[str]]]:
    """generate_series(start, stop, step interval) over timestamp or timestamptz (oid), as a
    table-valued function in the session's time zone."""
    def series(start: str | None, stop: str | None, step: str | None, oid: int) -> Iterator[tuple[str]]:
        decode, encode = from_storage(oid), to_storage(oid)
        for value in time_series(decode(start), decode(stop), from_storage(t.INTERVAL)(step),
                                 context.time_zone()):
            yield (encode(value),)

    series.columns = ("value",)  # type: ignore[attr-defined]
    series.column_access = apsw.ext.VTColumnAccess.By_Index  # type: ignore[attr-defined]
    return series


def _timestamptz(moment: dt.datetime) -> str:
    return to_storage(t.TIMESTAMPTZ)(moment)


def _session_functions(connection: apsw.Connection,
                       context: FunctionContext) -> dict[str, Callable[..., Any]]:
    def sleep(seconds: Any) -> None:
        if seconds is not None and float(seconds) > 0 and context.cancel_event.wait(float(seconds)):
            raise DatabaseError(QUERY_CANCELED, CANCELED_MESSAGE)

    def set_config(name: str, value: str | None, is_local: int) -> str:
        return context.settings.set(name, value, local=bool(is_local))

    def current_setting(name: str, missing_ok: int = 0) -> str | None:
        return context.settings.get(name, missing_ok=bool(missing_ok))

    def pg_is_in_recovery() -> int:
        return int(context.settings.get("in_hot_standby") == "on")

    def cast(value: Any, source: int, target: int, typmod: int, explicit: int) -> Any:
        converted = casts.convert(from_storage(source)(value), source, target, typmod, tz=context.time_zone(),
                                  explicit=bool(explicit))
        return to_storage(target)(converted)

    def arith(operator: str, left: Any, left_oid: int, right: Any, right_oid: int, result_oid: int) -> Any:
        result = operators.arith(operator, from_storage(left_oid)(left), left_oid,
                                 from_storage(right_oid)(right), right_oid, context.time_zone())
        return to_storage(result_oid)(result)

    def compare(left: Any, left_oid: int, right: Any, right_oid: int) -> int | None:
        return operators.compare(from_storage(left_oid)(left), left_oid, from_storage(right_oid)(right),
                                 right_oid, context.time_zone())

    def extract_field(field: str, value: Any, oid: int) -> str | None:
        result = extract(field, from_storage(oid)(value), oid, context.time_zone())
        return to_storage(t.NUMERIC)(result)

    def truncate(unit: str, value: Any, oid: int) -> Any:
        return to_storage(oid)(date_trunc(unit, from_storage(oid)(value), oid, context.time_zone()))

    def to_char(value: Any, oid: int, template: str | None) -> str | None:
        decoded = from_storage(oid)(value)
        if decoded is None or template is None:
            return None
        if oid in t.NUMBER_TYPES:
            return format_number(decoded, oid, template)
        return format_datetime(decoded, oid, template, context.time_zone())

    def age_between(first: Any, second: Any, oid: int) -> str | None:
        decode = from_storage(oid)
        return to_storage(t.INTERVAL)(age(decode(first), decode(second), oid, context.time_zone()))

    def quantified(operator: str, every: int, value: Any, value_oid: int, array: Any, array_oid: int) -> Any:
        element_oid = codecs.type_by_oid(array_oid).elem_oid
        return operators.quantified(operator, from_storage(value_oid)(value), value_oid,
                                    from_storage(array_oid)(array), element_oid, context.time_zone(),
                                    every=bool(every))

    def at_time_zone(value: Any, oid: int, zone_name: str | None) -> Any:
        if value is None or zone_name is None:
            return None
        result_oid = t.TIMESTAMP if oid == t.TIMESTAMPTZ else t.TIMESTAMPTZ
        return to_storage(result_oid)(zone_names.at_time_zone(from_storage(oid)(value), oid, zone_name))

    def local_time() -> str:
        return to_storage(t.TIME)(context.transaction_timestamp().astimezone(context.time_zone()).time()
                                  .replace(tzinfo=None))

    def current_date() -> str:
        return to_storage(t.DATE)(context.transaction_timestamp().astimezone(context.time_zone()).date())

    def local_timestamp() -> str:
        moment = context.transaction_timestamp().astimezone(context.time_zone()).replace(tzinfo=None)
        return to_storage(t.TIMESTAMP)(moment)

    sequences = Sequences(connection)
    last_values: dict[str, int | None] = {}  # currval: the value nextval last returned in this session
    last_used: list[str] = []  # lastval: the sequence nextval last drew from (at most one)

    def increment(name: str) -> int:
        rows = connection.execute(f"SELECT increment FROM {SEQUENCE_OPTIONS_TABLE} WHERE name = ?",
                                  (name,)).fetchall()
        return rows[0][0] if rows else 1

    def sequence_exists(stored: str) -> bool:
        return serial_sequence(connection, stored) or sequences.exists(stored)

    def stored_sequence(name: str) -> str:
        """The storage name of the sequence a function argument names: its schema's if qualified,
        else the first on the search path that has it."""
        schema, bare = regclass_name(name)
        return schemas.resolve(bare, schema, context.search_path(), sequence_exists)

    def current_schema() -> str | None:
        existing = {schemas.PUBLIC, *schemas.user_schemas(connection)}
        return next((schema for schema in context.search_path() if schema in existing), None)

    def drawn(name: str, value: int | None) -> int | None:
        last_values[name] = value
        last_used[:] = [name]
        return value

    def nextval(qualified: str) -> int:
        name = stored_sequence(qualified)
        value = sequences.next_value(name)
        if value is None and (rowid := serial_sequences.rowid_table(connection, name)) is not None:
            value = serial_sequences.rowid_sequence_value(connection, *rowid) + 1
            serial_sequences.set_rowid_sequence(connection, *rowid, value)
        elif value is None and (schema := serial_sequences.default_schema(connection, name, NEXTVAL)):
            value = 1  # a serial column's first value
            sequences.start_serial(name, value, temporary=schema == "temp")
        elif value is None:
            raise sequences.missing(name, qualified)
        drawn(name, value)
        return value

    def currval(qualified: str) -> int:
        name = stored_sequence(qualified)
        if not sequence_exists(name):
            raise sequences.missing(name, qualified)
        if name not in last_values:
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE, f'currval of sequence "{shown_name(name)}" '
                                "is not yet defined in this session")
        value = last_values[name]
        if value is None:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f'currval of sequence "{name}" after an INSERT ... '
                                "ON CONFLICT into its serial key is not supported")
        return value

    def lastval() -> int:
        if not last_used or last_used[0] not in last_values or not sequence_exists(last_used[0]):
            raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                                "lastval is not yet defined in this session")
        return currval(last_used[0])

    def sequence_assigned(name: str, value: int | None) -> int | None:
        """A serial rowid key SQLite assigned (as nextval would have): currval answers it; None
        (after ON CONFLICT): currval cannot know what PostgreSQL's would answer."""
        return drawn(name, value)

    def setval(qualified: str, value: int, is_called: int = 1) -> int:
        name = stored_sequence(qualified)
        rowid = serial_sequences.rowid_table(connection, name)
        if rowid is not None:
            drawn_last = value if is_called else value - increment(name)
            serial_sequences.set_rowid_sequence(connection, *rowid, drawn_last)
        elif not sequence_exists(name):
            raise sequences.missing(name, qualified)
        elif not sequences.set_value(name, value, bool(is_called)):  # a serial's, before its first value
            schema = serial_sequences.default_schema(connection, name, NEXTVAL)
            sequences.start_serial(name, value, temporary=schema == "temp", is_called=bool(is_called))
        if is_called:
            last_values[name] = value
        return value

    def define_sequence(name: str, given: str, mode: str) -> int:
        """CREATE SEQUENCE or ALTER SEQUENCE (`Sequences.define`): currval forgets a sequence of the
        name dropped before (not at DROP, which a rollback may undo)."""
        if sequences.define(name, given, mode):
            last_values.pop(name, None)
        return 1

    def rename_sequence(name: str, renamed: str) -> int:
        sequences.rename(name, renamed)
        if name in last_values:
            last_values[renamed] = last_values.pop(name)
        if last_used == [name]:
            last_used[:] = [renamed]
        return 1

    def drop_sequence(name: str) -> int:
        """DROP SEQUENCE (the caller has checked that it exists)."""
        sequences.drop(name)
        return 1

    return {
        "version": lambda: VERSION,
        "current_schema": current_schema,
        "current_database": lambda: context.database,
        "current_catalog": lambda: context.database,
        "current_user": lambda: context.user,
        "current_role": lambda: context.user,
        "session_user": lambda: context.user,
        "user": lambda: context.user,
        "now": lambda: _timestamptz(context.transaction_timestamp()),
        "transaction_timestamp": lambda: _timestamptz(context.transaction_timestamp()),
        "statement_timestamp": lambda: _timestamptz(context.statement_timestamp()),
        "clock_timestamp": lambda: _timestamptz(dt.datetime.now(dt.UTC)),
        CURRENT_DATE: current_date,
        LOCALTIMESTAMP: local_timestamp,
        "pg_sleep": sleep,
        "gen_random_uuid": lambda: str(uuid.uuid4()),
        "uuid_generate_v4": lambda: str(uuid.uuid4()),
        "random": random.random,
        "set_config": set_config,
        "current_setting": current_setting,
        "pg_is_in_recovery": pg_is_in_recovery,
        NEXTVAL: nextval,
        "currval": currval,
        "setval": setval,
        SEQUENCE_ASSIGNED: sequence_assigned,
        "lastval": lastval,
        SEQUENCE_DEFINE: define_sequence,
        SEQUENCE_RENAME: rename_sequence,
        SEQUENCE_DROP: drop_sequence,
        CAST: cast,
        ARITH: arith,
        COMPARE: compare,
        EXTRACT: extract_field,
        DATE_TRUNC: truncate,
        GREATEST: _extreme(max, context),
        LEAST: _extreme(min, context),
        QUANTIFIED: quantified,
        AT_TIME_ZONE: at_time_zone,
        LOCALTIME: local_time,
        AGE: age_between,
        TO_CHAR: to_char,
    }


def serial_sequence(connection: apsw.Connection, sequence: str) -> bool:
    """Whether `sequence` (storage name) is a serial column's: a rowid key's, or one a default names."""
    return serial_sequences.rowid_table(connection, sequence) is not None \
        or serial_sequences.default_schema(connection, sequence, NEXTVAL) is not None


def _per_character(text: str, mapping: Callable[[str], str]) -> str:
    """upper/lower character by character as PostgreSQL's towupper/towlower: a character whose
    mapping is several characters (ß -> SS) stays as it is."""
    return "".join(mapped if len(mapped := mapping(character)) == 1 else character for character in text)


def _substring_start(start: int | None) -> int | None:
    """substr's start for SQLite: positions before 1 start at 1 (SQLite would count from the end)."""
    return None if start is None else max(start, 1)


def _substring_length(start: int | None, length: int | None, text: Any) -> int | None:
    """substr's length for SQLite: PostgreSQL's end (start + length) kept when the start moves to 1;
    a negative length is refused (SQLite would count backwards), unless an argument is NULL (the
    function is strict: NULL)."""
    if start is None or length is None or text is None:
        return None
    if length < 0:
        raise DatabaseError("22011", "negative substring length not allowed")  # substring_error
    return max(start + length - max(start, 1), 0)


def _extreme(pick: Callable[..., Any], context: FunctionContext) -> Callable[..., Any]:
    """GREATEST/LEAST: NULLs ignored, values compared as their type orders them."""
    def choose(oid: int, *values: Any) -> Any:
        present = [value for value in values if value is not None]
        if not present:
            return None
        decode = from_storage(oid)
        tz = context.time_zone()
        return pick(present, key=lambda value: operators.comparison_key(decode(value), oid, tz))
    return choose


def _fail_if(failed: int | None, sqlstate: str, message: str) -> int:
    if failed:
        raise DatabaseError(sqlstate, message)
    return 1


def _not_null(value: Any, message: str) -> Any:
    if value is None:
        raise DatabaseError(NOT_NULL_VIOLATION, message)
    return value


def _pure_functions() -> dict[str, Callable[..., Any]]:
    return {
        FAIL_IF: _fail_if,
        NOT_NULL: _not_null,
        "upper": lambda value: None if value is None else _per_character(str(value), str.upper),
        "lower": lambda value: None if value is None else _per_character(str(value), str.lower),
        SUBSTRING_START: _substring_start,
        SUBSTRING_LENGTH: _substring_length,
        "like": _like(case_insensitive=False),
        ILIKE: _like(case_insensitive=True),
        "regexp": _regexp(0),
        REGEXP_I: _regexp(re.IGNORECASE),
        NUMBER_ARITH: operators.number_arith,
        **{quick_arith_name(operator, oid): operators.quick_arith(operator, oid)
           for operator in QUICK_ARITH_NAMES for oid in QUICK_ARITH_TYPES},
        ROW_COUNT: _row_count,
        BITWISE: operators.bitwise,
        NEGATE: _negate,
        MATH: _math,
        JSON_GET: lambda document, oid, as_text, *steps: json_get(document, oid, list(steps), bool(as_text)),
        JSON_GET_PATH: lambda document, oid, as_text, path: json_get_path(document, oid, path, bool(as_text)),
        SUBSCRIPT: _subscript,
        ARRAY_LENGTH: _array_length,
        TO_TIMESTAMP: _to_timestamp,
        FORMAT: format_text,
    }


def _to_timestamp(seconds: float | None) -> str | None:
    """to_timestamp(seconds since 1970-01-01 00:00 UTC)."""
    if seconds is None:
        return None
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    try:
        return to_storage(t.TIMESTAMPTZ)(epoch + dt.timedelta(microseconds=round(seconds * 1_000_000)))
    except (OverflowError, ValueError):
        raise DatabaseError("22008", "timestamp out of range") from None


def _subscript(array: Any, array_oid: int, index: Any) -> Any:
    """array[index] (1-based; out of range is NULL)."""
    if array is None or index is None:
        return None
    values = from_storage(array_oid)(array)
    element_oid = codecs.type_by_oid(array_oid).elem_oid
    if not 1 <= int(index) <= len(values) or isinstance(values[int(index) - 1], list):
        return None
    return to_storage(element_oid)(values[int(index) - 1])


def _array_length(array: Any, array_oid: int, dimension: Any) -> int | None:
    """array_length(array, dimension) (NULL for an empty array or a missing dimension), or with
    dimension 0 cardinality(array): how many elements in all."""
    if array is None or dimension is None:
        return None
    values = from_storage(array_oid)(array)
    if int(dimension) == 0:
        def count(items: list[Any]) -> int:
            return sum(count(item) if isinstance(item, list) else 1 for item in items)
        return count(values)
    if int(dimension) < 0:
        return None
    for _ in range(int(dimension) - 1):
        if not values or not isinstance(values[0], list):
            return None
        values = values[0]
    return len(values) or None


def _like(*, case_insensitive: bool) -> Callable[..., bool | None]:
    def like(pattern: Any, value: Any, escape: str = "\\") -> bool | None:
        if pattern is None or value is None:
            return None
        return operators.like(str(value), str(pattern), escape, case_insensitive=case_insensitive)
    return like


def _regexp(flags: int) -> Callable[[Any, Any], bool | None]:
    def matches(pattern: Any, value: Any) -> bool | None:
        if pattern is None or value is None:
            return None
        try:
            return re.search(str(pattern), str(value), flags) is not None
        except re.error as error:
            raise DatabaseError("2201B", f"invalid regular expression: {error}") from None
    return matches


def _row_count(count: int | None, clause: str) -> int:
    """A LIMIT's or OFFSET's count: NULL is none (SQLite: -1 rows to the limit, 0 to skip),
    a negative one 2201W / 2201X (SQLite takes it for none)."""
    if count is None:
        return -1 if clause == "LIMIT" else 0
    if count < 0:
        sqlstate = INVALID_ROW_COUNT_IN_LIMIT_CLAUSE if clause == "LIMIT" \
            else INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE
        raise DatabaseError(sqlstate, f"{clause} must not be negative")
    return count


def _negate(value: Any, oid: int) -> Any:
    if oid in t.INTEGER_TYPES | t.FLOAT_TYPES:
        return operators.number_negate(value, oid)
    return to_storage(oid)(operators.negate(from_storage(oid)(value), oid))


def _math(name: str, oid: int, value: Any, places: Any = None) -> Any:
    decoded = from_storage(oid)(value)
    if decoded is None:
        return None
    if oid in t.FLOAT_TYPES:
        return operators.float_function(name, decoded, places)
    result = operators.numeric_function(name, Decimal(decoded), places)
    if oid in t.INTEGER_TYPES and name in ("abs", "sign"):
        return check_integer(oid, int(result))
    return to_storage(t.NUMERIC)(result)


class _Total:
    """A running total of numeric (exact, never a float) or interval values, and how many."""

    def __init__(self) -> None:
        self.total: Any = None
        self.count = 0
        self.oid = t.NUMERIC

    def _add(self, value: Any, oid: int, operator: str) -> None:
        if value is None:
            return
        self.oid = oid
        decoded = from_storage(oid)(value)
        if oid == t.INTERVAL:
            base = self.total if self.total is not None else codecs.Interval(0, 0, 0)
            self.total = operators.datetime_arith(operator, base, t.INTERVAL, decoded, t.INTERVAL, dt.UTC)
        else:
            base = self.total if self.total is not None else Decimal(0)
            self.total = operators.numeric_arith(operator, base, Decimal(decoded))
        self.count += 1 if operator == "+" else -1

    def step(self, value: Any, oid: int) -> None:
        self._add(value, oid, "+")

    def inverse(self, value: Any, oid: int) -> None:
        self._add(value, oid, "-")

    def final(self) -> Any:
        return self.value()

    def value(self) -> Any:
        raise NotImplementedError


class _NumericSum(_Total):
    """sum() of int8 and numeric values (a window function too)."""

    def value(self) -> str | None:
        return to_storage(t.NUMERIC)(self.total) if self.count else None


class _Average(_Total):
    """avg() of integers and numerics as numeric (PostgreSQL's scale), and of intervals."""

    def value(self) -> str | None:
        if not self.count:
            return None
        if self.oid == t.INTERVAL:
            return to_storage(t.INTERVAL)(operators.interval_multiply(self.total, 1 / self.count))
        return to_storage(t.NUMERIC)(operators.numeric_divide(self.total, Decimal(self.count)))


class _ArrayAggregate:
    """array_agg(value): the values, in the order aggregated, as an array of their type."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.oid = t.TEXT

    def step(self, value: Any, oid: int) -> None:
        self.oid = oid
        self.values.append(from_storage(oid)(value))

    def final(self) -> str | None:
        if not self.values:
            return None
        return to_storage(codecs.type_by_oid(self.oid).array_oid)(self.values)


class _ScalarSubquery:
    """The value of a scalar subquery's rows: NULL for none, 21000 for more than one."""

    def __init__(self) -> None:
        self.rows = 0
        self.value: Any = None

    def step(self, value: Any) -> None:
        self.rows += 1
        if self.rows > 1:
            raise DatabaseError("21000", "more than one row returned by a subquery used as an expression")
        self.value = value

    def final(self) -> Any:
        return self.value
