"""Row values in SQL: ROW(...) made of stored fields (`ROW`), one field of a stored row
(`ROW_FIELD`) and IS [NOT] NULL field by field (`ROW_IS_NULL`), of an anonymous record or of a
composite type, in the stored forms of `value_storage`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.functions.names import ROW, ROW_FIELD, ROW_IS_NULL
from heliosdb_lite.engine.types.value_storage import from_storage, to_storage
from heliosdb_lite.protocol.codecs.composites import Record
from heliosdb_lite.protocol.codecs.oids import RECORD


def build(fields: list[tuple[int, Any]]) -> str:
    """The stored record of stored fields, each with its type OID."""
    record = Record(tuple(from_storage(oid)(value) for oid, value in fields), tuple(oid for oid, _ in fields))
    return to_storage(RECORD)(record)


def _build_stored(*arguments: Any) -> str:
    return build(list(zip(arguments[::2], arguments[1::2], strict=True)))


def field(row: Any, row_oid: int, number: int) -> Any:
    """Field `number` (from 0) of a stored row of type row_oid, stored; NULL for a NULL row."""
    if row is None:
        return None
    record: Record = from_storage(row_oid)(row)
    return to_storage(record.oids[number])(record.values[number])


def is_null(row: Any, row_oid: int, negated: int) -> int:
    """row IS NULL: the row is NULL or every field is; row IS NOT NULL (negated): the row is not NULL
    and no field is (so both are false for a row with some NULL fields)."""
    if row is None:
        return int(not negated)
    values = from_storage(row_oid)(row).values
    if negated:
        return int(all(value is not None for value in values))
    return int(all(value is None for value in values))


FUNCTIONS: dict[str, Callable[..., Any]] = {ROW: _build_stored, ROW_FIELD: field, ROW_IS_NULL: is_null}
