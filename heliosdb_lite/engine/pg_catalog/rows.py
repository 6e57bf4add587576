"""The rows of the pg_catalog relations and the catalog functions of one session, computed from the
store (`reader`) and the session's names and search_path (`names`).

Row tuples follow the column order of `relations.RELATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from heliosdb_lite.engine import extensions
from heliosdb_lite.engine.pg_catalog import sqlalchemy as pg_catalog_sqlalchemy
from heliosdb_lite.engine.pg_catalog.check_texts import check_text
from heliosdb_lite.engine.pg_catalog.names import (
    CATALOG_NAMESPACE,
    CATALOG_RELATION_OIDS,
    OWNER_OID,
    PUBLIC_NAMESPACE,
    SessionNames,
    namespace_oid,
    regproc_in,
    regproc_out,
    role_oid,
    split_name,
)
from heliosdb_lite.engine.pg_catalog.reader import (
    Attribute,
    CatalogReader,
    Check,
    ForeignKey,
    Index,
    Relation,
    object_oid,
    qualified,
    quote_identifier,
)
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.store import constraint_markers, schemas, user_types
from heliosdb_lite.engine.store.domains import DOMAIN_KIND, Domain
from heliosdb_lite.engine.types import extension_types
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.reg_types import input_function, output_function
from heliosdb_lite.engine.types.type_names import format_type, format_type_function
from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.client_encodings import BY_NUMBER as ENCODINGS_BY_NUMBER
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs import user_types as codec_types
from heliosdb_lite.protocol.codecs.range_values import RANGE_TYPES

BTREE_AM = 403
HEAP_AM = 2
DATABASE_OID = 5
DEFAULT_COLLATION = 100
CLASS_RELATION = 1259  # pg_class's OID: pg_depend.classid of relations
PUBLIC_ACL = "{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}"
# the one extension PostgreSQL 15 installs in every database, and its language, with their OIDs there
PLPGSQL_EXTENSION = 13559
_PLPGSQL_LANGUAGE = 13563
# pg_language: PostgreSQL 15's four (oid, name, is a procedural language, trusted, call handler, inline
# handler, validator)
_LANGUAGES = ((12, "internal", 0, 0, 0, 0, 2246), (13, "c", 0, 0, 0, 0, 2247), (14, "sql", 0, 1, 0, 0, 2248),
              (_PLPGSQL_LANGUAGE, "plpgsql", 1, 1, 13560, 13561, 13562))
_LANGUAGE_CATALOG = CATALOG_RELATION_OIDS["pg_language"]  # pg_language.tableoid
# pg_range: PostgreSQL 15's subtype operator class, canonical function (0: none) and subtype difference
# function of each built-in range type
_RANGE_FUNCTIONS = {oids.INT4RANGE: (1978, 3914, 3922), oids.NUMRANGE: (3125, 0, 3924),
                    oids.TSRANGE: (3128, 0, 3929), oids.TSTZRANGE: (3127, 0, 3930),
                    oids.DATERANGE: (3122, 3915, 3925), oids.INT8RANGE: (3124, 3928, 3923)}
# pg_description: (object's OID, its catalog) → description
_DESCRIPTIONS = {(PUBLIC_NAMESPACE, "pg_namespace"): "standard public schema",
                 (PLPGSQL_EXTENSION, "pg_extension"): "PL/pgSQL procedural language",
                 (12, "pg_language"): "built-in functions",
                 (13, "pg_language"): "dynamically-loaded C functions",
                 (14, "pg_language"): "SQL-language functions",
                 (_PLPGSQL_LANGUAGE, "pg_language"): "PL/pgSQL procedural language"}
# pg_tablespace: PostgreSQL's two, which psql's \db lists
_TABLESPACES = ((1663, "pg_default", OWNER_OID, None, None), (1664, "pg_global", OWNER_OID, None, None))
# pg_type's pseudo-types that no value has (void is a codec's): (oid, name, typlen); sqlsmith looks for
# internal and anyarray, whose functions it avoids
_PSEUDO_TYPES = ((oids.ANY, "any", 4), (oids.ANYARRAY, "anyarray", -1), (oids.INTERNAL, "internal", 8),
                 (oids.ANYELEMENT, "anyelement", 4))
_PSEUDO_TYPE_OIDS = frozenset(oid for oid, _, _ in _PSEUDO_TYPES)
_COLLATABLE = t.STRING_TYPES - {t.NAME, t.CHAR}
# pg_attribute.attstorage: 'p'lain for fixed-width types, 'm'ain for numeric, 'x' (extended) otherwise
_PLAIN_STORAGE = frozenset({t.BOOL, t.INT2, t.INT4, t.INT8, t.OID, t.FLOAT4, t.FLOAT8, t.DATE, t.TIME,
                            t.TIMETZ, t.TIMESTAMP, t.TIMESTAMPTZ, t.UUID, t.CHAR, t.NAME})

RowSource = Callable[[], Iterator[tuple[Any, ...]]]


def default_text(attribute: Attribute, names: SessionNames) -> str | None:
    """A column's default as pg_get_expr shows it; a sequence is named as regclass prints it."""
    if attribute.identity:
        return None
    if attribute.sequence is not None:
        return f"nextval({string_literal(names.sequence_text(attribute.sequence))}::regclass)"
    return attribute.default


# pg_constraint.confupdtype / confdeltype of a foreign key's action
_ACTION_CODES = {"NO ACTION": "a", "RESTRICT": "r", "CASCADE": "c", "SET NULL": "n", "SET DEFAULT": "d"}


def foreign_key_definition(key: ForeignKey, names: SessionNames) -> str:
    target = names.relation_text(object_oid(key.referenced)) or quote_identifier(key.referenced)
    actions = "".join(f" ON {event} {action}" for event, action in (("UPDATE", key.on_update),
                                                                     ("DELETE", key.on_delete))
                      if action != "NO ACTION")
    return (f"FOREIGN KEY ({', '.join(quote_identifier(c) for c in key.columns)}) REFERENCES "
            f"{target}({', '.join(quote_identifier(c) for c in key.referenced_columns)}){actions}")


def row_sources(reader: CatalogReader, names: SessionNames, database: str,
                served: Callable[[], list[tuple[int, str]] | None] | None = None) -> dict[str, RowSource]:
    """The rows of the catalog relations; `served` lists the server's databases (OID, name) for
    pg_database (None: the session's alone, as DATABASE_OID)."""

    def namespaces() -> Iterator[tuple[Any, ...]]:
        for namespace in names.namespaces():
            acl = PUBLIC_ACL if namespace.oid == PUBLIC_NAMESPACE else None
            yield namespace.oid, namespace.name, namespace.owner, acl

    def classes() -> Iterator[tuple[Any, ...]]:
        has_triggers = _with_triggers(reader)
        for relation in reader.relations():
            namespace = namespace_oid(relation.schema)
            yield _class_row(relation.oid, relation.name, namespace, relation.kind, len(relation.attributes),
                             bool(relation.indexes), has_triggers(relation), checks=len(relation.checks))
            for index in relation.indexes:
                yield _class_row(index.oid, index.name, namespace, "i", len(index.columns), False)
        for defined in _composites(reader):
            yield _class_row(defined.relid, defined.name, namespace_oid(defined.schema), "c",
                             len(defined.attributes), False, row_type=defined.oid)

    def schema_names() -> dict[int, str]:
        return {namespace.oid: namespace.name for namespace in names.namespaces()}

    def tables() -> Iterator[tuple[Any, ...]]:
        """pg_tables: the database's own tables (PostgreSQL's also lists the system catalogs')."""
        has_triggers, schema_of, owner = _with_triggers(reader), schema_names(), names.roles().get(OWNER_OID)
        for relation in reader.relations():
            if relation.kind in ("r", "p"):
                yield (schema_of.get(namespace_oid(relation.schema)), relation.name, owner, None,
                       int(bool(relation.indexes)), 0, int(has_triggers(relation)), 0)

    def views() -> Iterator[tuple[Any, ...]]:
        """pg_views: the database's own views (PostgreSQL's also lists the system views)."""
        schema_of, owner = schema_names(), names.roles().get(OWNER_OID)
        for relation in reader.relations():
            if relation.kind == "v":
                yield schema_of.get(namespace_oid(relation.schema)), relation.name, owner, view_body(relation)

    def index_rows() -> Iterator[tuple[Any, ...]]:
        """pg_indexes: the indexes of the database's own tables."""
        schema_of = schema_names()
        for relation in reader.relations():
            for index in relation.indexes:
                yield (schema_of.get(namespace_oid(relation.schema)), relation.name, index.name, None,
                       index.definition())

    def attributes() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            for a in relation.attributes:
                yield _attribute_row(relation.oid, a, a.number, a.not_null, a.has_default, a.identity)
            for index in relation.indexes:  # an index's columns are its attributes too
                by_name = {a.name: a for a in relation.attributes}
                for number, column in enumerate(index.columns, start=1):
                    attribute = by_name.get(column) if not index.is_expression(number - 1) else None
                    expression = Attribute(column, number, t.TEXT_TYPE, False, None)  # typed as text here
                    yield _attribute_row(index.oid, attribute or expression, number, False, False, "")
        for defined in _composites(reader):
            for number, (name, oid, typmod) in enumerate(defined.attributes, start=1):
                attribute = Attribute(name, number, t.PgType(oid, typmod), False, None)
                yield _attribute_row(defined.relid, attribute, number, False, False, "")

    def defaults() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            for a in relation.attributes:
                shown = default_text(a, names)
                if shown is not None:
                    yield (_default_oid(relation, a), relation.oid, a.number, shown)

    def indexes() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            for index in relation.indexes:
                width = len(index.columns)
                key = " ".join(str(_key_number(relation, index, position)) for position in range(width))
                expressions = ", ".join(k for k in index.keys if k) or None  # PostgreSQL's is a node tree
                options = " ".join(str(index.option(position)) for position in range(width))
                yield (index.oid, relation.oid, width, width, int(index.unique), int(index.primary), 0, 1, 0,
                       1, 0, 1, 1, 0, key, expressions, None, 0, " ".join("0" * width), options)

    def index_keys() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            for index in relation.indexes:
                for ord_ in range(len(index.columns)):
                    yield index.oid, _key_number(relation, index, ord_), ord_

    def constraints() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            namespace = namespace_oid(relation.schema)
            for index in relation.indexes:
                if index.constraint:
                    key = _int_array(relation.number(column) for column in index.columns)
                    kind = "p" if index.primary else "u"
                    yield (index.constraint_oid, index.name, namespace, kind, 0, 0, 1, relation.oid, 0,
                           index.oid, 0, 0, " ", " ", " ", 1, 0, 1, key, None)
            for foreign in relation.foreign_keys:
                referenced = next((r for r in reader.relations() if r.storage == foreign.referenced), None)
                if referenced is None:
                    continue
                key = _int_array(relation.number(column) for column in foreign.columns)
                target = _int_array(referenced.number(column) for column in foreign.referenced_columns)
                yield (foreign.oid, foreign.name, namespace, "f", 0, 0, 1, relation.oid, 0, 0, 0,
                       referenced.oid, _ACTION_CODES.get(foreign.on_update, "a"),
                       _ACTION_CODES.get(foreign.on_delete, "a"), "s", 1, 0, 1, key, target)
            for check in relation.checks:
                numbers = [relation.number(column) for column in check.columns]
                used = _int_array(iter(numbers)) if numbers else None  # NULL when it uses no column
                yield (check.oid, check.name, namespace, "c", 0, 0, 1, relation.oid, 0, 0, 0, 0, " ", " ",
                       " ", 1, 0, 0, used, None)
        for domain, check in domain_checks(reader):
            yield (check.oid, check.name, namespace_oid(domain.schema), "c", 0, 0, 1, 0, domain.oid, 0, 0, 0,
                   " ", " ", " ", 1, 0, 0, None, None)

    def sequences() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            if relation.sequence is not None:
                options = relation.sequence
                yield (relation.oid, options.type, options.start, options.increment, options.maximum,
                       options.minimum, options.cache, int(options.cycle))

    def dependencies() -> Iterator[tuple[Any, ...]]:
        """A serial or identity column's sequence depends on the column (`Owned by:` in psql)."""
        for relation in reader.relations():
            options = relation.sequence
            if options is not None and options.owner is not None:
                table, column = options.owner
                kind = "i" if options.identity else "a"
                yield CLASS_RELATION, relation.oid, 0, CLASS_RELATION, object_oid(table), column, kind

    def types() -> Iterator[tuple[Any, ...]]:
        for row in type_rows():
            yield (*row, *_io_functions(row[0], row[1], row[6], row[7], row[12]))

    def type_rows() -> Iterator[tuple[Any, ...]]:
        for info in codecs.TYPES.values():
            if not codec_types.is_user_type(info.oid):  # those registered, of any store: the store's below
                yield _type_row(info)
        for defined in reader.store().types:
            namespace = namespace_oid(defined.schema)
            if defined.kind == user_types.COMPOSITE_KIND:
                yield (defined.oid, defined.name, namespace, OWNER_OID, -1, 0, "c",
                       codec_types.COMPOSITE_CATEGORY, ",", defined.relid, 0, defined.array_oid, 0, -1, 0, 0,
                       None)
            elif defined.kind == DOMAIN_KIND:
                yield _domain_row(reader.store().domains[defined.oid], namespace)
            elif defined.kind == user_types.BASE_KIND:
                provided = extension_types.type_named(defined.name)
                assert provided is not None, defined
                yield (defined.oid, defined.name, namespace, OWNER_OID, provided.typlen,
                       int(0 < provided.typlen <= 8), "b", provided.category, ",", 0, 0, defined.array_oid, 0,
                       -1, 0, _collation_of(defined), None)
            elif defined.kind in (user_types.RANGE_KIND, user_types.MULTIRANGE_KIND):
                yield (defined.oid, defined.name, namespace, OWNER_OID, -1, 0, defined.kind,
                       codec_types.RANGE_CATEGORY, ",", 0, 0, defined.array_oid, 0, -1, 0, 0, None)
            else:
                yield (defined.oid, defined.name, namespace, OWNER_OID, codec_types.ENUM_LENGTH, 1, "e",
                       codec_types.ENUM_CATEGORY, ",", 0, 0, defined.array_oid, 0, -1, 0, 0, None)
            yield (defined.array_oid, f"_{defined.name}", namespace, OWNER_OID, -1, 0, "b", "A", ",", 0,
                   defined.oid, 0, 0, -1, 0, _collation_of(defined), None)
        for oid, name, length in _PSEUDO_TYPES:
            by_value = int(length > 0)
            yield (oid, name, CATALOG_NAMESPACE, OWNER_OID, length, by_value, "p", "P", ",", 0, 0, 0, 0, -1,
                   0, 0, None)

    def enum_labels() -> Iterator[tuple[Any, ...]]:
        for defined in reader.store().types:
            for oid, (label, order) in zip(defined.label_oids, defined.labels, strict=True):
                yield oid, defined.oid, order, label

    def databases() -> Iterator[tuple[Any, ...]]:
        user = names.user
        template_acl = f"{{=c/{user},{user}=CTc/{user}}}"
        listed = (served() if served is not None else None) or [(DATABASE_OID, database)]
        for oid, name in (*listed, (1, "template1"), (4, "template0")):
            template = name in ("template0", "template1")
            yield (oid, name, OWNER_OID, 6, "c", int(template), int(oid != 4), -1, "C.UTF-8", "C.UTF-8", None,
                   template_acl if template else None)

    def roles() -> Iterator[tuple[Any, ...]]:
        logins = names.server_roles()
        for oid, name in names.roles().items():
            privileged = int(oid == OWNER_OID)
            login = int(privileged or logins.get(name, False))
            yield (oid, name, privileged, 1, privileged, privileged, login, privileged, -1, privileged, None)

    def users() -> Iterator[tuple[Any, ...]]:
        logins = names.server_roles()
        yield (names.user, OWNER_OID, 1, 1, 1, 1)
        for name, login in sorted(logins.items()):
            if login and name != names.user:
                yield (name, role_oid(name, names.user), 0, 0, 0, 0)

    return {
        "pg_namespace": namespaces, "pg_class": classes, "pg_attribute": attributes, "pg_attrdef": defaults,
        "pg_index": indexes, "pg_constraint": constraints, "pg_type": types, "pg_database": databases,
        "pg_sequence": sequences, "pg_depend": dependencies, "pg_enum": enum_labels,
        pg_catalog_sqlalchemy.INDEX_KEYS: index_keys,
        "pg_am": lambda: iter([(HEAP_AM, "heap", "t"), (BTREE_AM, "btree", "i")]),
        "pg_collation": lambda: iter([(DEFAULT_COLLATION, "default", CATALOG_NAMESPACE, "d"),
                                      (950, "C", CATALOG_NAMESPACE, "c"),
                                      (951, "POSIX", CATALOG_NAMESPACE, "c")]),
        "pg_roles": roles,
        "pg_user": users,
        "pg_extension": lambda: iter([(PLPGSQL_EXTENSION, "plpgsql", OWNER_OID, CATALOG_NAMESPACE, 0, "1.0",
                                       None, None), *_extension_rows(reader)]),
        "pg_description": lambda: iter([*((oid, CATALOG_RELATION_OIDS[catalog], 0, text)
                                          for (oid, catalog), text in _DESCRIPTIONS.items()),
                                        *((installed.oid, CATALOG_RELATION_OIDS["pg_extension"], 0,
                                           extensions.KNOWN[installed.name].description)
                                          for installed in reader.store().extensions.values())]),
        "pg_tablespace": lambda: iter(_TABLESPACES),
        "pg_language": lambda: iter([(oid, name, OWNER_OID, *flags, None, _LANGUAGE_CATALOG)
                                     for oid, name, *flags in _LANGUAGES]),
        "pg_tables": tables, "pg_views": views, "pg_indexes": index_rows,
        "pg_range": lambda: _range_rows(reader),
    }


def _collation_of(defined: user_types.StoredType) -> int:
    """pg_type.typcollation of a type the database defines (and of its array type): the default
    collation for an extension's collatable type (citext), else none."""
    provided = extension_types.type_named(defined.name) if defined.kind == user_types.BASE_KIND else None
    return DEFAULT_COLLATION if provided is not None and provided.collatable else 0


C_LANGUAGE = 13  # pg_language's `c`: an extension's functions are C functions in PostgreSQL


@dataclass(frozen=True, slots=True)
class ExtensionRoutine:
    """An installed extension's function as pg_proc shows it: its OID (the extension's OID and the
    function's number in its description), schema, name, argument and result type OIDs."""

    oid: int
    schema: str
    name: str
    arguments: tuple[int, ...]
    result: int


def extension_routines(reader: CatalogReader) -> Iterator[ExtensionRoutine]:
    """The functions of the installed extensions, in the extension's schema."""
    store = reader.store()
    for installed in store.extensions.values():
        own = {defined.name: defined for defined in store.types if defined.schema == installed.schema
               and defined.kind == user_types.BASE_KIND}
        for number, function in enumerate(extensions.KNOWN[installed.name].functions, start=1):
            yield ExtensionRoutine(installed.oid + number, installed.schema, function.name,
                                   tuple(_named_type_oid(own, name) for name in function.arguments),
                                   _named_type_oid(own, function.result))


def extension_procedures(reader: CatalogReader) -> Iterator[tuple[Any, ...]]:
    """pg_proc's rows of the installed extensions' functions."""
    for routine in extension_routines(reader):
        yield (routine.oid, routine.name, namespace_oid(routine.schema), OWNER_OID, C_LANGUAGE, 1.0, 0.0, 0,
               "f", 0, 0, 1, 0, "i", "s", len(routine.arguments), 0, routine.result,
               "{" + ",".join(map(str, routine.arguments)) + "}", None, None, None, routine.name, None, None)


CatalogFunctions = dict[str, Callable[..., Any]]


def with_extension_routines(reader: CatalogReader, on_path: Callable[[], tuple[str, ...]],
                            catalog_functions: CatalogFunctions) -> CatalogFunctions:
    """pg_get_function_result, pg_get_function_arguments (and _identity_) and pg_function_is_visible
    answering for the installed extensions' functions too (`builtins.functions` for the others)."""

    def found(oid: int | None) -> ExtensionRoutine | None:
        return None if oid is None else next((r for r in extension_routines(reader) if r.oid == oid), None)

    def answered(name: str, answer: Callable[[ExtensionRoutine], Any]) -> Callable[[int | None], Any]:
        def function(oid: int | None) -> Any:
            routine = found(oid)
            return catalog_functions[name](oid) if routine is None else answer(routine)
        return function

    def arguments(routine: ExtensionRoutine) -> str:
        return ", ".join(format_type(oid, -1) for oid in routine.arguments)

    return {**catalog_functions,
            "pg_get_function_result": answered("pg_get_function_result",
                                               lambda routine: format_type(routine.result, -1)),
            "pg_get_function_arguments": answered("pg_get_function_arguments", arguments),
            "pg_get_function_identity_arguments": answered("pg_get_function_identity_arguments", arguments),
            "pg_function_is_visible": answered("pg_function_is_visible",
                                               lambda routine: int(routine.schema in on_path()))}


def _named_type_oid(own: dict[str, user_types.StoredType], name: str) -> int:
    """The OID of a type an extension's function names: the extension's own (or its array type), else
    a built-in one."""
    if name in own:
        return own[name].oid
    if name.endswith("[]") and name[:-2] in own:
        return own[name[:-2]].array_oid
    return codecs.type_by_name(name).oid


def _extension_rows(reader: CatalogReader) -> Iterator[tuple[Any, ...]]:
    """pg_extension's rows of the extensions the database installed (`store.extensions`)."""
    for installed in reader.store().extensions.values():
        relocatable = int(extensions.KNOWN[installed.name].relocatable)
        yield (installed.oid, installed.name, OWNER_OID, namespace_oid(installed.schema), relocatable,
               installed.version, None, None)


def domain_checks(reader: CatalogReader) -> Iterator[tuple[Domain, Check]]:
    """The CHECK constraints of the database's domains, their text as PostgreSQL deparses the
    condition kept as written (over VALUE, of the domain's base type)."""
    for domain in reader.store().domains.values():
        for name, condition in domain.checks:
            source = f"SELECT {condition}"
            parsed = parsing.parse(source)
            assert isinstance(parsed, exp.Select)
            columns = [("value", domain.base.pg_type)]
            plain, pretty = (check_text(parsed.expressions[0], columns, source, pretty=shown, domain=True)
                             for shown in (False, True))
            yield domain, Check(domain.schema, name, plain, (), pretty, domain.stored)


def _with_triggers(reader: CatalogReader) -> Callable[[Relation], bool]:
    """Whether a relation has triggers in PostgreSQL's sense: a foreign key refers from or to it."""
    referenced = {key.referenced for relation in reader.relations() for key in relation.foreign_keys}
    return lambda relation: bool(relation.foreign_keys) or relation.storage in referenced


def view_body(relation: Relation) -> str | None:
    """A view's query as pg_get_viewdef, pg_views and information_schema.views show it: as its
    CREATE VIEW wrote it (`constraint_markers.VIEW_QUERY`); a view made by an earlier version, as
    SQLite keeps it."""
    if relation.definition is None:
        return None
    written = next((record.definition for record in constraint_markers.recorded(relation.definition)
                    if record.kind == constraint_markers.VIEW_QUERY), None)
    body = written if written is not None else relation.definition.split(" AS ", 1)[-1].strip()
    return f" {body.rstrip(';')};"


def _attribute_row(relation: int, a: Attribute, number: int, not_null: bool, has_default: bool,
                   identity: str) -> tuple[Any, ...]:
    collation = DEFAULT_COLLATION if a.type.oid in _COLLATABLE else 0
    storage = "p" if a.type.oid in _PLAIN_STORAGE else "m" if a.type.oid == t.NUMERIC else "x"
    return (relation, a.name, a.type.oid, -1, number, 0, a.type.typmod, int(not_null), int(has_default),
            identity, "", 0, 1, 0, collation, storage, "", -1, None)


def _key_number(relation: Relation, index: Index, position: int) -> int:
    """pg_index.indkey's number of a key: its column's, 0 for an expression."""
    return 0 if index.is_expression(position) else relation.number(index.columns[position])


def _default_oid(relation: Relation, attribute: Attribute) -> int:
    return object_oid(f"{relation.storage}.{attribute.name}")


def _int_array(numbers: Iterator[int]) -> str:
    return "{" + ",".join(str(number) for number in numbers) + "}"


def _composites(reader: CatalogReader) -> list[user_types.StoredType]:
    return [defined for defined in reader.store().types if defined.kind == user_types.COMPOSITE_KIND]


def _class_row(oid: int, name: str, namespace: int, kind: str, columns: int, has_index: bool,
               has_triggers: bool = False, row_type: int = 0, checks: int = 0) -> tuple[Any, ...]:
    """A pg_class row; `has_triggers`: a foreign key refers from or to it (PostgreSQL enforces those
    with triggers, and psql lists foreign keys only for a relation that has triggers); `row_type`:
    reltype, a composite type's OID for its relation (relkind c); `checks`: relchecks, its number of
    CHECK constraints (psql lists them only then)."""
    access_method = BTREE_AM if kind == "i" else HEAP_AM if kind == "r" else 0
    return (oid, name, namespace, row_type, 0, OWNER_OID, access_method, oid, 0, 0, -1, 0, int(has_index), 0,
            "p", kind, columns, checks, 0, int(has_triggers), 0, 0, 0, 1, "d", 0, None, None, None)


def _domain_row(domain: Domain, namespace: int) -> tuple[Any, ...]:
    """pg_type's row of a domain: typtype d, its base type's length and category, typbasetype (the
    domain it was made over, if any), typtypmod, typnotnull and typdefault (as written)."""
    base = codecs.type_by_oid(domain.base.pg_type.oid)
    collation = DEFAULT_COLLATION if base.oid in (t.TEXT, t.VARCHAR, t.BPCHAR) else 0
    return (domain.oid, domain.name, namespace, OWNER_OID, base.typlen, int(0 < base.typlen <= 8), "d",
            base.category, ",", 0, 0, domain.array_oid, domain.parent or base.oid, domain.base.pg_type.typmod,
            int(domain.not_null), collation, domain.default_sql)


def _type_row(info: codecs.TypeInfo) -> tuple[Any, ...]:
    collation = DEFAULT_COLLATION if info.oid in (t.TEXT, t.VARCHAR, t.BPCHAR) else 0
    return (info.oid, info.name, CATALOG_NAMESPACE, OWNER_OID, info.typlen, int(0 < info.typlen <= 8),
            _type_kind(info), info.category, ",", 0, info.elem_oid, info.array_oid, 0, -1,
            0, collation, None)


# base types whose I/O functions are named name_in, name_out, ... (the others: namein, nameout, ...)
_UNDERSCORED_IO = frozenset({"json", "jsonb", "xml", "point", "box", "cidr", "inet", "macaddr", "date",
                             "time", "timetz", "timestamp", "timestamptz", "interval", "numeric", "uuid",
                             "record", "cstring", "void", "any", "anyarray", "internal", "anyelement"})
_IO_STEMS = {"money": "cash"}  # cash_in, cash_out, ...
_PSEUDO_WITH_BINARY_IO = frozenset({"record", "cstring", "void", "anyarray", "unknown"})
_KIND_IO = {"r": "range", "m": "multirange", "e": "enum", "c": "record"}


def _io_functions(oid: int, name: str, typtype: str, category: str, base: int) -> tuple[str, str, str, str]:
    """pg_type's typinput, typoutput, typreceive and typsend as PostgreSQL names them (`-` for none):
    array_in ... for arrays, range_in, enum_in, record_in ... by kind, domain_in and domain_recv
    with the base type's output and send, an extension's type's own (citextin ...), else by the
    type's name (int4in, date_in, cash_in ...)."""
    if typtype == "d":
        base_oid = codec_types.DOMAIN_BASES.get(oid, base)
        base_info = codecs.TYPES.get(base_oid)
        if base_info is None:
            return "domain_in", "-", "domain_recv", "-"
        _, output, _, send = _io_functions(base_oid, base_info.name, _user_type_kind(base_info),
                                           base_info.category, 0)
        return "domain_in", output, "domain_recv", send
    array = name.startswith("_") and (category == "A" or name == "_record")  # record[]'s category is P
    prefix = _KIND_IO.get(typtype) or ("array" if array else None)
    if prefix is not None:
        return f"{prefix}_in", f"{prefix}_out", f"{prefix}_recv", f"{prefix}_send"
    provided = extension_types.type_named(name) if codec_types.is_user_type(oid) else None
    if provided is not None:
        return provided.input, provided.output, provided.receive, provided.send
    stem = _IO_STEMS.get(name, name)
    separator = "_" if stem in _UNDERSCORED_IO or stem == "cash" else ""
    binary = typtype != "p" or name in _PSEUDO_WITH_BINARY_IO
    return (f"{stem}{separator}in", f"{stem}{separator}out", f"{stem}{separator}recv" if binary else "-",
            f"{stem}{separator}send" if binary else "-")


def _user_type_kind(info: codecs.TypeInfo) -> str:
    """typtype of a registered type, the database's own too (e enum, c composite, r range, m multirange)."""
    if info.oid in codec_types.ENUMS:
        return "e"
    if info.oid in codec_types.COMPOSITES:
        return "c"
    if info.category == codec_types.RANGE_CATEGORY and codec_types.is_user_type(info.oid):
        return "r" if info.oid in codec_types.RANGES else "m"
    return _type_kind(info)


def _type_kind(info: codecs.TypeInfo) -> str:
    """typtype: `p` for the pseudo-types (category P, and unknown, whose category is X), `r` for the
    ranges, `m` for the multiranges, else `b`."""
    if info.oid in t.RANGE_TYPES:
        return "r"
    if info.oid in t.MULTIRANGE_TYPES:
        return "m"
    return "p" if info.category == "P" or info.oid == t.UNKNOWN else "b"


def _range_rows(reader: CatalogReader) -> Iterator[tuple[Any, ...]]:
    """pg_range: each built-in range type with its subtype, multirange and PostgreSQL 15's functions,
    then the range types of the store (continuous: no canonical function)."""
    for kind in RANGE_TYPES.values():
        if kind.oid in _RANGE_FUNCTIONS:
            yield (kind.oid, kind.subtype, kind.multirange, 0, *_RANGE_FUNCTIONS[kind.oid])
    for defined in reader.store().types:
        if defined.range is not None and defined.kind == user_types.RANGE_KIND:
            yield (defined.oid, defined.range.subtype, defined.range.multirange, defined.range.collation,
                   defined.range.opclass, 0, defined.range.subtype_diff)


def functions(reader: CatalogReader, names: SessionNames) -> dict[str, Callable[..., Any]]:
    """The catalog's scalar functions, by name."""

    def table_is_visible(oid: int | None) -> int | None:
        if oid is None:
            return None
        return int(names.is_visible(oid) or (reader.relation(oid) is None and reader.index(oid) is None))

    def index_definition(oid: int | None, column: int = 0, pretty: int = 0) -> str | None:
        index = reader.index(oid)
        if index is None:
            return None
        if not column:
            return index.definition(bool(pretty))
        if column > len(index.columns):
            return ""
        position = column - 1
        return index.key(position, bool(pretty)) if index.is_expression(position) else index.columns[position]

    def constraint_definition(oid: int | None, pretty: int = 0) -> str | None:
        for relation in reader.relations():
            index = next((i for i in relation.indexes if i.constraint and i.constraint_oid == oid), None)
            if index is not None:
                return index.constraint_definition
            foreign = next((f for f in relation.foreign_keys if f.oid == oid), None)
            if foreign is not None:
                return foreign_key_definition(foreign, names)
            check = next((c for c in relation.checks if c.oid == oid), None)
            if check is not None:
                return check.pretty if pretty else check.definition
        check = next((c for _, c in domain_checks(reader) if c.oid == oid), None)
        if check is not None:
            return check.pretty if pretty else check.definition
        return None

    def relation_oid(name: str | None) -> int | None:
        if name is None:
            return None
        parts = split_name(name)
        return names.lookup(*parts) if len(parts) == 2 else names.lookup(None, parts[0])

    def view_definition(oid: int | str | None, pretty: int = 0) -> str | None:
        """pg_get_viewdef of an OID, or of a view's name (its text overload)."""
        number = oid if oid is None or isinstance(oid, int) else int(oid) if oid.isdigit() \
            else names.regclass_in(oid)
        relation = reader.relation(number)
        return None if relation is None else view_body(relation)

    def serial_sequence(table: str | None, column: str | None) -> str | None:
        """pg_get_serial_sequence: the schema-qualified sequence a column's default draws from."""
        relation = reader.relation(_or_none(names.regclass_in, table)) if column is not None else None
        attribute = next((a for a in relation.attributes if a.name == column), None) if relation else None
        if attribute is None or attribute.sequence is None:
            return None
        return qualified(*schemas.split(attribute.sequence))

    def type_is_visible(oid: int | None) -> int | None:
        """pg_type_is_visible: a built-in type always is (pg_catalog is searched first); NULL for an
        OID pg_type does not list."""
        if oid is None:
            return None
        defined = names.defined_type_visible(oid)
        if defined is not None:
            return int(defined)
        built_in = (oid in codecs.TYPES and not codec_types.is_user_type(oid)) or oid in _PSEUDO_TYPE_OIDS
        return 1 if built_in else None

    def user_name(oid: int | None) -> str | None:
        return None if oid is None else names.roles().get(oid, f"unknown (OID={oid})")

    return {
        "pg_table_is_visible": table_is_visible,
        "pg_type_is_visible": type_is_visible,
        "pg_collation_is_visible": lambda oid: None if oid is None else 1,
        "pg_get_userbyid": user_name,
        "format_type": format_type_function,
        "pg_get_expr": lambda text, relation, pretty=0: text,
        "pg_get_indexdef": index_definition,
        "pg_get_constraintdef": constraint_definition,
        "pg_get_viewdef": view_definition,
        "pg_get_serial_sequence": serial_sequence,
        "pg_partition_ancestors": lambda oid: oid,  # no partitions: a relation is its only ancestor
        "obj_description": lambda oid, catalog=None: _DESCRIPTIONS.get((oid, catalog)),
        "quote_ident": lambda name: None if name is None else quote_identifier(name),
        "col_description": lambda oid, column: None,
        "shobj_description": lambda oid, catalog: None,
        "pg_tablespace_location": lambda oid: None if oid is None else "",
        "pg_encoding_to_char": _encoding_name,
        "to_regtype": names.type_named,
        "to_regclass": relation_oid,
        "to_regnamespace": lambda name: _or_none(names.regnamespace_in, name),
        "array_to_string": _array_to_string,
        input_function("regclass"): names.regclass_in, output_function("regclass"): names.regclass_out,
        input_function("regtype"): names.regtype_in, output_function("regtype"): names.regtype_out,
        input_function("regnamespace"): names.regnamespace_in,
        output_function("regnamespace"): names.regnamespace_out,
        input_function("regrole"): names.regrole_in, output_function("regrole"): names.regrole_out,
        input_function("regproc"): regproc_in, output_function("regproc"): regproc_out,
    }


def _encoding_name(number: int | None) -> str | None:
    """pg_encoding_to_char: the encoding's name, "" for a number that is none."""
    if number is None:
        return None
    encoding = ENCODINGS_BY_NUMBER.get(number)
    return "" if encoding is None else encoding.name


def _or_none(function: Callable[[Any], int | None], value: Any) -> int | None:
    """to_reg*: the reg* input function's answer, NULL where it raises."""
    try:
        return function(value)
    except DatabaseError:
        return None


def _array_to_string(array: str | None, separator: str | None, null_text: str | None = None) -> str | None:
    """array_to_string over an array's stored text form (`value_storage`); NULL elements are
    skipped unless null_text is given."""
    if array is None or separator is None:
        return None
    elements = codecs.decode_text(oids.TEXT_ARRAY, array.encode())
    shown = (str(e) if e is not None else null_text for e in elements)
    return separator.join(text for text in shown if text is not None)
