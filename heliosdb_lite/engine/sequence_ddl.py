"""CREATE SEQUENCE, ALTER SEQUENCE and DROP SEQUENCE, rendered as calls of the sequence functions
(`functions`) that keep `_helios_sequences` and `_helios_sequence_options`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot import exp

from . import functions as fn
from .ddl_names import NO_OP, created, dropped, existing, sequence_exists

if TYPE_CHECKING:
    from .translate import Translator


def _unsupported(what: str) -> Exception:
    from .translate import unsupported

    return unsupported(what)


_ALTER_SEQUENCE = re.compile(
    r"\s*alter\s+sequence\s+(\w+(?:\.\w+)?)\s+restart(?:\s+(?:with\s+)?(-?\d+))?\s*;?\s*", re.IGNORECASE)


def _sequence_call(function: str, *arguments: str | int | None) -> str:
    """A statement that runs a sequence function for its effect and returns no rows."""
    listed = ", ".join("NULL" if a is None else str(a) if isinstance(a, int)
                       else "'" + a.replace("'", "''") + "'" for a in arguments)
    return f"SELECT 1 WHERE {function}({listed}) IS NULL"


def _sequence_option(properties: exp.Expression, name: str) -> int | None:
    value = properties.args.get(name)
    return None if value is None else int(value.sql("postgres"))


def create_sequence(translator: Translator, node: exp.Create) -> str:
    """CREATE SEQUENCE [IF NOT EXISTS] name [START [WITH] n] [INCREMENT [BY] n]."""
    name = created(translator, node, node.this)
    if node.args.get("exists") and sequence_exists(translator)(name):
        translator.notice(f'relation "{node.this.name}" already exists, skipping')
    found = [p for p in (node.args.get("properties") or exp.Properties()).expressions]
    properties = found[0] if found else exp.SequenceProperties()
    others = [key for key, value in properties.args.items() if value and key not in ("start", "increment")]
    if len(found) > 1 or not isinstance(properties, exp.SequenceProperties) or others:
        raise _unsupported(f"CREATE SEQUENCE option {', '.join(others) or found[-1].sql('postgres')}")
    return _sequence_call(fn.SEQUENCE_CREATE, name, _sequence_option(properties, "start"),
                          _sequence_option(properties, "increment"), int(bool(node.args.get("exists"))), 0)


def drop_sequence(translator: Translator, node: exp.Drop) -> str:
    names = [dropped(translator, table, "sequence", bool(node.args.get("exists")))
             for table in node.args.get("tables") or node.expressions]
    return "; ".join(_sequence_call(fn.SEQUENCE_DROP, name, 0) for name in names if name is not None) or NO_OP


def alter_sequence(translator: Translator, text: str) -> str | None:
    """ALTER SEQUENCE name RESTART [[WITH] n] as SQLite SQL; None for any other statement."""
    match = _ALTER_SEQUENCE.fullmatch(text)
    if match is None:
        return None
    start = None if match.group(2) is None else int(match.group(2))
    name = existing(translator, exp.to_table(match.group(1).lower()), sequence_exists(translator))
    return _sequence_call(fn.SEQUENCE_CREATE, name, start, None, 0, 1)
