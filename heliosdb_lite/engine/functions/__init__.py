"""The SQL functions, aggregates, collations and table-valued functions registered on every
session's SQLite connection (`registration.register`): PostgreSQL's own that SQLite lacks or gets
wrong, and the `helios_*` helpers the translator emits (their names: `names`), one module per
family."""

from heliosdb_lite.engine.functions.registration import register

__all__ = ["register"]
