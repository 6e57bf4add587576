"""The slice of PostgreSQL's system catalog that clients ask for on connect and in `\\d` commands.

pg_class, pg_namespace, pg_attribute, pg_type, pg_index, pg_attrdef, pg_constraint, pg_database,
pg_am, pg_collation, pg_roles, pg_user and some always-empty relations (pg_inherits, pg_policy,
pg_description, ...) are SQLite eponymous virtual tables registered on each session's connection,
their rows computed from sqlite_schema and PRAGMA table_info/index_list/index_info, with declared
column types decoded by `pgtypes.type_from_declared`. `RELATIONS` declares their columns with
PostgreSQL types for the translator; `FUNCTION_TYPES` the result types of the catalog functions
(format_type, pg_get_expr, pg_get_indexdef, ...) registered here.

OIDs of user relations, indexes and constraints are derived from their names (CRC-32), so they are
the same on every connection and across restarts. Key constraints get PostgreSQL's names
(`<table>_pkey`, `<table>_<columns>_key`) in place of SQLite's autoindex names.
"""

from __future__ import annotations

import re
import weakref
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import apsw
from sqlglot import exp

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol import codecs

from . import pgtypes as t
from .pgtypes import PgType

PUBLIC_NAMESPACE = 2200
CATALOG_NAMESPACE = 11
INFORMATION_SCHEMA_NAMESPACE = 13183
OWNER_OID = 10
DATABASE_OWNER_OID = 6171  # pg_database_owner: owns schema public
BTREE_AM = 403
HEAP_AM = 2
DATABASE_OID = 5
DEFAULT_COLLATION = 100
REGCLASS = 2205
REGTYPE = 2206
_TEXT_ARRAY = 1009
_FIRST_USER_OID = 16384
_INTERNAL_PREFIXES = ("_helios", "sqlite_")
_SEQUENCES_TABLE = "_helios_sequences"
_NEXTVAL = re.compile(r"nextval\('([^']+)'::regclass\)")

_OID = PgType(t.OID)
_NAME = PgType(t.NAME)
_CHAR = PgType(t.CHAR)
_BOOL = t.BOOL_TYPE
_INT2 = PgType(t.INT2)
_INT4 = t.INT4_TYPE
_TEXT = t.TEXT_TYPE


def _columns(spec: str) -> list[tuple[str, PgType]]:
    """'name:type ...' with types oid, name, char, bool, int2, int4, text."""
    types = {"oid": _OID, "name": _NAME, "char": _CHAR, "bool": _BOOL, "int2": _INT2, "int4": _INT4,
             "text": _TEXT}
    return [(column, types[kind]) for column, kind in (item.split(":") for item in spec.split())]


RELATIONS: dict[str, list[tuple[str, PgType]]] = {
    "pg_namespace": _columns("oid:oid nspname:name nspowner:oid nspacl:text"),
    "pg_class": _columns(
        "oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid "
        "relfilenode:oid reltablespace:oid relpages:int4 reltuples:int4 reltoastrelid:oid relhasindex:bool "
        "relisshared:bool relpersistence:char relkind:char relnatts:int2 relchecks:int2 relhasrules:bool "
        "relhastriggers:bool relhassubclass:bool relrowsecurity:bool relforcerowsecurity:bool "
        "relispopulated:bool relreplident:char relispartition:bool relpartbound:text reloptions:text "
        "relacl:text"),
    "pg_attribute": _columns(
        "attrelid:oid attname:name atttypid:oid attlen:int2 attnum:int2 attndims:int4 atttypmod:int4 "
        "attnotnull:bool atthasdef:bool attidentity:char attgenerated:char attisdropped:bool "
        "attislocal:bool attinhcount:int4 attcollation:oid"),
    "pg_type": _columns(
        "oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char "
        "typcategory:char typdelim:char typrelid:oid typelem:oid typarray:oid typbasetype:oid "
        "typtypmod:int4 typnotnull:bool typcollation:oid"),
    "pg_index": _columns(
        "indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool indisprimary:bool "
        "indisexclusion:bool indimmediate:bool indisclustered:bool indisvalid:bool indcheckxmin:bool "
        "indisready:bool indislive:bool indisreplident:bool indkey:text indexprs:text indpred:text "
        "indnullsnotdistinct:bool"),
    "pg_attrdef": _columns("oid:oid adrelid:oid adnum:int2 adbin:text"),
    "pg_constraint": _columns(
        "oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool "
        "convalidated:bool conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid "
        "confupdtype:char confdeltype:char confmatchtype:char conislocal:bool coninhcount:int4 "
        "connoinherit:bool conkey:text confkey:text"),
    "pg_database": _columns(
        "oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char datistemplate:bool "
        "datallowconn:bool datconnlimit:int4 datcollate:text datctype:text daticulocale:text "
        "datacl:text"),
    "pg_am": _columns("oid:oid amname:name amtype:char"),
    "pg_collation": _columns("oid:oid collname:name collnamespace:oid collprovider:char"),
    "pg_roles": _columns(
        "oid:oid rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool "
        "rolcanlogin:bool rolreplication:bool rolconnlimit:int4 rolbypassrls:bool"),
    "pg_user": _columns("usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool "
                        "usebypassrls:bool"),
    "pg_description": _columns("objoid:oid classoid:oid objsubid:int4 description:text"),
    "pg_inherits": _columns("inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool"),
    "pg_policy": _columns("oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:text "
                          "polqual:text polwithcheck:text"),
    "pg_statistic_ext": _columns("oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid "
                                 "stxstattarget:int4 stxkind:text"),
    "pg_publication": _columns("oid:oid pubname:name pubowner:oid puballtables:bool"),
    "pg_publication_namespace": _columns("oid:oid pnpubid:oid pnnspid:oid"),
    "pg_publication_rel": _columns("oid:oid prpubid:oid prrelid:oid prqual:text prattrs:text"),
    "pg_trigger": _columns("oid:oid tgrelid:oid tgname:name tgenabled:char tgisinternal:bool"),
    "pg_rewrite": _columns("oid:oid rulename:name ev_class:oid ev_type:char is_instead:bool"),
}
# relations that have no rows here: a query that inner-joins one of them returns nothing
EMPTY_RELATIONS = frozenset({"pg_description", "pg_inherits", "pg_policy", "pg_statistic_ext",
                             "pg_publication", "pg_publication_namespace", "pg_publication_rel", "pg_trigger",
                             "pg_rewrite"})

FUNCTION_TYPES: dict[str, PgType] = {
    "pg_table_is_visible": _BOOL, "pg_get_userbyid": _NAME, "format_type": _TEXT, "pg_get_expr": _TEXT,
    "pg_get_indexdef": _TEXT, "pg_get_constraintdef": _TEXT, "obj_description": _TEXT,
    "col_description": _TEXT, "shobj_description": _TEXT, "pg_encoding_to_char": _NAME,
    "to_regtype": _OID, "to_regclass": _OID, "array_to_string": _TEXT,
}

_OPERATOR = re.compile(r"OPERATOR\s*\(\s*pg_catalog\s*\.\s*([~!<>=*^&|#@%+-]+)\s*\)", re.IGNORECASE)
_DEFAULT_COLLATION = re.compile(r"\s+COLLATE\s+pg_catalog\s*\.\s*(\"default\"|default)", re.IGNORECASE)
_CATALOG_TYPE = re.compile(r"::\s*pg_catalog\s*\.\s*", re.IGNORECASE)


def normalize(sql: str) -> str:
    """psql's spellings the parser does not take: `OPERATOR(pg_catalog.~)`, `COLLATE
    pg_catalog.default` (the default collation: dropped) and `::pg_catalog.type` casts."""
    if "pg_catalog" not in sql:
        return sql
    sql = _OPERATOR.sub(lambda match: f" {match.group(1)} ", sql)
    sql = _DEFAULT_COLLATION.sub("", sql)
    return _CATALOG_TYPE.sub("::", sql)


def relation_name(table: exp.Table) -> str | None:
    """The catalog relation a FROM item names (`pg_class`, `pg_catalog.pg_class`), else None."""
    db = table.args.get("db")
    if db is not None and db.name.lower() != "pg_catalog":
        return None
    name = table.name.lower()
    return name if name in RELATIONS else None


# --- queries answered without running them -----------------------------------------------------------


def empty_result(tree: exp.Expression) -> list[tuple[str, PgType]] | None:
    """The result columns of a parameterless query that has no rows because each of its SELECTs
    inner-joins an always-empty catalog relation (psql's policy, statistics and publication
    queries, which use constructs the translator does not support); None for any other query."""
    if not isinstance(tree, exp.Query) or tree.find(exp.Parameter, exp.Placeholder) is not None:
        return None
    selects = _branches(tree)
    if not selects or not all(_joins_empty_relation(select) for select in selects):
        return None
    return [_output_column(item, selects[0]) for item in selects[0].expressions]


def _branches(node: exp.Expression) -> list[exp.Select]:
    if isinstance(node, exp.Select):
        return [node]
    if isinstance(node, exp.Union) and not isinstance(node, exp.Except | exp.Intersect):
        return _branches(node.left) + _branches(node.right)
    return []


def _joins_empty_relation(select: exp.Select) -> bool:
    from_ = select.args.get("from_") or select.args.get("from")
    joins = select.args.get("joins") or ()
    computed = any(isinstance(item.unalias(), exp.AggFunc) or item.is_star for item in select.expressions)
    outer = any(join.side.upper() in ("RIGHT", "FULL") for join in joins)
    if from_ is None or select.args.get("group") is not None or computed or outer:
        return False
    inner = [from_.this] + [join.this for join in joins if join.side.upper() != "LEFT"]
    return any(isinstance(item, exp.Table) and relation_name(item) in EMPTY_RELATIONS for item in inner)


def _output_column(item: exp.Expression, select: exp.Select) -> tuple[str, PgType]:
    value = item.unalias()
    while isinstance(value, exp.Dot):
        value = value.expression
    if isinstance(value, exp.Cast) and value.to.this == exp.DType.USERDEFINED:
        pg_type = _TEXT
    elif isinstance(value, exp.Cast) and str(value.to.this).lower() == "regclass":
        pg_type = _OID
    elif isinstance(value, exp.Column):
        pg_type = _column_type(value.name, select)
    elif isinstance(value, exp.Anonymous):
        pg_type = FUNCTION_TYPES.get(value.name.lower(), _TEXT)
    else:
        pg_type = _BOOL if isinstance(value, exp.Predicate | exp.Connector) else _TEXT
    name = item.alias if isinstance(item, exp.Alias) else _column_name(value)
    return name, pg_type


def _column_name(value: exp.Expression) -> str:
    while isinstance(value, exp.Cast | exp.Case):
        value = value.args.get("default") if isinstance(value, exp.Case) else value.this
        while isinstance(value, exp.Dot):
            value = value.expression
    if isinstance(value, exp.Column):
        return value.name
    if isinstance(value, exp.Anonymous):
        return value.name.lower()
    return "?column?"


def _column_type(column: str, select: exp.Select) -> PgType:
    for table in select.find_all(exp.Table):
        relation = relation_name(table)
        for name, pg_type in RELATIONS.get(relation or "", ()):
            if name == column.lower():
                return pg_type
    return _TEXT


# --- rows ----------------------------------------------------------------------------------------------


def object_oid(name: str) -> int:
    """The OID of a user relation, index or constraint: stable, derived from its name."""
    return _FIRST_USER_OID + zlib.crc32(name.encode()) % 1_000_000_000


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    number: int
    type: PgType
    not_null: bool
    default: str | None  # as pg_get_expr shows it


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    table: str
    columns: tuple[str, ...]
    unique: bool
    primary: bool
    constraint: bool  # made by PRIMARY KEY / UNIQUE in the table definition

    @property
    def definition(self) -> str:
        unique = "UNIQUE " if self.unique else ""
        return (f"CREATE {unique}INDEX {_quote(self.name)} ON public.{_quote(self.table)} USING btree "
                f"({', '.join(_quote(c) for c in self.columns)})")

    @property
    def constraint_definition(self) -> str:
        kind = "PRIMARY KEY" if self.primary else "UNIQUE"
        return f"{kind} ({', '.join(_quote(c) for c in self.columns)})"


@dataclass(frozen=True, slots=True)
class Relation:
    name: str
    kind: str  # pg_class.relkind
    attributes: tuple[Attribute, ...]
    indexes: tuple[Index, ...]


def _quote(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


class CatalogReader:
    """Reads the user's relations from one connection, cached per schema version."""

    def __init__(self, connection: apsw.Connection) -> None:
        self._connection = connection
        self._version = -1
        self._relations: tuple[Relation, ...] = ()

    def relations(self) -> tuple[Relation, ...]:
        version = self._connection.execute("PRAGMA schema_version").fetchall()[0][0]
        if version != self._version:
            self._relations = tuple(self._load())
            self._version = version
        return self._relations

    def relation(self, oid: int) -> Relation | None:
        return next((r for r in self.relations() if object_oid(r.name) == oid), None)

    def index(self, oid: int) -> Index | None:
        return next((i for r in self.relations() for i in r.indexes if object_oid(i.name) == oid), None)

    def _load(self) -> Iterator[Relation]:
        """Tables and views, then sequences: those serial columns draw from and those created."""
        query = "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name"
        sequences: set[str] = set()
        for kind, name in self._connection.execute(query).fetchall():
            if name.lower().startswith(_INTERNAL_PREFIXES):
                continue
            attributes = tuple(self._attributes(name))
            indexes = tuple(self._indexes(name, attributes)) if kind == "table" else ()
            sequences.update(match.group(1) for a in attributes if (match := _NEXTVAL.match(a.default or "")))
            yield Relation(name, "r" if kind == "table" else "v", attributes, indexes)
        exists = "SELECT 1 FROM sqlite_schema WHERE name = ?"
        if self._connection.execute(exists, (_SEQUENCES_TABLE,)).fetchall():
            sequences.update(name for (name,) in
                             self._connection.execute(f"SELECT name FROM {_SEQUENCES_TABLE}").fetchall())
        for name in sorted(sequences):
            yield Relation(name, "S", (), ())

    def _attributes(self, table: str) -> Iterator[Attribute]:
        rows = self._connection.execute('SELECT cid, name, type, "notnull", dflt_value, pk '
                                        "FROM pragma_table_info(?)", (table,)).fetchall()
        single_key = sum(1 for row in rows if row[5]) == 1
        for cid, name, declared, not_null, default, pk in rows:
            pg_type = t.type_from_declared(declared) or _TEXT
            serial = single_key and pk == 1 and (declared or "").lower() == "integer"
            shown = f"nextval('{table}_{name}_seq'::regclass)" if serial else _default_text(default, pg_type)
            yield Attribute(name, cid + 1, pg_type, bool(not_null or pk), shown)

    def _indexes(self, table: str, attributes: tuple[Attribute, ...]) -> Iterator[Index]:
        listed = self._connection.execute(
            'SELECT name, "unique", origin FROM pragma_index_list(?) ORDER BY seq', (table,)).fetchall()
        key = tuple(a.name for a in attributes if a.default and a.default.startswith("nextval(")
                    and a.default.endswith("_seq'::regclass)") and a.type.oid == t.INT4 and a.not_null)
        if key and not any(origin == "pk" for _, _, origin in listed):
            yield Index(f"{table}_pkey", table, key[:1], True, True, True)
        for index, unique, origin in listed:
            columns = tuple(str(c) for (c,) in self._connection.execute(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,)).fetchall())
            if origin == "pk":
                yield Index(f"{table}_pkey", table, columns, True, True, True)
            elif origin == "u":
                yield Index(f"{table}_{'_'.join(columns)}_key", table, columns, True, False, True)
            else:
                primary = index == f"{table}_pkey"
                yield Index(index, table, columns, bool(unique), primary, primary)


def _default_text(default: str | None, pg_type: PgType) -> str | None:
    """A SQLite column default shown as PostgreSQL shows it (`'x'::text`, `now()`, `true`)."""
    if default is None:
        return None
    if pg_type.oid == t.BOOL and default in ("0", "1"):
        return "true" if default == "1" else "false"
    if default.startswith("'") and pg_type.oid != t.NUMERIC:
        return f"{default}::{format_type(pg_type.oid, -1)}"
    sequence = re.fullmatch(r"nextval\('([^']+)'\)", default, re.IGNORECASE)
    if sequence:
        return f"nextval('{sequence.group(1)}'::regclass)"
    return default.lower() if re.fullmatch(r"[A-Z_]+\(\)", default) else default


_TYPE_NAMES = {
    t.BOOL: "boolean", t.INT2: "smallint", t.INT4: "integer", t.INT8: "bigint", t.FLOAT4: "real",
    t.FLOAT8: "double precision", t.VARCHAR: "character varying", t.BPCHAR: "character",
    t.TIMESTAMP: "timestamp without time zone", t.TIMESTAMPTZ: "timestamp with time zone",
    t.TIME: "time without time zone", t.CHAR: '"char"',
}


def format_type(oid: int | None, typmod: int | None) -> str | None:
    """pg_catalog.format_type: the SQL name of a type with its modifiers."""
    if oid is None:
        return None
    try:
        info = codecs.type_by_oid(oid)
    except DatabaseError:  # PostgreSQL answers ??? for an unknown OID
        return "???"
    if info.is_array:
        return f"{format_type(info.elem_oid, typmod)}[]"
    name = _TYPE_NAMES.get(oid, info.name)
    typmod = -1 if typmod is None else typmod
    if typmod >= 0 and oid in (t.VARCHAR, t.BPCHAR):
        return f"{name}({typmod - t.VARHDRSZ})"
    if typmod >= 0 and oid == t.NUMERIC:
        precision, scale = divmod(typmod - t.VARHDRSZ, 1 << 16)
        return f"{name}({precision},{scale})"
    return name


# --- registration ----------------------------------------------------------------------------------------


RowSource = Callable[[], Iterator[tuple[Any, ...]]]
# each connection's row sources, looked up by the shared modules when SQLite connects a table
_SOURCES: weakref.WeakKeyDictionary[apsw.Connection, dict[str, RowSource]] = weakref.WeakKeyDictionary()


def register(connection: apsw.Connection, user: str, database: str) -> None:
    """Register the catalog relations and functions on a session's connection."""
    reader = CatalogReader(connection)
    _SOURCES[connection] = _row_sources(reader, user, database)
    for name, module in _MODULES.items():
        connection.create_module(name, module, eponymous=True, read_only=True)  # type: ignore[arg-type]
    for name, function in _functions(reader, user).items():
        connection.create_scalar_function(name, function)


def _no_rows() -> Iterator[tuple[Any, ...]]:
    return iter(())


class _CatalogModule:
    """One catalog relation as an eponymous virtual table module, made once and shared by every
    connection (building apsw.ext modules per connection cost a third of a session's start)."""

    def __init__(self, name: str, columns: list[tuple[str, PgType]]) -> None:
        self._name = name
        self._schema = f"CREATE TABLE x({', '.join(_quote_always(column) for column, _ in columns)})"

    def Connect(self, connection: apsw.Connection, *_: Any) -> tuple[str, _CatalogTable]:
        rows = _SOURCES[connection].get(self._name, _no_rows)
        return self._schema, _CatalogTable(rows)

    Create = Connect


class _CatalogTable:
    def __init__(self, rows: RowSource) -> None:
        self._rows = rows

    def BestIndex(self, *_: Any) -> None:  # a full scan: the tables are small
        return None

    def Open(self) -> _CatalogCursor:
        return _CatalogCursor(self._rows)

    def Disconnect(self) -> None:
        return None

    Destroy = Disconnect


class _CatalogCursor:
    def __init__(self, rows: RowSource) -> None:
        self._rows = rows
        self._current: list[tuple[Any, ...]] = []
        self._position = 0

    def Filter(self, *_: Any) -> None:
        self._current = list(self._rows())
        self._position = 0

    def Eof(self) -> bool:
        return self._position >= len(self._current)

    def Rowid(self) -> int:
        return self._position

    def Column(self, number: int) -> Any:
        return self._position if number == -1 else self._current[self._position][number]

    def Next(self) -> None:
        self._position += 1

    def Close(self) -> None:
        self._current = []


def _quote_always(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_MODULES = {name: _CatalogModule(name, columns) for name, columns in RELATIONS.items()}


def _row_sources(reader: CatalogReader, user: str,
                 database: str) -> dict[str, Callable[[], Iterator[tuple[Any, ...]]]]:
    def namespaces() -> Iterator[tuple[Any, ...]]:
        yield CATALOG_NAMESPACE, "pg_catalog", OWNER_OID, None
        yield PUBLIC_NAMESPACE, "public", DATABASE_OWNER_OID, None
        yield INFORMATION_SCHEMA_NAMESPACE, "information_schema", OWNER_OID, None

    def classes() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            yield _class_row(object_oid(relation.name), relation.name, relation.kind,
                             len(relation.attributes), bool(relation.indexes))
            for index in relation.indexes:
                yield _class_row(object_oid(index.name), index.name, "i", len(index.columns), False)

    def attributes() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            for a in relation.attributes:
                collation = DEFAULT_COLLATION if a.type.oid in t.STRING_TYPES - {t.NAME, t.CHAR} else 0
                yield (object_oid(relation.name), a.name, a.type.oid, -1, a.number, 0, a.type.typmod,
                       int(a.not_null), int(a.default is not None), "", "", 0, 1, 0, collation)

    def defaults() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            for a in relation.attributes:
                if a.default is not None:
                    yield (object_oid(f"{relation.name}.{a.name}"), object_oid(relation.name), a.number,
                           a.default)

    def indexes() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            numbers = {a.name: a.number for a in relation.attributes}
            for index in relation.indexes:
                key = " ".join(str(numbers.get(column, 0)) for column in index.columns)
                width = len(index.columns)
                yield (object_oid(index.name), object_oid(relation.name), width, width, int(index.unique),
                       int(index.primary), 0, 1, 0, 1, 0, 1, 1, 0, key, None, None, 0)

    def constraints() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            numbers = {a.name: a.number for a in relation.attributes}
            for index in relation.indexes:
                if index.constraint:
                    key = "{" + ",".join(str(numbers.get(column, 0)) for column in index.columns) + "}"
                    yield (object_oid(f"constraint {index.name}"), index.name, PUBLIC_NAMESPACE,
                           "p" if index.primary else "u", 0, 0, 1, object_oid(relation.name), 0,
                           object_oid(index.name), 0, 0, " ", " ", " ", 1, 0, 1, key, None)

    def types() -> Iterator[tuple[Any, ...]]:
        for info in codecs.TYPES.values():
            yield _type_row(info)

    def databases() -> Iterator[tuple[Any, ...]]:
        template_acl = f"{{=c/{user},{user}=CTc/{user}}}"
        for oid, name in ((DATABASE_OID, database), (1, "template1"), (4, "template0")):
            template = oid != DATABASE_OID
            yield (oid, name, OWNER_OID, 6, "c", int(template), int(oid != 4), -1, "C.UTF-8", "C.UTF-8", None,
                   template_acl if template else None)

    def roles() -> Iterator[tuple[Any, ...]]:
        yield OWNER_OID, user, 1, 1, 1, 1, 1, 1, -1, 1
        yield DATABASE_OWNER_OID, "pg_database_owner", 0, 1, 0, 0, 0, 0, -1, 0

    return {
        "pg_namespace": namespaces, "pg_class": classes, "pg_attribute": attributes, "pg_attrdef": defaults,
        "pg_index": indexes, "pg_constraint": constraints, "pg_type": types, "pg_database": databases,
        "pg_am": lambda: iter([(HEAP_AM, "heap", "t"), (BTREE_AM, "btree", "i")]),
        "pg_collation": lambda: iter([(DEFAULT_COLLATION, "default", CATALOG_NAMESPACE, "d"),
                                      (950, "C", CATALOG_NAMESPACE, "c"),
                                      (951, "POSIX", CATALOG_NAMESPACE, "c")]),
        "pg_roles": roles,
        "pg_user": lambda: iter([(user, OWNER_OID, 1, 1, 1, 1)]),
    }


def _class_row(oid: int, name: str, kind: str, columns: int, has_index: bool) -> tuple[Any, ...]:
    access_method = BTREE_AM if kind == "i" else HEAP_AM if kind == "r" else 0
    return (oid, name, PUBLIC_NAMESPACE, 0, 0, OWNER_OID, access_method, oid, 0, 0, -1, 0, int(has_index), 0,
            "p", kind, columns, 0, 0, 0, 0, 0, 0, 1, "d", 0, None, None, None)


def _type_row(info: codecs.TypeInfo) -> tuple[Any, ...]:
    collation = DEFAULT_COLLATION if info.oid in (t.TEXT, t.VARCHAR, t.BPCHAR) else 0
    return (info.oid, info.name, CATALOG_NAMESPACE, OWNER_OID, info.typlen, int(0 < info.typlen <= 8),
            "p" if info.category == "P" else "b", info.category, ",", 0, info.elem_oid, info.array_oid, 0, -1,
            0, collation)


def _type_oid(name: str | None) -> int | None:
    """to_regtype: the OID of a type name, NULL if there is no such type."""
    if name is None:
        return None
    lowered = name.strip().lower()
    lowered = lowered.removeprefix("pg_catalog.")
    try:
        if lowered.endswith("[]"):
            return codecs.type_by_oid(codecs.type_by_name(lowered[:-2]).oid).array_oid
        return codecs.type_by_name(lowered).oid
    except DatabaseError:  # not a type we know: NULL, as to_regtype answers
        return None


def _functions(reader: CatalogReader, user: str) -> dict[str, Callable[..., Any]]:
    def table_is_visible(oid: int | None) -> int | None:
        return None if oid is None else 1

    def index_definition(oid: int | None, column: int = 0, pretty: int = 0) -> str | None:
        index = reader.index(oid) if oid is not None else None
        if index is None:
            return None
        if not column:
            return index.definition
        return index.columns[column - 1] if column <= len(index.columns) else ""

    def constraint_definition(oid: int | None, pretty: int = 0) -> str | None:
        for relation in reader.relations():
            for index in relation.indexes:
                if index.constraint and object_oid(f"constraint {index.name}") == oid:
                    return index.constraint_definition
        return None

    def relation_oid(name: str | None) -> int | None:
        if name is None:
            return None
        bare = name.removeprefix("public.").strip('"')
        return next((object_oid(r.name) for r in reader.relations() if r.name == bare), None)

    return {
        "pg_table_is_visible": table_is_visible,
        "pg_get_userbyid": lambda oid: None if oid is None else user if oid == OWNER_OID
        else "pg_database_owner" if oid == DATABASE_OWNER_OID else f"unknown (OID={oid})",
        "format_type": format_type,
        "pg_get_expr": lambda text, relation, pretty=0: text,
        "pg_get_indexdef": index_definition,
        "pg_get_constraintdef": constraint_definition,
        "obj_description": lambda oid, catalog=None: None,
        "col_description": lambda oid, column: None,
        "shobj_description": lambda oid, catalog: None,
        "pg_encoding_to_char": lambda encoding: "UTF8" if encoding == 6 else "",
        "to_regtype": _type_oid,
        "to_regclass": relation_oid,
        "array_to_string": _array_to_string,
    }


def _array_to_string(array: str | None, separator: str | None, null_text: str | None = None) -> str | None:
    """array_to_string over an array's stored text form (`value_storage`); NULL elements are
    skipped unless null_text is given."""
    if array is None or separator is None:
        return None
    elements = codecs.decode_text(_TEXT_ARRAY, array.encode())
    return separator.join(str(e) if e is not None else null_text for e in elements
                          if e is not None or null_text is not None)
