"""Python generators as SQLite table-valued functions (eponymous virtual tables of apsw.ext).

`register` is the one way the engine, replay and replication put a row generator on a connection:
the generator's parameters are the function's arguments, each row it yields is a tuple of the
given columns.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

import apsw
import apsw.ext

Rows = Callable[..., Iterable[tuple[Any, ...]]]


class TableFunction:
    """A row generator with what apsw.ext.make_virtual_module reads off its callable: the column
    names, how a row's values are found (by index) and the parameters (from the signature)."""

    column_access = apsw.ext.VTColumnAccess.By_Index
    primary_key: int | None = None  # SQLite numbers the rows itself

    def __init__(self, rows: Rows, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.__signature__ = inspect.signature(rows)
        self._rows = rows

    def __call__(self, *args: Any, **kwargs: Any) -> Iterable[tuple[Any, ...]]:
        return self._rows(*args, **kwargs)


def register(connection: apsw.Connection, name: str, rows: Rows, columns: tuple[str, ...]) -> None:
    """Make `rows` the table-valued function `name` of `connection`, with result `columns`."""
    function = TableFunction(rows, columns)
    apsw.ext.make_virtual_module(connection, name, function)  # type: ignore[arg-type]  # apsw declares columns: tuple[str] (one name)
