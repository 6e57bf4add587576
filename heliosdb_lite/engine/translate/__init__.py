"""PostgreSQL statements → SQLite statements, typed: the heart of the engine.

One bottom-up walk over the parsed (PostgreSQL) tree resolves names through `Scope`s, gives
every expression its PostgreSQL type (`typing_rules`) and rewrites what SQLite would get wrong:

- quoted literals adopt the type their context asks for and are converted here, once
  (`'t'::boolean` → 1, `'2024-01-01 10:00'::timestamptz` → its UTC text, E'a\\nb' → 'a<LF>b');
- casts, numeric and date/time arithmetic, division and modulo, comparisons of types whose
  stored text does not order like the values, numeric sum/avg, ILIKE, ... become `helios_*`
  function calls (`functions.names`) with PostgreSQL's semantics;
- untyped `$n` parameters get PostgreSQL's inferred types (the column they are compared with or
  assigned to, LIMIT → int8, else text) and render as `?n`.

What cannot be translated faithfully raises 0A000 naming the construct; a wrong answer is worse
than an error. DDL is rendered by `ddl`, which uses this translator for its expressions.

The `Translator` here holds one statement's state (parameters and their inferred types, notices,
whether it locks rows) and what every part needs: `expr` (an expression, by the handler its type
has), `query`, `coerce` and `assign`, `condition`, and the names of stored objects. The handlers
live by kind, each module exporting its table keyed by expression type (`HANDLERS`), merged here
as sqlglot's generators merge `TRANSFORMS`: `expressions`, `operators`, `calls`, `queries`,
`ranges`, `records`, `user_functions` (calls of CREATE FUNCTION's functions, inlined); the
statements are `queries` and `dml`, table functions in FROM `table_functions`, the node builders
they share `nodes`, and what a translation produces `result`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlglot import exp

from heliosdb_lite.engine import pg_catalog
from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.sql.dialect import render
from heliosdb_lite.engine.store import domains as store_domains
from heliosdb_lite.engine.store import functions as store_functions
from heliosdb_lite.engine.store import schemas, user_types
from heliosdb_lite.engine.store.domains import Domain
from heliosdb_lite.engine.store.table_info import Catalog
from heliosdb_lite.engine.translate import (
    calls,
    dml,
    domain_values,
    expressions,
    operators,
    queries,
    ranges,
    records,
    user_functions,
)
from heliosdb_lite.engine.translate.nodes import call, parameter_number, storage_literal
from heliosdb_lite.engine.translate.result import OutputColumn, Translation, Typed, schema_of, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import array_typing, cast_contexts, casts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.engine.types.value_storage import to_storage
from heliosdb_lite.errors import (
    DATATYPE_MISMATCH,
    INVALID_NAME,
    INVALID_SCHEMA_NAME,
    SUCCESSFUL_COMPLETION,
    SYNTAX_ERROR,
    UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs.styles import DEFAULT_STYLE, TextStyle

Handler = Callable[["Translator", Any, Scope], Typed]  # (translator, node, scope) -> (node, type)
HANDLERS: dict[type[exp.Expr], Handler] = {
    **expressions.HANDLERS, **operators.HANDLERS, **calls.HANDLERS, **queries.HANDLERS, **ranges.HANDLERS,
    **records.HANDLERS, **user_functions.HANDLERS,
}
# the handlers of a node type's subclasses, for the types no entry above names
CLASS_HANDLERS: list[tuple[type[exp.Expr], Handler]] = [*queries.CLASS_HANDLERS, *calls.CLASS_HANDLERS]
SEQUENCE_WRITERS = frozenset({"nextval", "setval"})
_INT_WIDTH = {t.INT2: 2, t.INT4: 4, t.INT8: 8, t.OID: 8}


class Translator:
    """Translates one statement; a new Translator per statement."""

    def __init__(self, catalog: Catalog, source: str, param_oids: Sequence[int], tz: dt.tzinfo,
                 view_types: Callable[[str], dict[int, PgType]] | None = None,
                 search_path: tuple[str, ...] = (schemas.PUBLIC,), user: str = "postgres",
                 style: TextStyle = DEFAULT_STYLE, database: str = "postgres") -> None:
        self.catalog = catalog
        self.user = user
        self.database = database  # the session's (one store each: translations cached per database)
        self.search_path = search_path  # schema names, for names that are not schema-qualified
        self.view_types = view_types  # a view's recorded column types by position (`store.conventions`)
        self.text = source
        self.tz = tz
        self.style = style  # DateStyle and IntervalStyle: how literals of date/time types read
        self.params: dict[int, PgType] = {i + 1: PgType(oid) for i, oid in enumerate(param_oids) if oid}
        self.param_count = len(param_oids)
        self._domains: dict[int, Domain] | None = None
        self._functions: tuple[store_functions.Function, ...] | None = None
        self.inlining: list[int] = []  # the user-defined functions being inlined, outermost first
        self.inlined: set[int] = set()  # every user-defined function the statement calls
        self.translated_arguments: list[Typed] = []  # `user_functions.Translated`'s
        self.locks_rows = False
        self.notices: list[DatabaseError] = []

    def translate(self, tree: exp.Expr) -> Translation:
        """A query or a DML statement (DDL is `ddl`'s)."""
        if any(function.name.lower() in SEQUENCE_WRITERS for function in tree.find_all(exp.Anonymous)):
            self.locks_rows = True  # nextval/setval write the store: run as a writer, so they are journaled

        empty = pg_catalog.empty_result(tree)
        if empty is not None:  # psql's catalog queries over relations that have no rows here
            outputs = [OutputColumn(name, pg_type) for name, pg_type in empty]
            nulls = ", ".join(f'NULL AS "c{i}"' for i in range(len(outputs)))
            return self.result(f"SELECT {nulls} WHERE 0", "SELECT", outputs)
        if isinstance(tree, exp.Query | exp.Values):
            node, outputs = self.query(tree, Scope())
            return self.result(render(node, keep=False), "SELECT", queries.without_stand_in(outputs))
        if isinstance(tree, exp.Insert):
            return dml.insert(self, tree)
        if isinstance(tree, exp.Update):
            return dml.update(self, tree)
        if isinstance(tree, exp.Delete):
            return dml.delete(self, tree)
        if isinstance(tree, exp.Command):
            raise unsupported(_command_named(tree))
        if isinstance(tree, exp.Condition | exp.Alias):  # an expression where a statement must begin
            first = re.match(r"\s*([A-Za-z_][A-Za-z0-9_$]*|\S*)", self.text)
            raise DatabaseError(SYNTAX_ERROR, f'syntax error at or near "{first.group(1) if first else ""}"')
        raise unsupported(f"statement {type(tree).__name__.upper()}")

    def notice(self, message: str, detail: str | None = None) -> None:
        """A NOTICE for the client, sent when the statement has run (or has failed in translation)."""
        self.notices.append(DatabaseError(SUCCESSFUL_COMPLETION, message, detail=detail, severity="NOTICE"))

    def param_types(self) -> tuple[PgType, ...]:
        count = max([self.param_count, *self.params])
        return tuple(t.output_type(self.params.get(i, t.UNKNOWN_TYPE)) for i in range(1, count + 1))

    def result(self, sql: str, command: str, outputs: list[OutputColumn] | None,
               **extra: Any) -> Translation:
        columns = None if outputs is None else tuple(self._final_output(column) for column in outputs)
        return Translation(sql, command, columns, self.param_types(), locks_rows=self.locks_rows, **extra)

    def _final_output(self, column: OutputColumn) -> OutputColumn:
        if column.type is None:
            return column
        return OutputColumn(column.name, t.output_type(column.type))

    def query(self, node: exp.Expr, parent: Scope) -> tuple[exp.Expr, list[OutputColumn]]:
        """A SELECT / set operation / VALUES; returns the rewritten node and its output columns."""
        if isinstance(node, exp.Subquery):
            inner, outputs = self.query(node.this, parent)
            node.set("this", inner)
            return node, outputs
        if isinstance(node, exp.Select):
            return queries.select(self, node, parent)
        if isinstance(node, exp.SetOperation):
            return queries.set_operation(self, node, parent)
        if isinstance(node, exp.Values):
            return queries.values(self, node, parent)
        if isinstance(node, exp.Insert | exp.Update | exp.Delete):
            raise unsupported("data-modifying statements in WITH")
        raise unsupported(f"query {type(node).__name__}")

    def relation(self, table: exp.Table, exists: Callable[[str], bool] | None = None) -> str:
        """The storage name of the existing object `table` names: in its schema if qualified, else in
        the first schema of the search path that has one (`exists`: a table or view by default);
        found nowhere: the bare name, which SQLite then reports missing."""
        found = exists or (lambda stored: self.catalog.table(stored) is not None)
        return schemas.resolve(table.name, schema_of(table), self.search_path, found)

    def bind_relation(self, table: exp.Table) -> str:
        """Rewrites `table` to name its stored table or view (keeping the name it was referred by as
        its alias); returns the storage name. A schema-qualified name that names nothing: 42P01."""
        name = table.name
        stored = self.relation(table)
        schema = schema_of(table)
        if schema is not None and self.catalog.table(stored) is None:
            raise DatabaseError(UNDEFINED_TABLE, f'relation "{schema}.{name}" does not exist')
        if stored != name and not table.alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
        table.set("this", exp.to_identifier(stored, quoted=stored != name or table.this.quoted))
        table.set("db", None)
        return stored

    def resolve_type(self, data_type: exp.DataType) -> t.ResolvedType:
        """The type a type name in the statement denotes: a built-in one, or one the database
        defines (`store.user_types`), in its schema if qualified, else along the search path. A
        table's name, whose row type PostgreSQL also knows as a type, is refused (0A000), not
        missing."""
        try:
            resolved = t.resolve_datatype(data_type, self.defined_type)
        except DatabaseError as error:
            kind = data_type.args.get("kind")
            if error.sqlstate == UNDEFINED_OBJECT and isinstance(kind, exp.Identifier) \
                    and self.catalog.table(self.relation(exp.to_table(kind.name))) is not None:
                raise unsupported(f'the row type of table "{kind.name}" as a type') from None
            raise
        return domain_values.base_type(self, resolved)

    def domains(self) -> dict[int, Domain]:
        """The store's domains by OID (read once per statement)."""
        if self._domains is None:
            self._domains = store_domains.domains(self.catalog.connection)
        return self._domains

    def user_functions(self) -> tuple[store_functions.Function, ...]:
        """The store's user-defined functions (read once per statement)."""
        if self._functions is None:
            self._functions = store_functions.functions(self.catalog.connection)
        return self._functions

    def defined_type(self, schema: str | None, name: str) -> int | None:
        """The OID of the type the database defines that `schema.name` (schema None: the first
        schema of the search path that has one) names; None if there is none."""
        if schema is not None and schema not in schemas.SYSTEM_SCHEMAS | self.catalog.schemas():
            raise DatabaseError(INVALID_SCHEMA_NAME, f'schema "{schema}" does not exist')
        connection = self.catalog.connection
        stored = schemas.resolve(name, schema, self.search_path,
                                 lambda candidate: user_types.find(connection, candidate) is not None)
        found = user_types.find(connection, stored)
        return None if found is None else found.oid

    def new_object(self, table: exp.Expr) -> str:
        """The storage name of an object to create: in its schema if qualified, else in the first
        schema of the search path that exists (3F000 if there is none)."""
        if not isinstance(table, exp.Table):
            raise unsupported(f"object name {table.sql('postgres')}")
        if "." in table.name:
            raise DatabaseError(INVALID_NAME, f'names containing "." are not supported: "{table.name}"')
        existing = self.catalog.schemas()
        schema = schema_of(table)
        if schema is None:
            schema = next((s for s in self.search_path if s in existing), None)
            if schema is None:
                raise DatabaseError(INVALID_SCHEMA_NAME, "no schema has been selected to create in")
        elif schema in schemas.SYSTEM_SCHEMAS:
            raise unsupported(f"creating objects in schema {schema}")
        elif schema not in existing:
            raise DatabaseError(INVALID_SCHEMA_NAME, f'schema "{schema}" does not exist')
        return schemas.storage_name(schema, table.name)

    def constant(self, text: str, target: PgType, *, explicit: bool) -> exp.Expr:
        """A quoted literal converted, here and now, to the stored form of target."""
        value = codecs.decode_text(target.oid, text.encode(), tz=self.tz, style=self.style)
        if target.typmod >= 0:
            value = casts.apply_typmod(value, target.oid, target.typmod, explicit=explicit)
        return storage_literal(to_storage(target.oid)(value))

    def coerce(self, node: exp.Expr, source: PgType, target: PgType | None, *, mode: str = "implicit",
               ) -> exp.Expr:
        """node (of type source) as a value of type target. mode: implicit (operands; no type
        modifier), assignment (column values; 22001 when too long) or explicit (casts)."""
        if target is None or target.is_unknown:
            return node
        explicit = mode == "explicit"
        with_typmod = mode != "implicit" and target.typmod >= 0
        number = parameter_number(node)
        if source.is_unknown:
            if number is not None:
                self.params.setdefault(number, PgType(target.oid))
                source = self.params[number]
                if source.oid == target.oid:
                    return self._typmod(node, target, explicit) if with_typmod else node
            elif isinstance(node, exp.Literal) and node.is_string:
                if with_typmod and array_typing.is_array(target):  # the elements' modifier: when it runs
                    value = self.constant(node.this, PgType(target.oid), explicit=explicit)
                    return self._typmod(value, target, explicit)
                literal_target = target if with_typmod else PgType(target.oid)
                return self.constant(node.this, literal_target, explicit=explicit)
            elif isinstance(node, exp.Null):
                return node
            else:
                source = t.TEXT_TYPE
        if source.oid == t.BPCHAR and target.oid in (t.TEXT, t.VARCHAR):
            node = call("rtrim", node)  # char(n) as text or varchar loses its padding
        if source.oid == target.oid or (source.oid in t.STRING_TYPES and target.oid in t.STRING_TYPES):
            needs_typmod = with_typmod and target.typmod != source.typmod
            return self._typmod(node, target, explicit) if needs_typmod else node
        if (source.oid, target.oid) in cast_contexts.BINARY_COERCIBLE:  # citext <-> text: the same text
            if user_types.collation(source.oid) and not user_types.collation(target.oid):
                node = exp.Collate(this=node, expression=exp.Var(this="BINARY"))  # compared as text now
            return self._typmod(node, target, explicit) if with_typmod else node
        if source.oid in t.INTEGER_TYPES and target.oid in t.INTEGER_TYPES \
                and _INT_WIDTH[target.oid] >= _INT_WIDTH[source.oid]:
            return node
        if source.oid == t.FLOAT4 and target.oid == t.FLOAT8:
            return node  # a float4 is kept as the double of its single-precision value
        if source.oid in t.INTEGER_TYPES and target.oid == t.FLOAT8:
            return exp.Cast(this=node, to=exp.DataType.build("REAL"))
        if source.oid in t.INTEGER_TYPES and target.oid == t.NUMERIC and not with_typmod:
            if isinstance(node, exp.Literal):
                return exp.Literal.string(node.this)
            return exp.Cast(this=node, to=exp.DataType.build("TEXT"))
        typmod = target.typmod if with_typmod else -1
        if array_typing.is_array(source) and array_typing.is_array(target):
            return call(array_functions.CAST, node, source.oid, target.oid, typmod, int(explicit))
        return call(fn.CAST, node, source.oid, target.oid, typmod, int(explicit))

    def _typmod(self, node: exp.Expr, target: PgType, explicit: bool) -> exp.Expr:
        return call(fn.CAST, node, target.oid, target.oid, target.typmod, int(explicit))

    def assign(self, node: exp.Expr, source: PgType, target: PgType | None,
               column: str | None = None) -> exp.Expr:
        """A value written to a column of type target (PostgreSQL's assignment coercion); with the
        column's name, 42804 when its type has no assignment cast to target."""
        if column is not None:
            self.check_assignable(source, target, column)
        return self.assigned(node, source, target)

    def assigned(self, node: exp.Expr, source: PgType, target: PgType | None) -> exp.Expr:
        """A value written to a column of type target, assignable (`check_assignable`)."""
        return self.coerce(node, source, target, mode="assignment")

    @staticmethod
    def check_assignable(source: PgType, target: PgType | None, column: str) -> None:
        """42804 when a value of type source cannot be written to a column of type target."""
        if target is None or cast_contexts.can_coerce(source, target, cast_contexts.Context.ASSIGNMENT):
            return
        raise DatabaseError(DATATYPE_MISMATCH,
                            f'column "{column}" is of type {format_type(target.oid, -1)} but '
                            f"expression is of type {format_type(source.oid, -1)}",
                            hint="You will need to rewrite or cast the expression.")

    def condition(self, node: exp.Expr, scope: Scope, clause: str) -> exp.Expr:
        """A condition of the clause named (WHERE, JOIN/ON, CASE/WHEN, ...): 42804 for a value that
        is not a boolean (SQLite takes any nonzero number for true)."""
        translated, pg_type = self.expr(node, scope)
        if pg_type.oid not in (t.BOOL, t.UNKNOWN) and (pg_type.oid != t.TEXT or isinstance(node, exp.Column)):
            raise DatabaseError(DATATYPE_MISMATCH, f"argument of {clause} must be type boolean, not type "
                                                   f"{format_type(pg_type.oid, -1)}")
        return self.coerce(translated, pg_type, t.BOOL_TYPE)

    def expr(self, node: exp.Expr, scope: Scope) -> Typed:
        """The rewritten node and its PostgreSQL type."""
        if isinstance(node, exp.Func) and not isinstance(node, exp.Cast):
            self._drop_void_parameters(node)
        handler = HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node, scope)
        for cls, class_handler in CLASS_HANDLERS:
            if isinstance(node, cls):
                return class_handler(self, node, scope)
        return self.generic(node, scope)

    def _drop_void_parameters(self, call: exp.Func) -> None:
        """A function's `$n::void` arguments are dropped, as PostgreSQL's parser drops void-typed
        parameters of a function call (for JDBC's {call}): `now($1::void)` is now(), with $1 of type
        void (asyncpg's test_void)."""
        for key in ("this", "expressions"):
            value = call.args.get(key)
            items = value if isinstance(value, list) else [value]
            kept = [item for item in items if not self._void_parameter(item)]
            if len(kept) != len(items):
                call.set(key, kept if isinstance(value, list) else None)

    def _void_parameter(self, node: Any) -> bool:
        if not (isinstance(node, exp.Cast) and parameter_number(node.this) is not None):
            return False
        if self.resolve_type(node.args["to"]).pg_type.oid != t.VOID:
            return False
        number = parameter_number(node.this)
        assert number is not None
        self.param_count = max(self.param_count, number)
        self.params.setdefault(number, PgType(t.VOID))
        return True

    def generic(self, node: exp.Expr, scope: Scope) -> Typed:
        """An expression no handler takes: its operands translated, its type unknown."""
        for key, value in list(node.args.items()):
            if isinstance(value, exp.Identifier | exp.DataType | exp.Var):
                continue
            if isinstance(value, exp.Expression):
                node.set(key, self.expr(value, scope)[0])
            elif isinstance(value, list):
                node.set(key, [self.expr(item, scope)[0] if isinstance(item, exp.Expression) else item
                               for item in value])
        return node, t.UNKNOWN_TYPE


_MODIFIERS = frozenset({"temp", "temporary", "unlogged", "global", "local", "or", "replace", "unique"})


def _command_named(command: exp.Command) -> str:
    """What a statement sqlglot kept as a bare command is, by its leading words (`CREATE USER`,
    `CREATE TEMP TABLE`, `ALTER DOMAIN`): a refusal names what is refused, not just `CREATE`."""
    words = [command.name.upper()]
    for word in str(command.args.get("expression") or "").split():
        words.append(word.upper())
        if word.lower() not in _MODIFIERS or len(words) > 4:
            break
    return "statement " + " ".join(words)
