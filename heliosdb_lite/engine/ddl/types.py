"""CREATE TYPE ... AS ENUM, ALTER TYPE (ADD VALUE, RENAME VALUE, RENAME TO, OWNER TO) and DROP TYPE
(composite types' CREATE and ALTER ... ATTRIBUTE in `composite_types`, range types' CREATE in
`range_types`),
read from the statement's tokens and rendered as writes to the store's type tables
(`store.user_types`), checked against the store when they are translated, with PostgreSQL's errors.

Every statement changes SQLite's schema version (`object_names.schema_version_bump`), so
translations made under the old definitions are not reused and every connection registers the new
ones with the codecs (`store.table_info.Catalog.schema_version`). ADD VALUE gives the new label
PostgreSQL's sort order: one past its neighbour at either end, else halfway between its
neighbours (all labels numbered again when a half no longer falls between them). RENAME VALUE
rewrites the stored values of the enum's columns, enum and array. DROP TYPE refuses with 2BP01
while columns use the type (or its array type; of a range type also its multirange and that one's
array type), and CASCADE drops those columns; a range type's multirange goes with it, and is not
dropped alone (2BP01 as in PostgreSQL).
Other kinds of CREATE TYPE (base and shell types) are refused with 0A000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.tokens import TokenType

from heliosdb_lite.engine import extensions
from heliosdb_lite.engine.ddl import composite_types, range_types
from heliosdb_lite.engine.ddl.alter import columns_dropped
from heliosdb_lite.engine.ddl.object_names import (
    NO_OP,
    cascade_notice,
    object_kind,
    refuse_dependents,
    schema_version_bump,
)
from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.quoting import quote_identifier, quote_name, string_literal
from heliosdb_lite.engine.sql.statement_words import Words, syntax_error
from heliosdb_lite.engine.store import functions as stored_functions
from heliosdb_lite.engine.store import schemas, user_types
from heliosdb_lite.engine.store.user_types import LABELS_TABLE, RANGES_TABLE, TYPES_TABLE, StoredType
from heliosdb_lite.engine.translate.result import Translation, schema_of, unsupported
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    DEPENDENT_OBJECTS_STILL_EXIST,
    DUPLICATE_OBJECT,
    INVALID_NAME,
    INVALID_PARAMETER_VALUE,
    UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
    UNIQUE_VIOLATION,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.strings import NAME_MAX_BYTES

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator


def is_type_statement(sql: str) -> bool:
    return parsing.first_words(sql, 2) in (["create", "type"], ["alter", "type"], ["drop", "type"])


def translate(translator: Translator, sql: str) -> Translation:
    """The SQLite statements and notices of a CREATE/ALTER/DROP TYPE statement."""
    words = _TypeWords(parsing.tokenize(sql))
    verb = words.next_word()
    words.expect("type")
    if verb == "create":
        statements, command = _create(translator, words, sql), "CREATE TYPE"
    elif verb == "alter":
        statements, command = _alter(translator, words, sql), "ALTER TYPE"
    else:
        statements, command = _drop(translator, words), "DROP TYPE"
    rendered = [*statements, *schema_version_bump(TYPES_TABLE, "name")] if statements else [NO_OP]
    return Translation("; ".join(rendered), command, None, (), schema_change=True,
                       notices=tuple(translator.notices))


class _TypeWords(Words):
    """The token reader, with the names and labels of type statements."""

    def expect(self, word: str) -> None:
        """42601 unless `word` comes next, naming what does as PostgreSQL does (a string quoted)."""
        if not self.accept(word):
            token = self.token()
            quoted = token is not None and token.token_type == TokenType.STRING
            raise syntax_error(string_literal(token.text) if quoted and token is not None else self.peek())

    def type_name(self) -> exp.Table:
        """A possibly schema-qualified type name (a quoted one keeps its quotes: `"char"`)."""
        parts = [self._identifier()]
        while self.accept("."):
            parts.append(self._identifier())
        if len(parts) > 2:
            raise unsupported(f"type name {'.'.join(part.name for part in parts)}")
        return exp.Table(this=parts[-1], db=parts[0] if len(parts) == 2 else None)

    def _identifier(self) -> exp.Identifier:
        token = self.token()
        quoted = token is not None and token.token_type == TokenType.IDENTIFIER
        return exp.Identifier(this=self.name(), quoted=quoted)

    def label(self) -> str:
        """A quoted enum label (42601 on anything else; 42602 for one longer than a name)."""
        token = self.token()
        if token is None or token.token_type != TokenType.STRING:
            raise syntax_error(self.peek())
        self.index += 1
        if len(token.text.encode()) > NAME_MAX_BYTES:
            raise DatabaseError(INVALID_NAME, f'invalid enum label "{token.text}"',
                                detail=f"Labels must be {NAME_MAX_BYTES} bytes or less.")
        return token.text


def _create(translator: Translator, words: _TypeWords, sql: str) -> list[str]:
    """CREATE TYPE name AS ENUM ('label' [, ...]) | AS (attribute type [, ...]) | AS RANGE (...)."""
    table = words.type_name()
    if not words.accept("as"):
        raise unsupported("CREATE TYPE other than AS ENUM, AS RANGE or AS (...) (base and shell types)")
    if words.accept("range"):
        return range_types.created(translator, translator.new_object(table), words, sql,
                                   lambda stored: _type_exists(translator, stored))
    if words.peek() == "(":
        stored = translator.new_object(table)
        if _type_exists(translator, stored):
            raise DatabaseError(DUPLICATE_OBJECT, f'type "{table.name}" already exists')
        return composite_types.created(translator, stored, sql)
    words.expect("enum")
    words.expect("(")
    labels: list[str] = []
    while not words.accept(")"):
        if labels:
            words.expect(",")
        labels.append(words.label())
    words.end()
    stored = translator.new_object(table)
    connection = translator.catalog.connection
    if _type_exists(translator, stored):
        raise DatabaseError(DUPLICATE_OBJECT, f'type "{table.name}" already exists')
    oid, array_oid, *label_oids = user_types.new_oids(connection, 2 + len(labels))
    repeated = next((label for number, label in enumerate(labels) if label in labels[:number]), None)
    if repeated is not None:
        raise DatabaseError(UNIQUE_VIOLATION,
                            'duplicate key value violates unique constraint "pg_enum_typid_label_index"',
                            detail=f"Key (enumtypid, enumlabel)=({oid}, {repeated}) already exists.")
    statements = [*user_types.CREATE_TABLES,
                  f"INSERT INTO {TYPES_TABLE} (oid, name, array_oid, kind) VALUES ({oid}, "
                  f"{string_literal(stored)}, {array_oid}, {string_literal(user_types.ENUM_KIND)})"]
    statements += [_label_inserted(oid, label_oid, float(number + 1), label)
                   for number, (label_oid, label) in enumerate(zip(label_oids, labels, strict=True))]
    return statements


def _type_exists(translator: Translator, stored: str) -> bool:
    """Whether a type has the storage name: one the database defines, or a table's or view's row type."""
    connection = translator.catalog.connection
    return user_types.find(connection, stored) is not None \
        or object_kind(connection, stored) in ("table", "view")


def _label_inserted(type_oid: int, oid: int, order: float, label: str) -> str:
    return (f"INSERT INTO {LABELS_TABLE} (oid, type_oid, sort_order, label) "
            f"VALUES ({oid}, {type_oid}, {order!r}, {string_literal(label)})")


def _named_type(translator: Translator, table: exp.Table) -> StoredType | None:
    """The type the database defines that `table` names (in its schema, or along the search path)."""
    connection = translator.catalog.connection
    stored = schemas.resolve(table.name, schema_of(table), translator.search_path,
                             lambda candidate: user_types.find(connection, candidate) is not None)
    return user_types.find(connection, stored)


def _builtin(table: exp.Table) -> codecs.TypeInfo | None:
    """The built-in type a name denotes (pg_catalog's), None for another name."""
    if schema_of(table) not in (None, "pg_catalog"):
        return None
    name = f'"{table.name}"' if table.this.quoted else table.name
    try:
        return codecs.type_by_name(name)
    except DatabaseError:
        return None


def _existing(translator: Translator, table: exp.Table, kind: str | None = None) -> StoredType:
    """The type an ALTER TYPE names: 42704 if no type has the name, 42809 if it is not an enum (of
    `kind` when given)."""
    found = _named_type(translator, table)
    if found is not None:
        if kind is not None and found.kind != kind:
            raise DatabaseError(WRONG_OBJECT_TYPE, f"{found.shown} is not an enum")
        return found
    builtin = _builtin(table)
    if builtin is not None:
        raise DatabaseError(WRONG_OBJECT_TYPE, f"{format_type(builtin.oid, -1)} is not an enum")
    raise DatabaseError(UNDEFINED_OBJECT, f'type "{table.name}" does not exist')


def _alter(translator: Translator, words: _TypeWords, sql: str) -> list[str]:
    """ALTER TYPE name ADD VALUE | RENAME VALUE | RENAME TO | OWNER TO | ADD, DROP, ALTER or RENAME
    ATTRIBUTE."""
    table = words.type_name()
    provided = _named_type(translator, table)
    if provided is not None and provided.kind == user_types.BASE_KIND and words.peek() != "owner":
        raise unsupported(f"ALTER TYPE of {provided.shown}, a type extension "
                          f"{_extension_name(provided)} provides")
    if words.accept("owner", "to"):
        role = words.name()
        words.end()
        _existing(translator, table)
        if role not in ("current_user", "session_user", "current_role", translator.user):
            raise unsupported(f'a type owned by role "{role}": roles are the server\'s users, and a type is '
                              "owned by the user who creates it")
        return []
    if words.accept("add", "value"):
        return _value_added(translator, _existing(translator, table, user_types.ENUM_KIND), words)
    if words.accept("rename", "value"):
        old = words.label()
        words.expect("to")
        new = words.label()
        words.end()
        return _value_renamed(translator, _existing(translator, table, user_types.ENUM_KIND), old, new)
    if any(words.accept(verb, "attribute") for verb in ("add", "drop", "alter", "rename")):
        found = _named_type(translator, table)
        if found is None or found.kind != user_types.COMPOSITE_KIND:  # a composite's relation
            raise DatabaseError(UNDEFINED_TABLE, f'relation "{table.name}" does not exist')
        users = [f"{schemas.split(column.table)[1]}.{column.column}"
                 for column in columns_of(translator, found)]
        return composite_types.altered(translator, found, words, sql, users)
    if words.accept("rename", "to"):
        new_name = words.name()
        words.end()
        found = _existing(translator, table)
        renamed = schemas.storage_name(found.schema, new_name)
        if _type_exists(translator, renamed):
            raise DatabaseError(DUPLICATE_OBJECT, f'type "{new_name}" already exists')
        return [f"UPDATE {TYPES_TABLE} SET name = {string_literal(renamed)} WHERE oid = {found.oid}"]
    raise unsupported(f"ALTER TYPE {' '.join(word.upper() for word in _rest(words))}")


def _rest(words: Words) -> list[str]:
    rest: list[str] = []
    while not words.at_end() and len(rest) < 3:
        rest.append(words.next_word())
    return rest


@dataclass(frozen=True, slots=True)
class _Placement:
    """Where ADD VALUE puts its label: BEFORE or AFTER an existing one, or at the end."""

    before: bool
    neighbour: str | None


def _value_added(translator: Translator, enum: StoredType, words: _TypeWords) -> list[str]:
    """ADD VALUE [IF NOT EXISTS] 'label' [BEFORE | AFTER 'label']."""
    if_not_exists = words.accept("if", "not", "exists")
    label = words.label()
    placement = _Placement(False, None)
    if words.accept("before") or words.accept("after"):
        placement = _Placement(words.tokens[words.index - 1].text.lower() == "before", words.label())
    words.end()
    labels = [existing for existing, _ in enum.labels]
    if label in labels:
        if if_not_exists:
            translator.notice(f'enum label "{label}" already exists, skipping')
            return []
        raise DatabaseError(DUPLICATE_OBJECT, f'enum label "{label}" already exists')
    if placement.neighbour is not None and placement.neighbour not in labels:
        raise DatabaseError(INVALID_PARAMETER_VALUE, f'"{placement.neighbour}" is not an existing enum label')
    (oid,) = user_types.new_oids(translator.catalog.connection, 1)
    orders = [order for _, order in enum.labels]
    if placement.neighbour is None:
        position = len(labels)
    else:
        position = labels.index(placement.neighbour) + (0 if placement.before else 1)
    order = _order_between(orders[position - 1] if position > 0 else None,
                           orders[position] if position < len(orders) else None)
    if order is not None:
        return [_label_inserted(enum.oid, oid, order, label)]
    renumbered = [*enum.label_oids[:position], oid, *enum.label_oids[position:]]
    statements = [_label_inserted(enum.oid, oid, 0.0, label)]
    return statements + [f"UPDATE {LABELS_TABLE} SET sort_order = {float(number + 1)!r} "
                         f"WHERE oid = {label_oid}" for number, label_oid in enumerate(renumbered)]


def _order_between(low: float | None, high: float | None) -> float | None:
    """pg_enum's sort order for a label between two (None: at that end); None when no number is
    left between them (the labels must be numbered again)."""
    if low is None and high is None:
        return 1.0
    if low is None:
        assert high is not None
        return high - 1
    if high is None:
        return low + 1
    middle = (low + high) / 2
    return middle if low < middle < high else None


def _value_renamed(translator: Translator, enum: StoredType, old: str, new: str) -> list[str]:
    """RENAME VALUE 'old' TO 'new': the label, and the values stored in the enum's columns."""
    labels = [label for label, _ in enum.labels]
    if old not in labels:
        raise DatabaseError(INVALID_PARAMETER_VALUE, f'"{old}" is not an existing enum label')
    if new in labels:
        raise DatabaseError(DUPLICATE_OBJECT, f'enum label "{new}" already exists')
    statements = []
    for column in columns_of(translator, enum):
        target = f"{quote_name(column.table)}.{quote_name(column.column)}"
        if column.array:  # its text form is a text[]'s: the labels are its elements
            replaced = f"{array_functions.REPLACE}({target}, {oids.TEXT_ARRAY}, {string_literal(old)}, " \
                f"{string_literal(new)})"
            statements.append(f"UPDATE {quote_name(column.table)} SET {quote_name(column.column)} = "
                              f"{replaced} WHERE {target} IS NOT NULL")
        else:
            statements.append(f"UPDATE {quote_name(column.table)} SET {quote_name(column.column)} = "
                              f"{string_literal(new)} WHERE {target} = {string_literal(old)}")
    statements.append(f"UPDATE {LABELS_TABLE} SET label = {string_literal(new)} "
                      f"WHERE type_oid = {enum.oid} AND label = {string_literal(old)}")
    return statements


@dataclass(frozen=True, slots=True)
class _Column:
    """A column whose type is a type the database defines or an array type of one."""

    table: str  # storage name
    column: str
    array: bool
    type_shown: str  # its type as a DETAIL names it

    def described(self) -> str:
        """As PostgreSQL names it in a DETAIL or NOTICE."""
        schema, name = schemas.split(self.table)
        shown = quote_identifier(name) if schema == schemas.PUBLIC else \
            f"{quote_identifier(schema)}.{quote_identifier(name)}"
        return f"column {quote_identifier(self.column)} of table {shown}"


def _own_types(defined: StoredType) -> dict[int, tuple[str, bool]]:
    """The types that go with a type the database defines: itself and its array type, and for a range
    type also its multirange and that one's array type; by OID, their names and whether an array."""
    types = {defined.oid: (defined.shown, False), defined.array_oid: (f"{defined.shown}[]", True)}
    if defined.range is not None and defined.kind == user_types.RANGE_KIND:
        multirange = user_types.shown_name(defined.range.multirange_stored)
        types |= {defined.range.multirange: (multirange, False),
                  defined.range.multirange_array_oid: (f"{multirange}[]", True)}
    return types


def columns_of(translator: Translator, enum: StoredType) -> list[_Column]:
    """The columns of the store's tables (temporary ones too) of the type or a type that goes with it
    (`_own_types`)."""
    own = _own_types(enum)
    connection = translator.catalog.connection
    tables: list[tuple[str]] = list(connection.execute(
        "SELECT name FROM sqlite_temp_schema WHERE type = 'table' UNION ALL "
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_helios%' ESCAPE '\\' "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"))
    found = []
    for (table,) in tables:
        info = translator.catalog.table(table)
        for column in info.columns if info is not None else ():
            if column.type is not None and column.type.oid in own:
                shown, array = own[column.type.oid]
                found.append(_Column(table, column.name, array, shown))
    return found


def _drop(translator: Translator, words: _TypeWords) -> list[str]:
    """DROP TYPE [IF EXISTS] name [, ...] [CASCADE | RESTRICT]."""
    if_exists, tables, cascade = words.drop_list(words.type_name)
    statements: list[str] = []
    dropped: list[str] = []
    functions_dropped: set[int] = set()
    for table in tables:
        found = _dropped_type(translator, table, if_exists)
        if found is None:
            continue
        if found.kind == user_types.BASE_KIND:
            extension = _extension_name(found)
            raise DatabaseError(DEPENDENT_OBJECTS_STILL_EXIST,
                                f"cannot drop type {found.shown} because extension {extension} requires it",
                                hint=f"You can drop extension {extension} instead.")
        if found.kind == user_types.MULTIRANGE_KIND and found.range is not None:
            owner = user_types.shown_name(found.range.stored)
            raise DatabaseError(DEPENDENT_OBJECTS_STILL_EXIST,
                                f"cannot drop type {found.shown} because type {owner} requires it",
                                hint=f"You can drop type {owner} instead.")
        columns = columns_of(translator, found)
        described = [column.described() for column in columns]
        in_composites = composite_types.used_by(set(_own_types(found)),
                                                user_types.stored_types(translator.catalog.connection))
        if in_composites:
            if cascade:
                raise unsupported(f"DROP TYPE ... CASCADE of a type composite types use ({in_composites[0]})")
            refuse_dependents(f"type {found.shown}", in_composites)
        own = set(_own_types(found))
        functions = [f for f in translator.user_functions()
                     if {*f.argument_oids, f.result_oid} & own and f.oid not in functions_dropped]
        function_names = [f"function {f.signature}" for f in functions]
        if not cascade:
            refuse_dependents(f"type {found.shown}", described + function_names,
                              details=[f"{column.described()} depends on type {column.type_shown}"
                                       for column in columns]
                              + [f"{name} depends on type {found.shown}" for name in function_names])
        dropped += described + function_names
        statements += [stored_functions.deleted(f) for f in functions]
        functions_dropped.update(f.oid for f in functions)
        for stored in dict.fromkeys(column.table for column in columns):
            statements += columns_dropped(translator, stored,
                                          dict.fromkeys((column.column for column in columns
                                                         if column.table == stored), True))
        if found.kind == user_types.COMPOSITE_KIND:
            statements += composite_types.dropped(found)
        elif found.range is not None:
            statements += [f"DELETE FROM {RANGES_TABLE} WHERE oid = {found.oid}",
                           f"DELETE FROM {TYPES_TABLE} WHERE oid = {found.range.multirange}",
                           f"DELETE FROM {user_types.CONSTRUCTORS_TABLE} "
                           f"WHERE type_oid IN ({found.oid}, {found.range.multirange})"]
        else:
            statements.append(f"DELETE FROM {LABELS_TABLE} WHERE type_oid = {found.oid}")
        statements.append(f"DELETE FROM {TYPES_TABLE} WHERE oid = {found.oid}")
    cascade_notice(translator, dropped)
    return statements


def _extension_name(provided: StoredType) -> str:
    """The name of the extension that provides a type of kind `b`."""
    extension = extensions.extension_of(provided.name)
    assert extension is not None, provided
    return extension.name


def _dropped_type(translator: Translator, table: exp.Table, if_exists: bool) -> StoredType | None:
    """The type a DROP TYPE names; None if it is missing and IF EXISTS was given (a notice says so).
    PostgreSQL's errors for a built-in type, a table's or view's row type, and a missing type."""
    found = _named_type(translator, table)
    if found is not None:
        return found
    builtin = _builtin(table)
    if builtin is not None:
        raise DatabaseError(DEPENDENT_OBJECTS_STILL_EXIST, f"cannot drop type {format_type(builtin.oid, -1)} "
                                                           "because it is required by the database system")
    relation = translator.relation(table, _relation_exists(translator))
    kind = object_kind(translator.catalog.connection, relation)
    if kind in ("table", "view"):
        raise DatabaseError(DEPENDENT_OBJECTS_STILL_EXIST,
                            f"cannot drop type {table.name} because {kind} {table.name} requires it",
                            hint=f"You can drop {kind} {table.name} instead.")
    if if_exists:
        translator.notice(f'type "{table.name}" does not exist, skipping')
        return None
    raise DatabaseError(UNDEFINED_OBJECT, f'type "{table.name}" does not exist')


def _relation_exists(translator: Translator) -> Callable[[str], bool]:
    connection = translator.catalog.connection
    return lambda stored: object_kind(connection, stored) in ("table", "view")

