"""The functions that work on stored json and jsonb values, as PostgreSQL 15's jsonfuncs.c does:
jsonb_set, jsonb_set_lax, jsonb_insert, the delete operators `-` (a key, keys, an index) and `#-`,
`||` on jsonb, json(b)_strip_nulls, jsonb_pretty, json(b)_typeof, json(b)_array_length, the rows
of json(b)_each(_text), json(b)_array_elements(_text) and json(b)_object_keys (the table-valued
`helios_json_rows`), those of json(b)_to_record(set) and json(b)_populate_record(set)
(`helios_json_records`), and the collation of stored jsonb values (`stored_order`).

A jsonb value is parsed (numbers keep their text, as numeric) and written back as jsonb_out writes
it. A json value keeps its input text: its members and elements are the exact spans of that text,
found by a scanner over the (already validated) document.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring
from typing import Any

from heliosdb_lite.engine.types import casts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.value_order import jsonb_key
from heliosdb_lite.engine.types.value_storage import to_storage
from heliosdb_lite.errors import (
    ARRAY_SUBSCRIPT_ERROR,
    INVALID_PARAMETER_VALUE,
    INVALID_TEXT_REPRESENTATION,
    NULL_VALUE_NOT_ALLOWED,
    STATEMENT_TOO_COMPLEX,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import jsons as json_codec
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.styles import TextStyle

JSONB_SET = "helios_jsonb_set"
JSONB_SET_LAX = "helios_jsonb_set_lax"
JSONB_INSERT = "helios_jsonb_insert"
JSONB_DELETE = "helios_jsonb_delete"
JSONB_DELETE_PATH = "helios_jsonb_delete_path"
JSONB_CONCAT = "helios_jsonb_concat"
JSON_STRIP_NULLS = "helios_json_strip_nulls"
JSONB_PRETTY = "helios_jsonb_pretty"
JSON_TYPEOF = "helios_json_typeof"
JSON_ARRAY_LENGTH = "helios_json_array_length"
JSONB_SUBSCRIPT_ASSIGN = "helios_jsonb_subscript_assign"  # UPDATE ... SET doc[...] = value
JSON_ROWS = "helios_json_rows"  # table-valued: (key, value, ordinality) of json(b)_each & co
JSON_RECORDS = "helios_json_records"  # table-valued: the fields of json(b)_to_record(set)
RECORD_COLUMNS = tuple(f"c{index}" for index in range(64))  # its columns (the fields, then NULLs)

# what `helios_json_rows` lists, by the function's PostgreSQL name (minus its json/jsonb prefix)
EACH, EACH_TEXT, ELEMENTS, ELEMENTS_TEXT, KEYS = "each", "each_text", "array_elements", \
    "array_elements_text", "object_keys"

# jsonfuncs.c's JB_PATH_* operations of setPath
_CREATE, _DELETE, _REPLACE, _INSERT_BEFORE, _INSERT_AFTER = 0x1, 0x2, 0x4, 0x8, 0x10
_FILL_GAPS, _CONSISTENT_POSITION = 0x20, 0x40  # a subscript's assignment: what is missing is made
_CREATE_OR_INSERT = _CREATE | _INSERT_BEFORE | _INSERT_AFTER
_TREATMENTS = ("delete_key", "return_target", "use_json_null", "raise_exception")

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_INTEGER = re.compile(r"[ \t\n\r\f\v]*([+-]?[0-9]+)")  # as strtoint reads an array index
_DECODER = json.JSONDecoder()


def _jsonb(document: str) -> Any:
    """A stored json or jsonb value parsed as jsonb reads it."""
    return json_codec.parse_jsonb(document)


def _out(value: Any) -> str:
    return json_codec.jsonb_text(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    return "number"


def _invalid(message: str, hint: str | None = None, sqlstate: str = INVALID_PARAMETER_VALUE) -> DatabaseError:
    return DatabaseError(sqlstate, message, hint=hint)


# -- json's own text ---------------------------------------------------------------------------


def _skip(text: str, index: int) -> int:
    found = _WHITESPACE.match(text, index)
    assert found is not None
    return found.end()


def _raw_end(text: str, index: int) -> int:
    """Where the (valid, stored) JSON value starting at index ends."""
    try:
        return int(_DECODER.raw_decode(text, index)[1])
    except RecursionError:
        raise DatabaseError(STATEMENT_TOO_COMPLEX, "stack depth limit exceeded") from None


def raw_members(text: str) -> tuple[str, list[tuple[str | None, str]]]:
    """The kind of a json document and, for an object, its (key, value text) members in order,
    duplicates included; for an array, its (None, element text) elements; else no members."""
    index = _skip(text, 0)
    opening = text[index:index + 1]
    if opening not in ("{", "["):
        return _kind(json.loads(text)) if opening != '"' else "string", []
    closing = "}" if opening == "{" else "]"
    members: list[tuple[str | None, str]] = []
    index = _skip(text, index + 1)
    while text[index] != closing:
        key = None
        if opening == "{":
            key, index = _DECODER.raw_decode(text, index)
            index = _skip(text, _skip(text, index) + 1)  # past the colon
        end = _raw_end(text, index)
        members.append((key, text[index:end]))
        index = _skip(text, end)
        if text[index] == ",":
            index = _skip(text, index + 1)
    return ("object" if opening == "{" else "array"), members


def json_member(text: str, step: int | str, along_path: bool) -> str | None:
    """The text of a json object's member (a text step; the last of that key) or array element (an
    integer step, or along a #> path a text one, from the end when negative); None when there is none."""
    kind, members = raw_members(text)
    if kind == "object" and isinstance(step, str):
        found = [value for key, value in members if key == step]
        return found[-1] if found else None
    index = array_index(step, along_path)
    if kind == "array" and index is not None and -len(members) <= index < len(members):
        return members[index][1]
    return None


def array_index(step: Any, along_path: bool) -> int | None:
    """The array index a step is: an integer, or along a #> path a text that is one."""
    if isinstance(step, int):
        return step
    if not along_path:
        return None
    try:
        return int(step)
    except (TypeError, ValueError):
        return None


def unquoted(text: str) -> str | None:
    """A json(b) value as the *_text functions give it: a string without its quotes, null as NULL."""
    if text == "null":
        return None
    return str(json.loads(text)) if text.startswith('"') else text


# -- scalar functions ----------------------------------------------------------------------------


def typeof(document: str | None) -> str | None:
    """json_typeof / jsonb_typeof."""
    if document is None:
        return None
    return raw_members(document)[0]


def array_length(document: str | None) -> int | None:
    """json_array_length / jsonb_array_length."""
    if document is None:
        return None
    kind, members = raw_members(document)
    if kind == "array":
        return len(members)
    what = "non-array" if kind == "object" else "scalar"
    raise _invalid(f"cannot get array length of a {what}")


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _strip(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value


def _json_stripped(text: str) -> str:
    """json_strip_nulls of a json text: members in their order (duplicates too), no spaces, strings
    escaped again, numbers as written."""
    kind, members = raw_members(text)
    if kind == "object":
        return "{" + ",".join(encode_basestring(str(key)) + ":" + _json_stripped(value)
                              for key, value in members if value != "null") + "}"
    if kind == "array":
        return "[" + ",".join(_json_stripped(value) for _, value in members) + "]"
    return encode_basestring(json.loads(text)) if kind == "string" else text.strip(" \t\n\r")


def strip_nulls(document: str | None, oid: int) -> str | None:
    """json_strip_nulls / jsonb_strip_nulls: object fields whose value is null removed, at every level."""
    if document is None:
        return None
    if oid == t.JSONB:
        return _out(_strip(_jsonb(document)))
    return _json_stripped(document)


def _pretty(value: Any, level: int, out: list[str]) -> None:
    if not isinstance(value, dict | list):
        out.append(_out(value))
        return
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    out.append(opening + "\n")
    items = sorted(value.items(), key=lambda pair: json_codec.key_order(pair[0])) if isinstance(value, dict) \
        else [(None, item) for item in value]
    for index, (key, item) in enumerate(items):
        out.append(",\n" if index else "")
        out.append("    " * (level + 1))
        if key is not None:
            out.append(encode_basestring(key) + ": ")
        _pretty(item, level + 1, out)
    out.append(("\n" if items else "") + "    " * level + closing)


def pretty(document: str | None) -> str | None:
    """jsonb_pretty: four spaces a level, an empty container's closing on a line of its own."""
    if document is None:
        return None
    out: list[str] = []
    _pretty(_jsonb(document), 0, out)
    return "".join(out)


# -- paths: jsonb_set, jsonb_insert, #- ----------------------------------------------------------


def _path(path: str) -> list[str | None]:
    steps = list(codecs.decode_text(oids.TEXT_ARRAY, path.encode()))
    if any(isinstance(step, list) for step in steps):
        raise DatabaseError(ARRAY_SUBSCRIPT_ERROR, "wrong number of array subscripts")
    return steps


def _set_path(value: Any, path: list[str | None], level: int, new: Any, operation: int) -> Any:
    """jsonfuncs.c's setPath: value with path[level:] set, inserted or deleted."""
    if path[level] is None:
        raise DatabaseError(NULL_VALUE_NOT_ALLOWED, f"path element at position {level + 1} is null")
    if isinstance(value, dict):
        return _set_in_object(value, path, level, new, operation)
    if isinstance(value, list):
        return _set_in_array(value, path, level, new, operation)
    if operation & _FILL_GAPS:
        raise _scalar_in_path()
    return value


def _scalar_in_path() -> DatabaseError:
    return DatabaseError(INVALID_PARAMETER_VALUE, "cannot replace existing key",
                         detail="The path assumes key is a composite object, but it is a scalar value.")


def _made(path: list[str | None], level: int, new: Any) -> Any:
    """jsonfuncs.c's push_path: the containers path[level:] names, made to hold new (an array,
    NULLs before the element, where a path element is an integer; else an object)."""
    if level == len(path):
        return new
    step = path[level]
    if step is None:
        raise DatabaseError(NULL_VALUE_NOT_ALLOWED, f"path element at position {level + 1} is null")
    found = _INTEGER.fullmatch(step)
    inner = _made(path, level + 1, new)
    if found is None:
        return {step: inner}
    return [None] * max(int(found.group(1)), 0) + [inner]


def _set_in_object(value: dict[str, Any], path: list[str | None], level: int, new: Any,
                   operation: int) -> dict[str, Any]:
    key = path[level]
    assert key is not None
    last = level == len(path) - 1
    result = dict(value)
    if key in value:
        if not last:
            result[key] = _set_path(value[key], path, level + 1, new, operation)
        elif operation & (_INSERT_BEFORE | _INSERT_AFTER):
            raise _invalid("cannot replace existing key",
                           "Try using the function jsonb_set to replace key value.")
        elif operation & _DELETE:
            del result[key]
        else:
            result[key] = new
    elif last and operation & _CREATE_OR_INSERT:
        result[key] = new
    elif operation & _FILL_GAPS:
        result[key] = _made(path, level + 1, new)
    return result


def _set_in_array(value: list[Any], path: list[str | None], level: int, new: Any,
                  operation: int) -> list[Any]:
    step = path[level]
    assert step is not None
    found = _INTEGER.fullmatch(step)
    index = int(found.group(1)) if found else 0
    if found is None or not -2**31 <= index < 2**31:
        raise DatabaseError(INVALID_TEXT_REPRESENTATION,
                            f'path element at position {level + 1} is not an integer: "{step}"')
    count = len(value)
    before_all = False
    if index < 0:
        if -index > count and operation & _CONSISTENT_POSITION:
            raise _invalid(f"path element at position {level + 1} is out of range: {index}")
        if -index > count:
            before_all = True
        else:
            index += count
    last = level == len(path) - 1
    if index >= count and operation & _FILL_GAPS:
        return [*value, *[None] * (index - count), new if last else _made(path, level + 1, new)]
    index = min(index, count)
    if (before_all or count == 0) and last and operation & _CREATE_OR_INSERT:
        return [new, *value]
    if before_all:
        return list(value)
    result: list[Any] = []
    for position, item in enumerate(value):
        if position == index and not last:
            result.append(_set_path(item, path, level + 1, new, operation))
        elif position == index:
            if operation & (_INSERT_BEFORE | _CREATE):
                result.append(new)
            if operation & (_INSERT_AFTER | _INSERT_BEFORE):
                result.append(item)
            if operation & (_INSERT_AFTER | _REPLACE):
                result.append(new)
        else:
            result.append(item)
            if operation & _CREATE_OR_INSERT and last and position == count - 1 and index == count:
                result.append(new)
    return result


def _changed(target: str, path: str, new: Any, operation: int, scalar_message: str) -> str:
    value = _jsonb(target)
    steps = _path(path)
    if not isinstance(value, dict | list):
        raise _invalid(scalar_message)
    if not steps or (operation & _DELETE and not value):
        return _out(value)
    return _out(_set_path(value, steps, 0, new, operation))


def subscript_assign(target: str | None, new: str | None, first_is_index: Any, *steps: str | None) -> str:
    """`UPDATE ... SET doc[s1][s2]... = new`: jsonb's subscripting assignment (setPath that makes what
    is missing: objects, arrays padded with NULLs); a NULL document starts as an empty array when the
    first subscript is an integer, else as an empty object; an SQL NULL new value is JSON null."""
    value = _jsonb(target) if target is not None else [] if first_is_index else {}
    if not isinstance(value, dict | list):
        raise _scalar_in_path()
    return _out(_set_path(value, list(steps), 0, None if new is None else _jsonb(new),
                          _CREATE | _FILL_GAPS | _CONSISTENT_POSITION))


def jsonb_set(target: str | None, path: str | None, new: str | None, create: Any) -> str | None:
    """jsonb_set(target, path, new_value, create_if_missing)."""
    if target is None or path is None or new is None or create is None:
        return None
    return _changed(target, path, _jsonb(new), _CREATE if create else _REPLACE, "cannot set path in scalar")


def jsonb_set_lax(target: str | None, path: str | None, new: str | None, create: Any,
                  treatment: str | None) -> str | None:
    """jsonb_set_lax: as jsonb_set, an SQL NULL new value handled as `treatment` says."""
    if target is None or path is None or create is None:
        return None
    if treatment is None or (new is None and treatment not in _TREATMENTS):
        raise _invalid('null_value_treatment must be "delete_key", "return_target", "use_json_null", '
                       'or "raise_exception"')
    if new is not None:
        return jsonb_set(target, path, new, create)
    if treatment == "raise_exception":
        raise DatabaseError(NULL_VALUE_NOT_ALLOWED, "JSON value must not be null",
                            detail='Exception was raised because null_value_treatment is "raise_exception".',
                            hint="To avoid, either change the null_value_treatment argument or ensure that "
                                 "an SQL NULL is not passed.")
    if treatment == "use_json_null":
        return jsonb_set(target, path, "null", create)
    if treatment == "delete_key":
        return delete_path(target, path)
    return target


def jsonb_insert(target: str | None, path: str | None, new: str | None, after: Any) -> str | None:
    """jsonb_insert(target, path, new_value, insert_after)."""
    if target is None or path is None or new is None or after is None:
        return None
    operation = _INSERT_AFTER if after else _INSERT_BEFORE
    return _changed(target, path, _jsonb(new), operation, "cannot set path in scalar")


def delete_path(target: str | None, path: str | None) -> str | None:
    """jsonb #- text[]."""
    if target is None or path is None:
        return None
    return _changed(target, path, None, _DELETE, "cannot delete path in scalar")


def delete(target: str | None, what: Any, kind: str) -> str | None:
    """jsonb - text (kind "key"), jsonb - text[] ("keys"), jsonb - int ("index")."""
    if target is None or what is None:
        return None
    value = _jsonb(target)
    if not isinstance(value, dict | list):
        raise _invalid("cannot delete from scalar")
    if kind == "index":
        if isinstance(value, dict):
            raise _invalid("cannot delete from object using integer index")
        index = int(what)
        if index < 0:
            index += len(value)
        return _out([item for position, item in enumerate(value) if position != index])
    keys = {what} if kind == "key" else {key for key in codecs.decode_text(oids.TEXT_ARRAY, what.encode())
                                         if isinstance(key, str)}
    if isinstance(value, dict):
        return _out({key: item for key, item in value.items() if key not in keys})
    return _out([item for item in value if not (isinstance(item, str) and item in keys)])


def concat(left: str | None, right: str | None) -> str | None:
    """jsonb || jsonb: two objects merged (the right one's keys win), else the elements of both
    as one array (a scalar or an object being one element)."""
    if left is None or right is None:
        return None
    first, second = _jsonb(left), _jsonb(right)
    if isinstance(first, dict) and isinstance(second, dict):
        return _out({**first, **second})
    elements = [*(first if isinstance(first, list) else [first]),
                *(second if isinstance(second, list) else [second])]
    return _out(elements)


# -- set-returning functions -----------------------------------------------------------------------


def _rows_error(function: str, prefix: str, kind: str) -> DatabaseError:
    """PostgreSQL's 22023 for a document of the wrong kind."""
    article = "an" if kind in ("array", "object") else "a"
    what = kind if kind in ("array", "object") else "scalar"
    if function == KEYS:
        return _invalid(f"cannot call {prefix}_object_keys on {article} {what}")
    if prefix == "jsonb" and function in (EACH, EACH_TEXT):
        return _invalid(f"cannot call jsonb_{function} on a non-object")
    if prefix == "jsonb":
        return _invalid(f"cannot extract elements from {article} {what}")
    if function in (EACH, EACH_TEXT):
        return _invalid("cannot deconstruct an array as an object" if kind == "array"
                        else "cannot deconstruct a scalar")
    return _invalid(f"cannot call json_{function} on {'a non-array' if kind == 'object' else 'a scalar'}")


def rows(document: str | None, oid: int, kind: str) -> Iterator[tuple[Any, Any, int]]:
    """The rows of json(b)_<kind>(document): (key, value, ordinality); key is None for the
    array functions, value None for object_keys (whose key is the row)."""
    if document is None:
        return
    prefix = "jsonb" if oid == t.JSONB else "json"
    found, members = raw_members(document)
    wanted = "array" if kind in (ELEMENTS, ELEMENTS_TEXT) else "object"
    if found != wanted:
        raise _rows_error(kind, prefix, found)
    if oid == t.JSONB and found == "object":
        parsed = _jsonb(document)
        members = [(key, _out(parsed[key])) for key in sorted(parsed, key=json_codec.key_order)]
    elif oid == t.JSONB:
        members = [(None, _out(item)) for item in _jsonb(document)]
    as_text = kind in (EACH_TEXT, ELEMENTS_TEXT)
    for position, (key, value) in enumerate(members, start=1):
        if kind == KEYS:
            yield key, None, position
        else:
            yield key, unquoted(value) if as_text else value, position


def _field(text: str, oid: int, typmod: int, tz: dt.tzinfo, style: TextStyle) -> Any:
    """A member's json text as the stored value of a column of type oid, as populate_record
    converts it: json and jsonb take the text, an array type a JSON array's elements, the other
    types the text (a string's without its quotes) through their input function."""
    if text == "null":
        return None
    if oid in (t.JSON, t.JSONB):
        value: Any = text if oid == t.JSON else json_codec.normalize_jsonb(text)
    elif codecs.type_by_oid(oid).elem_oid and text.startswith("["):
        value = _array_elements(text, codecs.type_by_oid(oid).elem_oid, tz, style)
    else:
        plain = str(json.loads(text)) if text.startswith('"') else text
        value = casts.convert(plain, t.TEXT, oid, typmod, tz=tz, style=style, explicit=False)
    return to_storage(oid)(value)


def _array_elements(text: str, element: int, tz: dt.tzinfo, style: TextStyle) -> list[Any]:
    items: list[Any] = []
    for _, item in raw_members(text)[1]:
        if item.startswith("["):
            items.append(_array_elements(item, element, tz, style))
        elif item == "null":
            items.append(None)
        else:
            plain = str(json.loads(item)) if item.startswith('"') else item
            items.append(casts.convert(plain, t.TEXT, element, tz=tz, style=style, explicit=False))
    return items


def records(document: str | None, oid: int, function: str, columns: str, tz: dt.tzinfo,
            style: TextStyle) -> Iterator[tuple[Any, ...]]:
    """The rows of `function`, json(b)_to_record(set) or json(b)_populate_record(set) (a NULL
    base), with these columns (a JSON list of [name, type oid, typmod]): each object's member of a
    column's name (of a repeated key, the last) converted to its type, NULL when there is none;
    then NULLs up to RECORD_COLUMNS."""
    several = function.endswith("recordset")
    if document is None:
        if not several:  # a row of NULLs
            yield (None,) * len(RECORD_COLUMNS)
        return
    prefix = "jsonb" if oid == t.JSONB else "json"
    found, members = raw_members(document)
    if not several:
        if found != "object":
            what = "an array" if found == "array" else "a scalar"
            raise _invalid(f"cannot call populate_composite on {what}")
        objects = [document]
    elif found != "array":
        what = "a non-array" if prefix == "jsonb" else "an object" if found == "object" else "a scalar"
        raise _invalid(f"cannot call {function} on {what}")
    else:
        objects = [item for _, item in members]
    wanted = json.loads(columns)
    padding = (None,) * (len(RECORD_COLUMNS) - len(wanted))
    for text in objects:
        kind_of, fields = raw_members(text)
        if kind_of != "object":
            raise _invalid(f"argument of {function} must be an array of objects")
        values = dict(fields)  # the last of a repeated key
        if oid == t.JSONB:
            values = {key: _out(value) for key, value in _jsonb(text).items()}
        yield tuple(_field(values[name], type_oid, typmod, tz, style) if name in values else None
                    for name, type_oid, typmod in wanted) + padding


def stored_order(left: str, right: str) -> int:
    """The collation of stored jsonb values: -1, 0 or 1 as PostgreSQL orders them (as texts when
    one is not jsonb: a UNION branch of another type)."""
    try:
        left_key, right_key = jsonb_key(left), jsonb_key(right)
    except DatabaseError:
        return (left > right) - (left < right)
    return (left_key > right_key) - (left_key < right_key)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    JSONB_SET: jsonb_set,
    JSONB_SET_LAX: jsonb_set_lax,
    JSONB_INSERT: jsonb_insert,
    JSONB_DELETE: delete,
    JSONB_DELETE_PATH: delete_path,
    JSONB_CONCAT: concat,
    JSON_STRIP_NULLS: strip_nulls,
    JSONB_PRETTY: pretty,
    JSON_TYPEOF: typeof,
    JSON_ARRAY_LENGTH: array_length,
    JSONB_SUBSCRIPT_ASSIGN: subscript_assign,
}
