"""PEP 249's type objects and constructors. A cursor's `description` gives each column's type as
its PostgreSQL type OID; the type objects compare equal to the OIDs of their group."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any


class TypeGroup:
    """A PEP 249 type object: equal to every OID of its group."""

    def __init__(self, name: str, oids: frozenset[int]) -> None:
        self.name = name
        self.oids = oids

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TypeGroup):
            return self.oids == other.oids
        return other in self.oids

    def __hash__(self) -> int:
        return hash(self.oids)

    def __repr__(self) -> str:
        return f"<{self.name}>"


# text, varchar, bpchar, name, char, json, jsonb, uuid, xml
STRING = TypeGroup("STRING", frozenset({25, 1043, 1042, 19, 18, 114, 3802, 2950, 142}))
BINARY = TypeGroup("BINARY", frozenset({17}))
# int2, int4, int8, oid, numeric, float4, float8, money
NUMBER = TypeGroup("NUMBER", frozenset({21, 23, 20, 26, 1700, 700, 701, 790}))
# date, time, timetz, timestamp, timestamptz, interval
DATETIME = TypeGroup("DATETIME", frozenset({1082, 1083, 1266, 1114, 1184, 1186}))
ROWID = TypeGroup("ROWID", frozenset({26, 27}))

Date = dt.date
Time = dt.time
Timestamp = dt.datetime


def DateFromTicks(ticks: float) -> dt.date:
    return dt.date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> dt.time:
    return dt.time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> dt.datetime:
    return dt.datetime(*time.localtime(ticks)[:6])


def Binary(data: Any) -> bytes:
    return bytes(data)
