"""Whether a name is taken in a schema, for naming a constraint or an index as PostgreSQL does
(ChooseConstraintName, ChooseRelationName), asked one candidate at a time of the stored SQL rather
than of the whole catalog (which DDL would otherwise read once per name it chooses).

A constraint's name is taken when the schema's stored SQL declares it (`CONSTRAINT "name"`, or a
record of `store.constraint_markers` naming it), when it is an index ALTER TABLE made for a key, or
when it is the name the catalog gives a key or foreign key SQLite keeps unnamed (`<table>_pkey`,
`<table>_<columns>_key`, `<table>_<columns>_fkey`) of a table whose name, with `_`, starts it. A
relation's name is taken by a table, view, index or sequence, or by a key's name as above.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from heliosdb_lite.engine.ddl.object_names import object_name
from heliosdb_lite.engine.sql.quoting import quote_name
from heliosdb_lite.engine.store import constraint_markers, constraint_names, schemas
from heliosdb_lite.engine.store.sequences import Sequences
from heliosdb_lite.engine.store.table_info import object_kind

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_KEYS = (constraint_markers.PRIMARY_KEY, constraint_markers.UNIQUE)


class TakenNames:
    """The names taken in one schema."""

    def __init__(self, translator: Translator, schema: str) -> None:
        self._connection = translator.catalog.connection
        self._schema = schema

    def constraint(self, name: str) -> bool:
        """Whether a constraint of the schema has the name."""
        if any(True for _ in self._declaring(name)):
            return True
        index = self._connection.execute("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?",
                                         (schemas.storage_name(self._schema, name),)).fetchone()
        if index is not None and any(r.kind in _KEYS for r in constraint_markers.recorded(index[0])):
            return True
        return name in self._unnamed(name, foreign_keys=True)

    def relation(self, name: str) -> bool:
        """Whether a table, view, index (a key's too) or sequence of the schema has the name."""
        stored = schemas.storage_name(self._schema, name)
        if object_kind(self._connection, stored) is not None or Sequences(self._connection).exists(stored):
            return True
        if any(r.kind in _KEYS and r.name == name for sql in self._declaring(name)
               for r in constraint_markers.recorded(sql)):
            return True
        return name in self._unnamed(name, foreign_keys=False)

    def _declaring(self, name: str) -> list[str]:
        """The stored SQL of the schema's objects that declares a constraint of this name."""
        rows: list[tuple[str, str]] = list(self._connection.execute(
            "SELECT tbl_name, sql FROM sqlite_schema WHERE instr(sql, ?1) OR instr(sql, ?2)",
            (f"CONSTRAINT {quote_name(name)}", constraint_markers.name_needle(name))))
        return [sql for table, sql in rows if schemas.split(table)[0] == self._schema]

    def _unnamed(self, name: str, *, foreign_keys: bool) -> set[str]:
        """The names the catalog gives the keys (and foreign keys) SQLite keeps of the tables whose
        names could start `name`."""
        tables: list[tuple[str]] = list(self._connection.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table'"))
        found: set[str] = set()
        for (stored,) in tables:
            schema, bare = schemas.split(stored)
            if schema != self._schema or not name.startswith(f"{bare}_"):
                continue
            keyed = self._connection.execute("SELECT 1 FROM pragma_table_info(?) WHERE pk > 0", (stored,))
            if keyed.fetchone():
                found.add(f"{bare}_pkey")
            autoindexes: list[tuple[str]] = list(self._connection.execute(
                "SELECT name FROM pragma_index_list(?) WHERE origin = 'u'", (stored,)))
            for (index,) in autoindexes:
                columns = [str(c) for (c,) in self._connection.execute(
                    "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,))]
                found.add(f"{bare}_{'_'.join(columns)}_key")
            if foreign_keys:
                keys: dict[int, list[str]] = {}
                for key, column in self._connection.execute(
                        'SELECT id, "from" FROM pragma_foreign_key_list(?) ORDER BY id, seq', (stored,)):
                    keys.setdefault(key, []).append(column)
                found |= {constraint_names.foreign_key(bare, columns) for columns in keys.values()}
        return found


def chosen_relation_name(translator: Translator, schema: str, name1: str, name2: str | None,
                         label: str, chosen: Collection[str] = ()) -> str:
    """PostgreSQL's ChooseRelationName: the storage name of `object_name` in `schema`, the label
    numbered (idx1, idx2, ...) until no relation of the schema (`TakenNames.relation`) has it, nor
    one of the names the statement chose before (`chosen`, bare)."""
    taken = TakenNames(translator, schema)
    suffix = 0
    while True:
        bare = object_name(name1, name2, f"{label}{suffix or ''}")
        if bare not in chosen and not taken.relation(bare):
            return schemas.storage_name(schema, bare)
        suffix += 1


def chosen_constraint_name(translator: Translator, schema: str, name1: str, name2: str | None, label: str,
                           chosen: Collection[str] = ()) -> str:
    """PostgreSQL's ChooseConstraintName: `object_name`, the label numbered (check1, check2, ...)
    until no constraint of the schema (`TakenNames.constraint`) has it, nor one the statement chose
    before (`chosen`)."""
    taken: Callable[[str], bool] = TakenNames(translator, schema).constraint
    suffix = 0
    while True:
        name = object_name(name1, name2, f"{label}{suffix or ''}")
        if name not in chosen and not taken(name):
            return name
        suffix += 1
