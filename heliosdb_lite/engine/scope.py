"""Name resolution for the translator: which relations a query can see and their column types.

A Scope lists the relations of one query level (tables, derived tables, CTEs, `excluded` in ON
CONFLICT) and links to the enclosing level for correlated subqueries. Names compare
case-insensitively after the parser has folded unquoted identifiers, as SQLite does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .pgtypes import PgType


@dataclass(slots=True)
class Relation:
    """A table-like source: its visible name and (name, type) columns; types may be unknown."""

    name: str
    columns: list[tuple[str, PgType | None]]
    known: bool = True  # False: columns could not be determined (the SQL may still be valid)

    def find(self, column: str) -> tuple[bool, PgType | None]:
        lowered = column.lower()
        for name, pg_type in self.columns:
            if name.lower() == lowered:
                return True, pg_type
        return False, None

    def renamed(self, name: str, column_names: list[str] | None = None) -> Relation:
        columns = self.columns
        if column_names:
            columns = [(new, pg_type) for new, (_, pg_type) in zip(column_names, columns, strict=False)]
            columns += self.columns[len(column_names):]
        return Relation(name, columns, self.known)


@dataclass(slots=True)
class Scope:
    """The relations one query level sees, its CTEs, its output aliases, and its parent."""

    parent: Scope | None = None
    relations: list[Relation] = field(default_factory=list)
    ctes: dict[str, Relation] = field(default_factory=dict)
    outputs: dict[str, PgType] = field(default_factory=dict)

    def child(self) -> Scope:
        return Scope(parent=self)

    def cte(self, name: str) -> Relation | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.ctes.get(name.lower())
            if found is not None:
                return found
            scope = scope.parent
        return None

    def relation(self, name: str) -> Relation | None:
        lowered = name.lower()
        scope: Scope | None = self
        while scope is not None:
            for relation in scope.relations:
                if relation.name.lower() == lowered:
                    return relation
            scope = scope.parent
        return None

    def column(self, name: str, table: str | None = None) -> PgType | None:
        """The type of a column reference (None when unknown or unresolvable)."""
        if table:
            relation = self.relation(table)
            return relation.find(name)[1] if relation is not None else None
        scope: Scope | None = self
        while scope is not None:
            for relation in scope.relations:
                found, pg_type = relation.find(name)
                if found:
                    return pg_type
            scope = scope.parent
        return None
