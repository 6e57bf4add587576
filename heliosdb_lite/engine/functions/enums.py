"""PostgreSQL's enum support functions over the enums the codecs have registered
(`protocol/codecs/user_types.py`): enum_first, enum_last and enum_range, given the enum's OID
(the translator passes the type of their argument) and answering labels in their stored form
(the label), arrays in their stored text form (`value_storage`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from heliosdb_lite.engine.functions.names import ENUM_FIRST, ENUM_LAST, ENUM_RANGE
from heliosdb_lite.errors import OBJECT_NOT_IN_PREREQUISITE_STATE, DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import user_types


def _labels(oid: int) -> list[str]:
    return [label for label, _ in user_types.ENUMS[oid].labels]


def _end(oid: int, last: bool) -> str:
    """The enum's first or last label; 55000 for an enum without any, as PostgreSQL."""
    labels = _labels(oid)
    if not labels:
        raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE,
                            f"enum {user_types.ENUMS[oid].name} contains no values")
    return labels[-1 if last else 0]


def enum_first(oid: int) -> str:
    return _end(oid, last=False)


def enum_last(oid: int) -> str:
    return _end(oid, last=True)


def enum_range(oid: int, low: str | None, high: str | None) -> str:
    """The labels from `low` to `high` (None: from the first, to the last), as the stored text of
    the enum's array type."""
    labels = _labels(oid)
    start = 0 if low is None else labels.index(low)
    stop = len(labels) if high is None else labels.index(high) + 1
    enum = user_types.ENUMS[oid]
    return codecs.encode_text(enum.array_oid, labels[start:stop]).decode()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    ENUM_FIRST: enum_first, ENUM_LAST: enum_last, ENUM_RANGE: enum_range}
