"""hstore's functions and operators (the extension's, PostgreSQL 15's hstore 1.8) over stored
values: an hstore is kept as its output text (`protocol.codecs.hstore`), a text[] as its array
text. One SQLite function, `helios_hstore(name, arguments...)`, runs them all by name (`OPERATIONS`);
populate_record reads the session's time zone and DateStyle (`functions`); hstore_cmp, the btree order
of hstore values, is `types.extension_types`'s.

Each follows hstore_op.c / hstore_io.c: NULL elements of a key array are skipped (hstoreArrayToPairs),
`->` of an array keeps the array's shape, `||` takes the right value of a key both have, `-` of an
hstore deletes only the pairs both have with equal values, `hstore(text[])` takes a flat array of an
even length or a two-column matrix, `hstore(keys, values)` arrays of the same length (2202E).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from heliosdb_lite.engine.types.value_storage import from_storage, to_storage
from heliosdb_lite.errors import ARRAY_SUBSCRIPT_ERROR, DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import hstore as values
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs import user_types as codec_types
from heliosdb_lite.protocol.codecs.composites import Record
from heliosdb_lite.protocol.codecs.hstore import Hstore
from heliosdb_lite.protocol.codecs.jsons import normalize_jsonb
from heliosdb_lite.protocol.codecs.styles import TextStyle

CALL = "helios_hstore"  # (name, arguments...)
POPULATE = "helios_hstore_populate_record"  # (row, composite OID, hstore)
ROWS = "helios_hstore_rows"  # table-valued (hstore): key, value, ordinality: each, skeys, svals
_TEXT_ARRAY = oids.TEXT_ARRAY
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")  # IsValidJsonNumber


@lru_cache(maxsize=256)
def _read(stored: str) -> Hstore:
    return values.parse(stored.encode())


def value(stored: str) -> Hstore:
    """A stored hstore as its dict (a copy: callers may change it)."""
    return dict(_read(stored))


def store(hstore: Hstore) -> str:
    return values.text(hstore)


def _array(stored: str) -> list[Any]:
    return list(from_storage(_TEXT_ARRAY)(stored))


def _store_array(items: list[Any]) -> str:
    return str(to_storage(_TEXT_ARRAY)(items))


def _flat(items: list[Any]) -> list[str | None]:
    """The elements of a stored array of any dimensions, in order."""
    flat: list[str | None] = []
    for item in items:
        flat.extend(_flat(item) if isinstance(item, list) else [item])
    return flat


def _keys(stored: str) -> list[str]:
    """A key array's keys: its elements but NULL ones."""
    return [key for key in _flat(_array(stored)) if key is not None]


def _subscript_error(message: str) -> DatabaseError:
    return DatabaseError(ARRAY_SUBSCRIPT_ERROR, message)


def _fetch(hstore: str, key: str) -> str | None:
    return _read(hstore).get(key)


def _fetch_many(hstore: str, keys: str) -> str:
    found = _read(hstore)

    def shaped(items: list[Any]) -> list[Any]:
        return [shaped(item) if isinstance(item, list) else (None if item is None else found.get(item))
                for item in items]

    return _store_array(shaped(_array(keys)))


def _exists_any(hstore: str, keys: str) -> bool:
    return any(key in _read(hstore) for key in _keys(keys))


def _exists_all(hstore: str, keys: str) -> bool:
    return all(key in _read(hstore) for key in _keys(keys))


def _defined(hstore: str, key: str) -> bool:
    return _read(hstore).get(key) is not None


def _contains(container: str, contained: str) -> bool:
    outer = _read(container)
    return all(key in outer and outer[key] == item for key, item in _read(contained).items())


def _concat(left: str, right: str) -> str:
    return store(values.build([*_read(right).items(), *_read(left).items()]))


def _delete(hstore: str, key: str) -> str:
    kept = value(hstore)
    kept.pop(key, None)
    return store(kept)


def _delete_keys(hstore: str, keys: str) -> str:
    gone = set(_keys(keys))
    return store({key: item for key, item in _read(hstore).items() if key not in gone})


def _delete_pairs(hstore: str, pairs: str) -> str:
    other = _read(pairs)
    return store({key: item for key, item in _read(hstore).items() if key not in other or other[key] != item})


def _slice(hstore: str, keys: str) -> str:
    found = _read(hstore)
    return store(values.build((key, found[key]) for key in _keys(keys) if key in found))


def _from_pair(key: str, item: str | None) -> str:
    return store({key: item})


def _from_arrays(keys: str, items: str | None) -> str:
    key_array = _array(keys)
    if any(isinstance(key, list) for key in key_array):
        raise _subscript_error("wrong number of array subscripts")
    if items is None:
        given: list[str | None] = [None] * len(key_array)
    else:
        item_array = _array(items)
        if any(isinstance(item, list) for item in item_array):
            raise _subscript_error("wrong number of array subscripts")
        if len(item_array) != len(key_array):
            raise _subscript_error("arrays must have same bounds")
        given = item_array
    if any(key is None for key in key_array):
        raise values.null_key()
    return store(values.build(zip(key_array, given, strict=True)))


def _from_array(array: str) -> str:
    items = _array(array)
    if items and isinstance(items[0], list):
        if any(isinstance(item, list) for row in items for item in row):
            raise _subscript_error("wrong number of array subscripts")
        if len(items[0]) != 2:
            raise _subscript_error("array must have two columns")
        flat = _flat(items)
    elif len(items) % 2:
        raise _subscript_error("array must have even number of elements")
    else:
        flat = items
    pairs = []
    for key, item in zip(flat[::2], flat[1::2], strict=True):
        if key is None:
            raise values.null_key()
        pairs.append((key, item))
    return store(values.build(pairs))


def _akeys(hstore: str) -> str:
    return _store_array(list(_read(hstore)))


def _avals(hstore: str) -> str:
    return _store_array(list(_read(hstore).values()))


def _to_array(hstore: str) -> str:
    return _store_array([part for pair in _read(hstore).items() for part in pair])


def _to_matrix(hstore: str) -> str:
    return _store_array([list(pair) for pair in _read(hstore).items()])


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _to_json(hstore: str, loose: bool = False) -> str:
    """hstore_to_json (loose: hstore_to_json_loose, t and f as booleans, numbers as numbers)."""
    if not _read(hstore):
        return "{}"
    parts = []
    for key, item in _read(hstore).items():
        if item is None:
            written = "null"
        elif loose and item in ("t", "f"):
            written = "true" if item == "t" else "false"
        elif loose and _is_json_number(item):
            written = item
        else:
            written = _json_string(item)
        parts.append(f"{_json_string(key)}: {written}")
    return "{" + ", ".join(parts) + "}"


def _is_json_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def _to_jsonb(hstore: str, loose: bool = False) -> str:
    return normalize_jsonb(_to_json(hstore, loose))


def _to_json_loose(hstore: str) -> str:
    return _to_json(hstore, loose=True)


def _to_jsonb_loose(hstore: str) -> str:
    return _to_jsonb(hstore, loose=True)


# name (PostgreSQL's C function's) -> the function of its stored arguments, none of them NULL (strict)
OPERATIONS: dict[str, Callable[..., Any]] = {
    "fetchval": _fetch, "slice_array": _fetch_many, "exist": lambda hstore, key: key in _read(hstore),
    "exists_any": _exists_any, "exists_all": _exists_all, "defined": _defined, "hs_contains": _contains,
    "hs_contained": lambda contained, container: _contains(container, contained),
    "hs_concat": _concat, "delete": _delete, "delete_array": _delete_keys, "delete_hstore": _delete_pairs,
    "slice": _slice, "akeys": _akeys, "avals": _avals, "hstore_to_array": _to_array,
    "hstore_to_matrix": _to_matrix, "hstore_to_json": _to_json, "hstore_to_jsonb": _to_jsonb,
    "hstore_to_json_loose": _to_json_loose, "hstore_to_jsonb_loose": _to_jsonb_loose,
    "hstore_from_array": _from_array,
}
# the functions that are not strict (a NULL argument does not make the result NULL by itself)
_NOT_STRICT: dict[str, Callable[..., Any]] = {"hstore_from_text": _from_pair,
                                              "hstore_from_arrays": _from_arrays}


def _call(name: str, *arguments: Any) -> Any:
    if name in _NOT_STRICT:
        if arguments[0] is None:
            return None
        return _NOT_STRICT[name](*arguments)
    if any(argument is None for argument in arguments):
        return None
    return OPERATIONS[name](*arguments)


def rows(hstore: str | None) -> Iterator[tuple[str, str | None, int]]:
    """The pairs of a stored hstore in its order, each with its position (each, skeys, svals)."""
    if hstore is None:
        return
    for position, (key, item) in enumerate(_read(hstore).items(), start=1):
        yield key, item, position


def populate_record(row: str | None, row_oid: int, hstore: str | None, tz: dt.tzinfo,
                    style: TextStyle) -> Any:
    """populate_record(row, hstore) of a composite type: the row (all NULL fields for a NULL row) with
    each attribute the hstore has a key of set from its value by the attribute type's input
    function (a NULL value: NULL); the row itself when the hstore is NULL."""
    if hstore is None:
        return row
    composite = codec_types.COMPOSITES[row_oid]
    pairs = _read(hstore)
    if row is not None and not pairs:
        return row
    fields = list(from_storage(row_oid)(row).values) if row is not None else [None] * len(composite.fields)
    for number, (name, oid, _) in enumerate(composite.fields):
        if name in pairs:
            text = pairs[name]
            fields[number] = None if text is None else \
                codecs.decode_text(oid, text.encode(), tz=tz, style=style)
    return to_storage(row_oid)(Record(tuple(fields), composite.field_oids))


def functions(time_zone: Callable[[], dt.tzinfo],
              text_style: Callable[[], TextStyle]) -> dict[str, Callable[..., Any]]:
    """The session's function of this module, for a session whose time zone and DateStyle these give
    (populate_record reads values by their types' input functions)."""
    def populate_stored(row: str | None, row_oid: int, hstore: str | None) -> Any:
        return populate_record(row, row_oid, hstore, time_zone(), text_style())

    return {POPULATE: populate_stored}


FUNCTIONS: dict[str, Callable[..., Any]] = {CALL: _call}
