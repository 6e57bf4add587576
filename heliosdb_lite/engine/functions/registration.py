"""Every function, aggregate, collation and table-valued function of the engine, registered on a
session's SQLite connection (`register`), under the names of `names`.

Two kinds. PostgreSQL's own functions that SQLite lacks or gets wrong (version(), now() stable
within a transaction, current_setting/set_config, pg_sleep that cancel() interrupts,
gen_random_uuid, random, Unicode upper/lower, LIKE with backslash escapes, the sequence functions of
`sequences`, the table-valued generate_series, the string functions of `strings`), and the
`helios_*` helpers the translator emits where SQLite's own operator would give a wrong answer
(casts, checked integer and float arithmetic, numeric and date/time arithmetic, comparisons;
aggregates in `aggregates` and `float_aggregates`).
Arguments and results are SQLite storage values (`value_storage`); type OIDs travel as integers.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

import apsw

from heliosdb_lite.engine.functions import (
    aggregates,
    binary_strings,
    domains,
    effects,
    enums,
    extension_aggregates,
    float_aggregates,
    hstore,
    json_building,
    json_processing,
    money,
    network,
    numbers,
    operators,
    raised_errors,
    ranges,
    records,
    table_samples,
    table_valued,
    xml_functions,
    zone_names,
)
from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import strings as string_functions
from heliosdb_lite.engine.functions.datetimes import age, date_trunc, extract, time_series
from heliosdb_lite.engine.functions.json_values import json_text, key_text, stored_json_text
from heliosdb_lite.engine.functions.jsons import json_get, json_get_path, jsonb_contains, jsonb_has_keys
from heliosdb_lite.engine.functions.names import (
    AGE,
    ARITH,
    ARRAY_AGG,
    ARRAY_LENGTH,
    AT_TIME_ZONE,
    AVG,
    AVG_DISTINCT_INTEGERS,
    BITWISE,
    CAST,
    COLLATIONS,
    COMPARE,
    CURRENT_DATE,
    CURRENT_TIME,
    DATE_TRUNC,
    EXTRACT,
    FAIL_IF,
    FORMAT,
    GENERATE_SERIES,
    GREATEST,
    ILIKE,
    IMMUTABLE_CAST,
    INTERVAL_COLLATION,
    JSON_AGG_DISTINCT,
    JSON_GET,
    JSON_GET_ALONG_PATH,
    JSON_GET_PATH,
    JSON_KEY,
    JSON_VALUE,
    JSONB_CONTAINS,
    JSONB_HAS_KEYS,
    LEAST,
    LOCALTIME,
    LOCALTIMESTAMP,
    MATH,
    NEGATE,
    NOT_NULL,
    NUMBER_ARITH,
    NUMERIC_COLLATION,
    QUANTIFIED,
    QUICK_ARITH_NAMES,
    QUICK_ARITH_TYPES,
    REGEXP_I,
    ROW_COUNT,
    SCALAR_SUBQUERY,
    SUBSCRIPT,
    SUBSTRING_LENGTH,
    SUBSTRING_START,
    SUM,
    SUM_DISTINCT_INTEGERS,
    TIME_SERIES,
    TIMETZ_COLLATION,
    TO_CHAR,
    TO_JSON,
    TO_TIMESTAMP,
    quick_arith_name,
)
from heliosdb_lite.engine.functions.number_format import format_number
from heliosdb_lite.engine.functions.sequences import SessionSequences
from heliosdb_lite.engine.functions.string_format import format_text
from heliosdb_lite.engine.functions.to_char_format import format_datetime
from heliosdb_lite.engine.sql.dialect import OVERFLOW_PARAMETER
from heliosdb_lite.engine.store import schemas
from heliosdb_lite.engine.store.sqlite_errors import CANCELED_MESSAGE
from heliosdb_lite.engine.types import casts, letter_case
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.value_order import comparison_key
from heliosdb_lite.engine.types.value_storage import check_integer, from_storage, stored_float, to_storage
from heliosdb_lite.errors import (
    DATETIME_VALUE_OUT_OF_RANGE,
    INVALID_PARAMETER_VALUE,
    INVALID_REGULAR_EXPRESSION,
    INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
    INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
    NOT_NULL_VIOLATION,
    QUERY_CANCELED,
    SUBSTRING_ERROR,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import far_dates
from heliosdb_lite.protocol.codecs.styles import TextStyle

if TYPE_CHECKING:
    from heliosdb_lite.engine.notifications import Notifications
    from heliosdb_lite.engine.settings import SessionSettings

VERSION = "PostgreSQL 15.18 (HeliosDB-Lite 0.1.0) on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"


class FunctionContext(Protocol):
    """What the functions need to know about the session that runs them."""

    user: str
    database: str
    settings: SessionSettings
    cancel_event: threading.Event

    def transaction_timestamp(self) -> dt.datetime: ...

    def statement_timestamp(self) -> dt.datetime: ...

    def time_zone(self) -> dt.tzinfo: ...

    def text_style(self) -> TextStyle: ...

    def search_path(self) -> tuple[str, ...]: ...

    def parameter_value(self, number: int) -> Any: ...

    @property
    def notifications(self) -> Notifications: ...


def register(connection: apsw.Connection, context: FunctionContext) -> None:
    """Register every function, aggregate and collation on a session's connection."""
    for name, function in {**_session_functions(connection, context),
                           **SessionSequences(connection, context.search_path).functions(),
                           **array_functions.functions(context.time_zone, context.text_style),
                           **hstore.functions(context.time_zone, context.text_style),
                           **enums.FUNCTIONS, **table_samples.FUNCTIONS}.items():
        effects.scalar(connection, name, function, waits=name in _WAITING)
    for name, function in {**_pure_functions(), **string_functions.FUNCTIONS, **binary_strings.FUNCTIONS,
                           **ranges.FUNCTIONS, **records.FUNCTIONS, **network.FUNCTIONS, **money.FUNCTIONS,
                           **xml_functions.FUNCTIONS, **domains.FUNCTIONS, **hstore.FUNCTIONS,
                           **json_building.FUNCTIONS}.items():
        connection.create_scalar_function(name, function, deterministic=True)
    connection.create_scalar_function(raised_errors.RAISE_FUNCTION, raised_errors.raise_exception, 4)
    # $n past SQLite's parameters (`dialect.sqlite_parameter`): one value through the statement, so
    # deterministic (SQLite compiles an IN list of an impure function's calls in quadratic time)
    connection.create_scalar_function(OVERFLOW_PARAMETER, partial(_parameter_value, context), 1,
                                      deterministic=True)
    # the ignores: apsw's protocols fix step's parameters (WindowClass: one SQLiteValue, AggregateClass:
    # *values); ours take the arguments registered (value and type oid for SUM, AVG and array_agg)
    connection.create_window_function(SUM, aggregates.NumericSum, 2)  # type: ignore[arg-type]  # step's arguments
    connection.create_window_function(AVG, aggregates.Average, 2)  # type: ignore[arg-type]  # step's arguments
    connection.create_aggregate_function(SUM_DISTINCT_INTEGERS, aggregates.DistinctIntegersSum, 1)  # type: ignore[arg-type]  # step's arguments
    connection.create_aggregate_function(AVG_DISTINCT_INTEGERS, aggregates.DistinctIntegersAverage, 1)  # type: ignore[arg-type]  # step's arguments
    for name, aggregate in float_aggregates.AGGREGATES.items():
        connection.create_window_function(name, aggregate, 1)
    connection.create_window_function(extension_aggregates.EXTREME, extension_aggregates.Extreme, 3)  # type: ignore[arg-type]  # step's arguments
    connection.create_aggregate_function(ARRAY_AGG, aggregates.ArrayAggregate, 2)  # type: ignore[arg-type]  # step's arguments
    def distinct_json_agg() -> Any:  # Any: apsw's AggregateClass fixes step's parameters
        return json_building.DistinctJsonAggregate(context.time_zone())

    connection.create_aggregate_function(JSON_AGG_DISTINCT, distinct_json_agg, 7)
    for name, json_aggregate in json_building.AGGREGATES.items():
        connection.create_window_function(name, json_aggregate, 2)  # type: ignore[arg-type]  # step's arguments
    connection.create_aggregate_function(SCALAR_SUBQUERY, aggregates.ScalarSubquery, 1)  # type: ignore[arg-type]  # step's arguments
    connection.create_aggregate_function(ranges.AGGREGATE, ranges.RangeAggregate, 2)  # type: ignore[arg-type]  # step's arguments
    connection.create_aggregate_function(ranges.INTERSECT_AGGREGATE, ranges.RangeIntersectAggregate, 2)  # type: ignore[arg-type]  # step's arguments
    connection.create_collation(NUMERIC_COLLATION, operators.compare_numeric_text)
    connection.create_collation(INTERVAL_COLLATION, operators.compare_interval_text)
    connection.create_collation(TIMETZ_COLLATION, operators.compare_timetz_text)
    for oid, collation in array_functions.COLLATIONS.items():
        connection.create_collation(collation, array_functions.stored_order(oid))
    connection.create_collation(network.COLLATION, network.stored_order)
    connection.create_collation(COLLATIONS[t.JSONB], json_processing.stored_order)
    for oid, collation in ranges.COLLATIONS.items():
        connection.create_collation(collation, ranges.stored_order(oid))
    table_valued.register(connection, GENERATE_SERIES, _generate_series, ("value",))
    table_valued.register(connection, array_functions.UNNEST, array_functions.unnest, ("value", "ordinality"))
    table_valued.register(connection, ranges.UNNEST, ranges.unnest, ("value", "ordinality"))
    table_valued.register(connection, json_processing.JSON_ROWS, json_processing.rows,
                          ("key", "value", "ordinality"))
    table_valued.register(connection, json_processing.JSON_RECORDS, _json_records(context),
                          json_processing.RECORD_COLUMNS)
    table_valued.register(connection, TIME_SERIES, _time_series(context), ("value",))
    table_valued.register(connection, hstore.ROWS, hstore.rows, ("key", "value", "ordinality"))


def _generate_series(start: int | None, stop: int | None, step: int | None = 1) -> Iterator[tuple[int]]:
    """generate_series(start, stop[, step]) over integers, as a table-valued function."""
    if start is None or stop is None or step is None:
        return
    if step == 0:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "step size cannot equal zero")
    value = start
    while (value <= stop) if step > 0 else (value >= stop):
        yield (value,)
        value += step



def _time_series(context: FunctionContext) -> Callable[..., Iterator[tuple[str]]]:
    """generate_series(start, stop, step interval) over timestamp or timestamptz (oid), as a
    table-valued function in the session's time zone."""
    def series(start: str | None, stop: str | None, step: str | None, oid: int) -> Iterator[tuple[str]]:
        decode, encode = from_storage(oid), to_storage(oid)
        for value in time_series(decode(start), decode(stop), from_storage(t.INTERVAL)(step),
                                 context.time_zone()):
            yield (encode(value),)

    return series


def _json_records(context: FunctionContext) -> Callable[..., Iterator[tuple[Any, ...]]]:
    """json(b)_to_record(set) as a table-valued function, its values read in the session's time
    zone and DateStyle."""
    def records(document: str | None, oid: int, function: str, columns: str) -> Iterator[tuple[Any, ...]]:
        return json_processing.records(document, oid, function, columns, context.time_zone(),
                                       context.text_style())

    return records


def _timestamptz(moment: dt.datetime) -> str:
    return to_storage(t.TIMESTAMPTZ)(moment)


_WAITING = frozenset({"pg_sleep"})  # the session functions that may wait


def _parameter_value(context: FunctionContext, *number: Any) -> Any:
    return context.parameter_value(int(number[0]))


def _session_functions(connection: apsw.Connection,
                       context: FunctionContext) -> dict[str, Callable[..., Any]]:
    def sleep(seconds: Any) -> None:
        if seconds is not None and float(seconds) > 0 and context.cancel_event.wait(float(seconds)):
            raise DatabaseError(QUERY_CANCELED, CANCELED_MESSAGE)

    def set_config(name: str, value: str | None, is_local: int) -> str:
        return context.settings.set(name, value, local=bool(is_local))

    def current_setting(name: str, missing_ok: int = 0) -> str | None:
        return context.settings.get(name, missing_ok=bool(missing_ok))

    def pg_notify(channel: str | None, payload: str | None) -> None:
        context.notifications.notify(channel or "", payload)

    def pg_is_in_recovery() -> int:
        return int(context.settings.get("in_hot_standby") == "on")

    def cast(value: Any, source: int, target: int, typmod: int, explicit: int) -> Any:
        converted = casts.convert(from_storage(source)(value), source, target, typmod, tz=context.time_zone(),
                                  style=context.text_style(), explicit=bool(explicit))
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

    def json_value(value: Any, oid: int) -> str:
        quick = stored_json_text(value, oid)
        if quick is not None:
            return quick
        return json_text(from_storage(oid)(value), oid, context.time_zone(), context.text_style())

    def to_json(value: Any, oid: int, pretty: int | None) -> str | None:
        if value is None or pretty is None:
            return None
        return json_text(from_storage(oid)(value), oid, context.time_zone(), context.text_style(),
                         pretty=bool(pretty))

    def json_key(value: Any, oid: int) -> str | None:
        return key_text(from_storage(oid)(value), oid, context.time_zone(), context.text_style())

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
        moment = zone_names.at_time_zone(from_storage(oid)(value), oid, zone_name,
                                         context.transaction_timestamp())
        return to_storage(zone_names.AT_TIME_ZONE_RESULTS[oid])(moment)

    def local_time() -> str:
        return to_storage(t.TIME)(context.transaction_timestamp().astimezone(context.time_zone()).time()
                                  .replace(tzinfo=None))

    def current_time() -> str:
        moment = context.transaction_timestamp()
        return to_storage(t.TIMETZ)(casts.convert(moment, t.TIMESTAMPTZ, t.TIMETZ, tz=context.time_zone()))

    def current_date() -> str:
        return to_storage(t.DATE)(context.transaction_timestamp().astimezone(context.time_zone()).date())

    def local_timestamp() -> str:
        moment = context.transaction_timestamp().astimezone(context.time_zone()).replace(tzinfo=None)
        return to_storage(t.TIMESTAMP)(moment)

    def current_schema() -> str | None:
        existing = {schemas.PUBLIC, *schemas.user_schemas(connection)}
        return next((schema for schema in context.search_path() if schema in existing), None)

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
        "pg_notify": pg_notify,
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
        CURRENT_TIME: current_time,
        AGE: age_between,
        TO_CHAR: to_char,
        JSON_VALUE: json_value,
        TO_JSON: to_json,
        JSON_KEY: json_key,
    }


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
        raise DatabaseError(SUBSTRING_ERROR, "negative substring length not allowed")  # substring_error
    return max(start + length - max(start, 1), 0)


def _extreme(pick: Callable[..., Any], context: FunctionContext) -> Callable[..., Any]:
    """GREATEST/LEAST: NULLs ignored, values compared as their type orders them."""
    def choose(oid: int, *values: Any) -> Any:
        present = [value for value in values if value is not None]
        if not present:
            return None
        decode = from_storage(oid)
        tz = context.time_zone()
        return pick(present, key=lambda value: comparison_key(decode(value), oid, tz))
    return choose


def _fail_if(failed: int | None, sqlstate: str, message: str, hint: str | None = None) -> int:
    if failed:
        raise DatabaseError(sqlstate, message, hint=hint)
    return 1


def _not_null(value: Any, message: str) -> Any:
    if value is None:
        raise DatabaseError(NOT_NULL_VIOLATION, message)
    return value


def _immutable_cast(value: Any, source: int, target: int, typmod: int, explicit: int) -> Any:
    """A cast that reads no setting (`translate/immutable_casts.py` calls it only for those whose
    result does not depend on one)."""
    return to_storage(target)(casts.convert(from_storage(source)(value), source, target, typmod,
                                            explicit=bool(explicit)))


def _pure_functions() -> dict[str, Callable[..., Any]]:
    return {
        FAIL_IF: _fail_if,
        NOT_NULL: _not_null,
        IMMUTABLE_CAST: _immutable_cast,
        "upper": lambda value: None if value is None else letter_case.upper(str(value)),
        "lower": lambda value: None if value is None else letter_case.lower(str(value)),
        SUBSTRING_START: _substring_start,
        SUBSTRING_LENGTH: _substring_length,
        "like": _like(case_insensitive=False),
        ILIKE: _like(case_insensitive=True),
        "regexp": _regexp(0),
        REGEXP_I: _regexp(re.IGNORECASE),
        NUMBER_ARITH: numbers.number_arith,
        **{quick_arith_name(operator, oid): numbers.quick_arith(operator, oid)
           for operator in QUICK_ARITH_NAMES for oid in QUICK_ARITH_TYPES},
        ROW_COUNT: _row_count,
        BITWISE: numbers.bitwise,
        NEGATE: _negate,
        MATH: _math,
        JSON_GET: lambda document, oid, mode, *steps: json_get(document, oid, list(steps), bool(mode & 1),
                                                               along_path=bool(mode & JSON_GET_ALONG_PATH)),
        JSON_GET_PATH: lambda document, oid, as_text, path: json_get_path(document, oid, path, bool(as_text)),
        JSONB_HAS_KEYS: jsonb_has_keys,
        JSONB_CONTAINS: jsonb_contains,
        **json_processing.FUNCTIONS,
        SUBSCRIPT: _subscript,
        ARRAY_LENGTH: _array_length,
        TO_TIMESTAMP: _to_timestamp,
        FORMAT: format_text,
    }


_UNIX_EPOCH_USEC = far_dates.days_from_fields(1970, 1, 1) * far_dates.USECS_PER_DAY


def _to_timestamp(stored: float | str | None) -> str | None:
    """to_timestamp(seconds since 1970-01-01 00:00 UTC), as float8_timestamptz: ±infinity for an
    infinite number, 22008 for NaN and beyond PostgreSQL's range (not only datetime's)."""
    if stored is None:
        return None
    seconds = float(stored)
    if math.isnan(seconds):
        raise DatabaseError(DATETIME_VALUE_OUT_OF_RANGE, "timestamp cannot be NaN")
    if math.isinf(seconds):
        return to_storage(t.TIMESTAMPTZ)(codecs.INFINITY if seconds > 0 else codecs.NEG_INFINITY)
    usec = round(seconds * 1_000_000) + _UNIX_EPOCH_USEC
    if not far_dates.TIMESTAMP_MIN_USEC <= usec < far_dates.TIMESTAMP_END_USEC:
        raise DatabaseError(DATETIME_VALUE_OUT_OF_RANGE, f'timestamp out of range: "{seconds:g}"')
    return to_storage(t.TIMESTAMPTZ)(far_dates.timestamp_of_usec(usec, True))


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
            raise DatabaseError(INVALID_REGULAR_EXPRESSION, f"invalid regular expression: {error}") from None
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
        return numbers.number_negate(value, oid)
    return to_storage(oid)(operators.negate(from_storage(oid)(value), oid))


def _math(name: str, oid: int, value: Any, places: Any = None) -> Any:
    decoded = from_storage(oid)(value)
    if decoded is None or (name == "atan2" and places is None):
        return None
    if oid in t.FLOAT_TYPES:
        return stored_float(numbers.float_function(name, decoded, places))
    result = numbers.numeric_function(name, Decimal(decoded), places)
    if oid in t.INTEGER_TYPES and name in ("abs", "sign"):
        return check_integer(oid, int(result))
    return to_storage(t.NUMERIC)(result)
