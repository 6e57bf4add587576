"""Python values in and out of the embedded engine exactly as psycopg sends and loads them, so the
two modes type parameters and return values alike.

Parameters go through psycopg's own adaptation (`Transformer.dump_sequence`, the `%s` format):
each value becomes bytes with a type OID (0 when the server should infer it, as for `str`), the
engine prepares the statement with those OIDs and the values are decoded by the types it settled
on, with the same codecs the server uses for a Bind message. Results are encoded as the server's
text output and loaded by psycopg's loaders (numeric → Decimal, json → objects, arrays → lists).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import Format

from heliosdb_lite.engine.interface import Column
from heliosdb_lite.protocol import codecs


class Adapter:
    """One session's parameter dumping and row loading (psycopg's `Transformer`, no connection)."""

    def __init__(self) -> None:
        self._transformer = Transformer()

    def dump(self, values: Sequence[Any]) -> tuple[tuple[int, ...], list[tuple[Format, bytes | None]]]:
        """The values' type OIDs (0: to be inferred) and their (format, bytes)."""
        transformer = self._transformer
        dumped = transformer.dump_sequence(values, [PyFormat.AUTO] * len(values))
        formats = transformer.formats or []
        return tuple(transformer.types or ()), [
            (fmt, None if raw is None else bytes(raw)) for fmt, raw in zip(formats, dumped, strict=True)]

    @staticmethod
    def decode(param_oids: Sequence[int], dumped: Sequence[tuple[Format, bytes | None]],
               zone: tzinfo) -> list[Any]:
        """The dumped values decoded by the types the engine inferred (as the server does a Bind)."""
        return [None if raw is None
                else codecs.decode_binary(oid, raw) if fmt == Format.BINARY
                else codecs.decode_text(oid, raw, tz=zone)
                for oid, (fmt, raw) in zip(param_oids, dumped, strict=True)]

    def load(self, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
             zone: tzinfo) -> list[tuple[Any, ...]]:
        """Engine rows as psycopg returns them: each value through the text the server would send."""
        loaders = [(column.type_oid, self._transformer.get_loader(column.type_oid, Format.TEXT).load)
                   for column in columns]
        return [tuple(None if value is None else load(codecs.encode_text(oid, value, tz=zone))
                      for (oid, load), value in zip(loaders, row, strict=True))
                for row in rows]
