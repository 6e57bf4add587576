"""Values into JSON text, as PostgreSQL 15's json.c lays them out: json_build_array (`[1, "a"]`),
json_build_object (`{"k" : 1}`), json_object over text arrays (`{"k" : "v"}`), a row's fields
(`{"a":1,"b":2}`, row_to_json), an array of rows (`[{..},{..}]`, array_to_json(array_agg(t))), and
the aggregates json_agg (`[1, 2]`, a line break before each
array or row after the first) and json_object_agg (`{ "k" : 1, "l" : 2 }`).

Each value arrives as its JSON text (`json_values.json_text`, through `JSON_VALUE`) and each key as
its text (`json_values.key_text`, through `JSON_KEY`); the jsonb forms are these texts cast to jsonb
by the translator (jsonb's output orders keys, keeps the last of a duplicate and spaces its own way).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.functions.json_values import COMPACT, PRETTY, json_object_of_fields, quoted
from heliosdb_lite.engine.functions.names import (
    JSON_AGG,
    JSON_BUILD_ARRAY,
    JSON_BUILD_OBJECT,
    JSON_OBJECT_AGG,
    JSON_OBJECT_OF_ARRAYS,
    JSON_OF_FIELDS,
    JSON_ROWS_ARRAY_AGG,
    JSONB_AGG,
    JSONB_OBJECT_AGG,
)
from heliosdb_lite.engine.types.value_order import comparison_key
from heliosdb_lite.engine.types.value_storage import from_storage
from heliosdb_lite.errors import (
    ARRAY_SUBSCRIPT_ERROR,
    INVALID_PARAMETER_VALUE,
    NULL_VALUE_NOT_ALLOWED,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids


def build_array(*values: str) -> str:
    """json_build_array(value, ...)."""
    return "[" + ", ".join(values) + "]"


def build_object(jsonb: int, *pairs: Any) -> str:
    """json_build_object(key, value, ...) (jsonb: jsonb_build_object's errors)."""
    name = "jsonb_build_object" if jsonb else "json_build_object"
    if len(pairs) % 2:
        raise DatabaseError(INVALID_PARAMETER_VALUE, "argument list must have even number of elements",
                            hint=f"The arguments of {name}() must consist of alternating keys and values.")
    for index in range(0, len(pairs), 2):
        if pairs[index] is None:
            if jsonb:
                raise DatabaseError(INVALID_PARAMETER_VALUE, f"argument {index + 1}: key must not be null")
            raise DatabaseError(INVALID_PARAMETER_VALUE, f"argument {index + 1} cannot be null",
                                hint="Object keys should be text.")
    return "{" + ", ".join(f"{quoted(pairs[i])} : {pairs[i + 1]}" for i in range(0, len(pairs), 2)) + "}"


def of_fields(pretty: int | None, *fields: str) -> str | None:
    """A row's (name, JSON text, ...) fields as one object (pretty: a line break between fields)."""
    if pretty is None:
        return None
    pairs = list(zip(fields[::2], fields[1::2], strict=True))
    return json_object_of_fields(pairs, PRETTY if pretty else COMPACT)


def _text_array(stored: Any) -> list[Any]:
    return list(from_storage(oids.TEXT_ARRAY)(stored))


def _dimensions(values: list[Any]) -> int:
    if not values:
        return 0
    return 1 + (_dimensions(values[0]) if isinstance(values[0], list) else 0)


def _subscript_error(message: str) -> DatabaseError:
    return DatabaseError(ARRAY_SUBSCRIPT_ERROR, message)


def object_of_arrays(keys: Any, *values: Any) -> str | None:
    """json_object(text[]) (pairs, or a two-column array) and json_object(keys text[], values
    text[]): an object of string values."""
    if keys is None or None in values:
        return None
    items = _text_array(keys)
    if values:
        second = _text_array(values[0])
        if _dimensions(items) > 1 or _dimensions(second) > 1:
            raise _subscript_error("wrong number of array subscripts")
        if len(items) != len(second):
            raise _subscript_error("mismatched array dimensions")
        pairs = list(zip(items, second, strict=True))
    else:
        dimensions = _dimensions(items)
        if dimensions == 1:
            if len(items) % 2:
                raise _subscript_error("array must have even number of elements")
            pairs = list(zip(items[::2], items[1::2], strict=True))
        elif dimensions == 2:
            if len(items[0]) != 2:
                raise _subscript_error("array must have two columns")
            pairs = [(row[0], row[1]) for row in items]
        elif dimensions == 0:
            pairs = []
        else:
            raise _subscript_error("wrong number of array subscripts")
    if any(key is None for key, _ in pairs):
        raise DatabaseError(NULL_VALUE_NOT_ALLOWED, "null value not allowed for object key")
    return "{" + ", ".join(f"{quoted(key)} : {'null' if value is None else quoted(value)}"
                           for key, value in pairs) + "}"


class _FrameAggregate:
    """An aggregate (a window function too) of the pairs its rows give, oldest first; NULL for none.
    jsonb: the text normalised as jsonb prints it."""

    jsonb = False

    def __init__(self) -> None:
        self.pairs: deque[tuple[Any, Any]] = deque()

    def step(self, first: Any, second: Any) -> None:
        self.pairs.append((first, second))

    def inverse(self, first: Any, second: Any) -> None:
        self.pairs.popleft()

    def value(self) -> str | None:
        if not self.pairs:
            return None
        text = self.text()
        return codecs.normalize_jsonb(text) if self.jsonb else text

    def final(self) -> str | None:
        return self.value()

    def text(self) -> str:
        raise NotImplementedError


class JsonAggregate(_FrameAggregate):
    """json_agg(value): the (JSON text, structured) values as one array, a line break before an
    array or a row after the first."""

    def text(self) -> str:
        parts = [self.pairs[0][0]]
        for value, structured in itertools.islice(self.pairs, 1, None):
            parts.append(", \n " if structured and value != "null" else ", ")
            parts.append(value)
        return "[" + "".join(parts) + "]"


class JsonObjectAggregate(_FrameAggregate):
    """json_object_agg(key, value): `{ "key" : value, ... }`; 22023 for a NULL key."""

    def step(self, first: Any, second: Any) -> None:
        if first is None:
            raise DatabaseError(INVALID_PARAMETER_VALUE, "field name must not be null")
        super().step(first, second)

    def text(self) -> str:
        return "{ " + ", ".join(f"{quoted(key)} : {value}" for key, value in self.pairs) + " }"


class RowsArrayAggregate(_FrameAggregate):
    """array_agg(row) as to_json writes it, from the (row's JSON text, pretty) pairs: `[{..},{..}]`
    (pretty: a line break before each row after the first)."""

    def text(self) -> str:
        separator = PRETTY if self.pairs[0][1] else COMPACT
        return "[" + separator.join(value for value, _ in self.pairs) + "]"


class DistinctJsonAggregate:
    """json_agg(DISTINCT value [ORDER BY value [DESC] [NULLS ...]]) and jsonb_agg's: each value once
    (values equal as their type compares them are one: the first seen is written), in the type's
    order, as PostgreSQL sorts a DISTINCT aggregate's input. Its rows: the value's JSON text, whether
    it is structured, the stored value and its type OID, the order (descending, NULLs first) and
    jsonb."""

    def __init__(self, tz: dt.tzinfo) -> None:
        self.tz = tz
        self.values: list[tuple[Any, str]] = []  # (order key, JSON text); NULL's key is None
        self.nulls: list[str] = []
        self.shape = (0, 0, 0, 0)  # structured, descending, NULLs first, jsonb

    def step(self, text: str, structured: int, stored: Any, oid: int, descending: int, nulls_first: int,
             jsonb: int) -> None:
        self.shape = (structured, descending, nulls_first, jsonb)
        if stored is None:
            self.nulls[:] = [text]
        else:
            self.values.append((comparison_key(from_storage(oid)(stored), oid, self.tz), text))

    def final(self) -> str | None:
        structured, descending, nulls_first, jsonb = self.shape
        ordered = sorted(self.values, key=lambda item: item[0], reverse=bool(descending))
        distinct = [text for index, (key, text) in enumerate(ordered)
                    if index == 0 or ordered[index - 1][0] != key]
        texts = self.nulls + distinct if nulls_first else distinct + self.nulls
        if not texts:
            return None
        aggregate = JsonbAggregate() if jsonb else JsonAggregate()
        for text in texts:
            aggregate.step(text, structured)
        return aggregate.final()


class JsonbAggregate(JsonAggregate):
    """jsonb_agg(value)."""

    jsonb = True


class JsonbObjectAggregate(JsonObjectAggregate):
    """jsonb_object_agg(key, value) (the last of a duplicate key)."""

    jsonb = True


AGGREGATES: dict[str, type[_FrameAggregate]] = {
    JSON_AGG: JsonAggregate, JSONB_AGG: JsonbAggregate,
    JSON_OBJECT_AGG: JsonObjectAggregate, JSONB_OBJECT_AGG: JsonbObjectAggregate,
    JSON_ROWS_ARRAY_AGG: RowsArrayAggregate,
}
FUNCTIONS: dict[str, Callable[..., Any]] = {
    JSON_BUILD_ARRAY: build_array,
    JSON_BUILD_OBJECT: build_object,
    JSON_OF_FIELDS: of_fields,
    JSON_OBJECT_OF_ARRAYS: object_of_arrays,
}
