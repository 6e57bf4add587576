"""Name resolution for the translator: which relations a query can see and their column types.

A Scope lists the relations of one query level (tables, derived tables, CTEs, `excluded` in ON
CONFLICT, table functions) and links to the enclosing level for correlated subqueries. Names
compare case-insensitively after the parser has folded unquoted identifiers, as SQLite does.

A table function in FROM (unnest, generate_series) is a SQLite table-valued function under its
alias, so that its arguments can refer to the FROM items before it; its columns have other names in
SQLite (`stored`: `value`, `ordinality`) and SQLite also sees its arguments as columns (`shown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from heliosdb_lite.engine.translate.result import unsupported
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.errors import AMBIGUOUS_COLUMN, DUPLICATE_ALIAS, DatabaseError


@dataclass(slots=True)
class Relation:
    """A table-like source: its visible name and (name, type) columns; types may be unknown."""

    name: str
    columns: list[tuple[str, PgType | None]]
    known: bool = True  # False: columns could not be determined (the SQL may still be valid)
    stored: tuple[str, ...] = ()  # a table function's: each column's name in SQLite, by position
    shown: frozenset[str] = frozenset()  # a table function's: every column name SQLite sees in it
    key: tuple[str, ...] = ()  # a table's primary key columns (the others depend on them in GROUP BY)
    storage: str | None = None  # a table's or view's storage name, a catalog relation's qualified name
    aliased: bool = False  # named by an alias in FROM (then `schema.table.column` cannot name it)

    def find(self, column: str) -> tuple[bool, PgType | None]:
        """Whether the relation has the column, and its type; 42702 when it has two of that name
        (a subquery's `select 1 as x, 2 as x`: SQLite would take the first)."""
        lowered = column.lower()
        found = [pg_type for name, pg_type in self.columns if name.lower() == lowered]
        if len(found) > 1:
            raise DatabaseError(AMBIGUOUS_COLUMN, f'column reference "{column}" is ambiguous')
        return (True, found[0]) if found else (False, None)

    @property
    def of_one_value(self) -> bool:
        """A table function of one column (unnest, jsonb_array_elements, ...): its name alone is its
        value, not a row, as PostgreSQL reads a function returning a scalar."""
        return bool(self.stored) and len(self.columns) == 1

    def stored_name(self, column: str) -> str | None:
        """A table function's column's name in SQLite (None: not a table function's column)."""
        lowered = column.lower()
        for (name, _), stored in zip(self.columns, self.stored, strict=False):
            if name.lower() == lowered:
                return stored
        return None

    def renamed(self, name: str, column_names: list[str] | None = None) -> Relation:
        columns = self.columns
        if column_names:
            columns = [(new, pg_type) for new, (_, pg_type) in zip(column_names, columns, strict=False)]
            columns += self.columns[len(column_names):]
        names = {old.lower(): new for (old, _), (new, _) in zip(self.columns, columns, strict=True)}
        key = tuple(names.get(column.lower(), column) for column in self.key)
        return Relation(name, columns, self.known, self.stored, self.shown, key)


@dataclass(slots=True)
class Scope:
    """The relations one query level sees, its CTEs, its output aliases, and its parent."""

    parent: Scope | None = None
    relations: list[Relation] = field(default_factory=list)
    ctes: dict[str, Relation] = field(default_factory=dict)
    outputs: dict[str, PgType] = field(default_factory=dict)
    clause: str | None = None  # the clause being translated where aggregates may not be (WHERE, ...)
    aggregated: bool = False  # an aggregate written in a subquery belongs to this level
    query: exp.Expr | None = None  # the SELECT this level is (`outer_aggregates` finds its clauses)
    grouped: frozenset[tuple[int, str]] | None = None  # a grouped SELECT's grouped (id(relation), column)
    hides_outputs: bool = False  # translating WHERE or HAVING, where output names are no columns

    def hides_output(self, name: str) -> bool:
        """Whether a bare name no relation has is an output column's that is not visible here
        (PostgreSQL's output names are columns only as GROUP BY and ORDER BY items): in this
        level's WHERE or HAVING, or in a subquery of the level; SQLite would take the output's
        value. Never when some relation's columns are unknown (it may be one of theirs)."""
        lowered = name.lower()
        level: Scope | None = self
        inner = True  # at this query level (ORDER BY and aggregates' ORDER BY have scopes under it)
        while level is not None:
            if lowered in level.outputs and (level.hides_outputs or not inner):
                return self.all_known()
            if level.query is not None:
                inner = False
            level = level.parent
        return False

    def all_known(self) -> bool:
        """Whether the columns of every relation this level and the enclosing ones see are known."""
        level: Scope | None = self
        while level is not None:
            if not all(relation.known for relation in level.relations):
                return False
            level = level.parent
        return True

    def groups(self, relation: Relation, column: str) -> bool:
        """Whether this grouped level's column may be used outside an aggregate: it is grouped, or
        the primary key of its table is."""
        grouped = self.grouped or frozenset()
        return (id(relation), column.lower()) in grouped or (
            bool(relation.key) and all((id(relation), key.lower()) in grouped for key in relation.key))

    def child(self) -> Scope:
        return Scope(parent=self)

    def add(self, relation: Relation) -> None:
        """A FROM item (or a statement's target) of this level: 42712 when another of the level has
        its name (PostgreSQL refuses `FROM t, t`; SQLite would only find the columns ambiguous)."""
        lowered = relation.name.lower()
        if not lowered.startswith(("?", "*")) \
                and any(other.name.lower() == lowered for other in self.relations):
            raise DatabaseError(DUPLICATE_ALIAS, f'table name "{relation.name}" specified more than once')
        self.relations.append(relation)

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
        relation = self.resolve(name, table)
        return relation.find(name)[1] if relation is not None else None

    def resolve(self, name: str, table: str | None = None) -> Relation | None:
        """The relation a column reference names (qualified: the relation of that name, whether or not
        it has the column). 42702 when a bare name is a column of a table function and of another
        relation of the same level (SQLite, seeing other names, would not notice)."""
        if table:
            return self.relation(table)
        scope: Scope | None = self
        while scope is not None:
            found = [relation for relation in scope.relations if relation.find(name)[0]]
            if len(found) > 1 and any(relation.stored for relation in found):
                raise DatabaseError(AMBIGUOUS_COLUMN, f'column reference "{name}" is ambiguous')
            if found:
                return found[0]
            scope = scope.parent
        return None

    def level_of(self, name: str, table: str | None = None) -> Scope | None:
        """The scope (query level) whose FROM item a column reference names; None when it names none,
        or when a bare name passes a relation whose columns are unknown (it may be that one's)."""
        scope: Scope | None = self
        while scope is not None:
            for relation in scope.relations:
                if (table and relation.name.lower() == table.lower()) \
                        or (not table and relation.find(name)[0]):
                    return scope
                if not table and not relation.known:
                    return None
            scope = scope.parent
        return None

    def shows(self, name: str, until: Relation | None = None) -> bool:
        """Whether SQLite would take a bare `name` for a column a table function shows it, at a
        level searched before the one of `until` (None: at any level)."""
        lowered = name.lower()
        scope: Scope | None = self
        while scope is not None:
            if any(lowered in relation.shown for relation in scope.relations):
                return True
            if until is not None and any(relation is until for relation in scope.relations):
                return False
            scope = scope.parent
        return False


def add_table_function(scope: Scope, node: exp.Table, name: str, relation_name: str,
                       columns: list[tuple[str, PgType | None]], stored: list[str],
                       shown: frozenset[str]) -> None:
    """Add to scope the relation of table function `name` in FROM (node): its columns, `ordinality`
    after them WITH ORDINALITY, renamed by the alias's column list (0A000 when the list is longer)."""
    if node.args.get("ordinality"):
        columns = [*columns, ("ordinality", t.INT8_TYPE)]
        stored = [*stored, "ordinality"]
    alias = node.args.get("alias")
    renames = [column.name for column in alias.columns] if alias is not None else []
    if len(renames) > len(columns):
        raise unsupported(f"a column alias list longer than {name}()'s columns")
    relation = Relation(relation_name, columns, stored=tuple(stored), shown=shown)
    scope.add(relation.renamed(relation_name, renames or None))
