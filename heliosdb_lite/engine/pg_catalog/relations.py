"""The slice of PostgreSQL's system catalog that clients ask for: psql's `\\d` commands, SQLAlchemy's
reflection, information_schema.

pg_class, pg_namespace, pg_attribute, pg_type, pg_index, pg_attrdef, pg_constraint, pg_database,
pg_am, pg_collation, pg_roles, pg_user, pg_sequence, pg_range (the built-in range types), pg_tablespace,
pg_extension (plpgsql, as PostgreSQL 15 installs it in every database), pg_language, pg_description, the
views pg_tables,
pg_views and pg_indexes (of the database's own relations only), pg_stat_activity and pg_locks
(`activity`), the views of
`information_schema.RELATIONS` and the always-empty relations (`EMPTY_RELATIONS`: pg_inherits,
pg_policy, pg_proc, pg_operator, pg_cast, pg_auth_members, ...) are SQLite eponymous virtual tables
registered on each session's connection, their rows computed (`rows`, `information_schema`)
from the store as `reader` reads it. `RELATIONS` declares their
columns with PostgreSQL types for the translator; `FUNCTION_TYPES` the result types of the catalog
functions (format_type, pg_get_expr, pg_get_indexdef, the reg* functions, ...) registered here.
`normalize` rewrites the spellings of catalog queries the parser does not take, and reg* casts
(`regcasts`).

Schemas: each relation is in the namespace its SQLite name says (`schemas.split`), and
pg_table_is_visible, regclass and to_regclass follow the session's search_path, read through the
settings given to `follow_search_path` (the setting's default until they are given).
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

import apsw
from sqlglot import exp

from heliosdb_lite.engine.functions import advisory_locks, effects
from heliosdb_lite.engine.pg_catalog import activity as pg_catalog_activity
from heliosdb_lite.engine.pg_catalog import builtins as pg_catalog_builtins
from heliosdb_lite.engine.pg_catalog import information_schema
from heliosdb_lite.engine.pg_catalog import sqlalchemy as pg_catalog_sqlalchemy
from heliosdb_lite.engine.pg_catalog.names import CATALOG_NAMESPACE, OWNER_OID, SessionNames, namespace_oid
from heliosdb_lite.engine.pg_catalog.reader import CatalogReader
from heliosdb_lite.engine.pg_catalog.regcasts import rewrite
from heliosdb_lite.engine.pg_catalog.rows import (
    RowSource,
    extension_procedures,
    functions,
    row_sources,
    with_extension_routines,
)
from heliosdb_lite.engine.sql.quoting import quote_name
from heliosdb_lite.engine.store import functions as store_functions
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.reg_types import REG_TYPES, input_function, output_function
from heliosdb_lite.engine.types.type_names import relation_columns as _columns

if TYPE_CHECKING:  # the engine's seam, above this package; annotations only
    from heliosdb_lite.engine.interface import Backend, NamedStatement

_OID = PgType(t.OID)
_REGTYPE = PgType(t.REGTYPE)
_NAME = PgType(t.NAME)
_BOOL = t.BOOL_TYPE
_TEXT = t.TEXT_TYPE
_DEFAULT_SEARCH_PATH = '"$user", public'

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
        "attislocal:bool attinhcount:int4 attcollation:oid attstorage:char attcompression:char "
        "attstattarget:int4 attacl:text"),
    "pg_type": _columns(
        "oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char "
        "typcategory:char typdelim:char typrelid:oid typelem:oid typarray:oid typbasetype:oid "
        "typtypmod:int4 typnotnull:bool typcollation:oid typdefault:text "
        "typinput:name typoutput:name typreceive:name typsend:name"),
    "pg_index": _columns(
        "indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool indisprimary:bool "
        "indisexclusion:bool indimmediate:bool indisclustered:bool indisvalid:bool indcheckxmin:bool "
        "indisready:bool indislive:bool indisreplident:bool indkey:text indexprs:text indpred:text "
        "indnullsnotdistinct:bool indclass:text indoption:text"),
    "pg_attrdef": _columns("oid:oid adrelid:oid adnum:int2 adbin:text"),
    "pg_constraint": _columns(
        "oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool "
        "convalidated:bool conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid "
        "confupdtype:char confdeltype:char confmatchtype:char conislocal:bool coninhcount:int4 "
        "connoinherit:bool conkey:int2[] confkey:int2[]"),
    "pg_database": _columns(
        "oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char datistemplate:bool "
        "datallowconn:bool datconnlimit:int4 datcollate:text datctype:text daticulocale:text "
        "datacl:text"),
    "pg_am": _columns("oid:oid amname:name amtype:char"),
    "pg_collation": _columns("oid:oid collname:name collnamespace:oid collprovider:char"),
    "pg_roles": _columns(
        "oid:oid rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool "
        "rolcanlogin:bool rolreplication:bool rolconnlimit:int4 rolbypassrls:bool "
        "rolvaliduntil:timestamptz"),
    "pg_user": _columns("usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool "
                        "usebypassrls:bool"),
    "pg_description": _columns("objoid:oid classoid:oid objsubid:int4 description:text"),
    "pg_inherits": _columns("inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool"),
    "pg_policy": _columns("oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:oid[] "
                          "polqual:text polwithcheck:text"),
    "pg_statistic_ext": _columns("oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid "
                                 "stxstattarget:int4 stxkind:text"),
    "pg_publication": _columns("oid:oid pubname:name pubowner:oid puballtables:bool"),
    "pg_publication_namespace": _columns("oid:oid pnpubid:oid pnnspid:oid"),
    "pg_publication_rel": _columns("oid:oid prpubid:oid prrelid:oid prqual:text prattrs:text"),
    "pg_trigger": _columns("oid:oid tgrelid:oid tgname:name tgenabled:char tgisinternal:bool"),
    "pg_rewrite": _columns("oid:oid rulename:name ev_class:oid ev_type:char is_instead:bool"),
    "pg_enum": _columns("oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name"),
    "pg_opclass": _columns("oid:oid opcmethod:oid opcname:name opcnamespace:oid opcdefault:bool"),
    "pg_tablespace": _columns("oid:oid spcname:name spcowner:oid spcacl:text spcoptions:text"),
    "pg_auth_members": _columns("roleid:oid member:oid grantor:oid admin_option:bool"),
    "pg_extension": _columns("oid:oid extname:name extowner:oid extnamespace:oid extrelocatable:bool "
                             "extversion:text extconfig:oid[] extcondition:text"),
    **pg_catalog_builtins.RELATIONS,
    "pg_cast": _columns("oid:oid castsource:oid casttarget:oid castfunc:oid castcontext:char "
                        "castmethod:char"),
    "pg_event_trigger": _columns("oid:oid evtname:name evtevent:name evtowner:oid evtfoid:oid "
                                 "evtenabled:char evttags:text"),
    "pg_foreign_data_wrapper": _columns("oid:oid fdwname:name fdwowner:oid fdwhandler:oid "
                                        "fdwvalidator:oid fdwacl:text fdwoptions:text"),
    "pg_foreign_server": _columns("oid:oid srvname:name srvowner:oid srvfdw:oid srvtype:text "
                                  "srvversion:text srvacl:text srvoptions:text"),
    "pg_conversion": _columns("oid:oid conname:name connamespace:oid conowner:oid conforencoding:int4 "
                              "contoencoding:int4 conproc:oid condefault:bool"),
    "pg_largeobject_metadata": _columns("oid:oid lomowner:oid lomacl:text"),
    "pg_language": _columns("oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool "
                            "lanplcallfoid:oid laninline:oid lanvalidator:oid lanacl:text tableoid:oid"),
    "pg_user_mappings": _columns("umid:oid srvid:oid srvname:name umuser:oid usename:name umoptions:text"),
    "pg_subscription": _columns("oid:oid subdbid:oid subname:name subowner:oid subenabled:bool "
                                "subbinary:bool substream:bool subtwophasestate:char subdisableonerr:bool "
                                "subconninfo:text subslotname:name subsynccommit:text subpublications:text "
                                "subskiplsn:text"),
    pg_catalog_sqlalchemy.INDEX_KEYS: _columns("indexrelid:oid attnum:int2 ord:int4"),
    "pg_depend": _columns("classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 "
                          "deptype:char"),
    "pg_tables": _columns("schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool "
                          "hasrules:bool hastriggers:bool rowsecurity:bool"),
    "pg_views": _columns("schemaname:name viewname:name viewowner:name definition:text"),
    "pg_indexes": _columns("schemaname:name tablename:name indexname:name tablespace:name indexdef:text"),
    "pg_prepared_xacts": _columns("transaction:xid gid:text prepared:timestamptz owner:name database:name"),
    "pg_stat_activity": _columns(pg_catalog_activity.COLUMNS),
    "pg_prepared_statements": _columns(pg_catalog_activity.PREPARED_COLUMNS),
    "pg_locks": _columns(pg_catalog_activity.LOCK_COLUMNS),
    "pg_range": _columns("rngtypid:oid rngsubtype:oid rngmultitypid:oid rngcollation:oid rngsubopc:oid "
                         "rngcanonical:oid rngsubdiff:oid"),
    "pg_sequence": _columns("seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 "
                            "seqmin:int8 seqcache:int8 seqcycle:bool"),
    **information_schema.RELATIONS,
}
# relations that have no rows here: a query that inner-joins one of them returns nothing
# (no user functions, operators, casts, ... exist; pg_cast has no rows, not even
# PostgreSQL's built-in ones)
EMPTY_RELATIONS = frozenset({"pg_inherits", "pg_policy", "pg_statistic_ext", "pg_publication",
                             "pg_publication_namespace", "pg_publication_rel", "pg_trigger", "pg_rewrite",
                             "pg_opclass", "pg_auth_members", "pg_cast",
                             "pg_event_trigger", "pg_foreign_data_wrapper", "pg_foreign_server",
                             "pg_conversion", "pg_largeobject_metadata", "pg_user_mappings",
                             "pg_subscription", "pg_prepared_xacts"})

FUNCTION_TYPES: dict[str, PgType] = {
    "pg_table_is_visible": _BOOL, "pg_get_userbyid": _NAME, "format_type": _TEXT, "pg_get_expr": _TEXT,
    "pg_get_indexdef": _TEXT, "pg_get_constraintdef": _TEXT, "obj_description": _TEXT,
    "col_description": _TEXT, "shobj_description": _TEXT, "pg_encoding_to_char": _NAME,
    "to_regtype": _REGTYPE, "to_regclass": _OID, "to_regnamespace": _OID, "array_to_string": _TEXT,
    "pg_get_viewdef": _TEXT, "pg_get_serial_sequence": _TEXT, "pg_type_is_visible": _BOOL,
    "pg_collation_is_visible": _BOOL, "pg_partition_ancestors": _OID, "quote_ident": _TEXT,
    "pg_tablespace_location": _TEXT,
    **{input_function(reg_type): _REGTYPE if reg_type == "regtype" else _OID for reg_type in REG_TYPES},
    **{output_function(reg_type): _TEXT for reg_type in REG_TYPES},
    **pg_catalog_builtins.FUNCTION_TYPES,
    **{name: PgType(oid) for name, oid in pg_catalog_activity.FUNCTION_TYPES.items()},
    **{name: PgType(oid) for name, oid in advisory_locks.RESULT_TYPES.items()},
}

_OPERATOR = re.compile(r"OPERATOR\s*\(\s*pg_catalog\s*\.\s*([~!<>=*^&|#@%+-]+)\s*\)", re.IGNORECASE)
_DEFAULT_COLLATION = re.compile(r"\s+COLLATE\s+pg_catalog\s*\.\s*(\"default\"|default)", re.IGNORECASE)
_CATALOG_TYPE = re.compile(r"::\s*pg_catalog\s*\.\s*", re.IGNORECASE)
# psql 15's \d+ appends the options of the table's TOAST table; there are no TOAST tables here
_TOAST_OPTIONS = "c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x)"


def normalize(sql: str) -> str:
    """psql's spellings the parser does not take: `OPERATOR(pg_catalog.~)`, `COLLATE
    pg_catalog.default` (the default collation: dropped), `::pg_catalog.type` casts and the TOAST
    options of \\d+; then reg* casts become function calls (`regcasts`)."""
    if "pg_catalog" in sql:
        sql = sql.replace(_TOAST_OPTIONS, "c.reloptions")
        sql = _OPERATOR.sub(lambda match: f" {match.group(1)} ", sql)
        sql = _DEFAULT_COLLATION.sub("", sql)
        sql = _CATALOG_TYPE.sub("::", sql)
    return pg_catalog_sqlalchemy.rewrite(rewrite(sql))


def relation_name(table: exp.Table) -> str | None:
    """The catalog relation a FROM item names (`pg_class`, `pg_catalog.pg_class`,
    `information_schema.tables`), else None. An information_schema relation is renamed in place to
    its SQLite name (`"information_schema.tables"`), aliased by its own name unless it has an alias."""
    db = table.args.get("db")
    name = table.name.lower()
    if db is not None and db.name.lower() == information_schema.SCHEMA:
        relation = f"{information_schema.SCHEMA}.{name}"
        if relation not in RELATIONS:
            return None
        if not table.alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
        table.set("this", exp.to_identifier(relation, quoted=True))
        table.set("db", None)
        return relation
    if db is not None and db.name.lower() != "pg_catalog":
        return None
    return name if name in RELATIONS else None


# --- queries answered without running them -----------------------------------------------------------


def empty_result(tree: exp.Expr) -> list[tuple[str, PgType]] | None:
    """The result columns of a parameterless query that has no rows because each of its SELECTs
    inner-joins an always-empty catalog relation (psql's policy, statistics and publication
    queries, which use constructs the translator does not support); None for any other query."""
    if not isinstance(tree, exp.Query) or tree.find(exp.Parameter, exp.Placeholder) is not None:
        return None
    selects = _branches(tree)
    if not selects or not all(_joins_empty_relation(select) for select in selects):
        return None
    return [_output_column(item, selects[0]) for item in selects[0].expressions]


def _branches(node: exp.Expr) -> list[exp.Select]:
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


def _output_column(item: exp.Expr, select: exp.Select) -> tuple[str, PgType]:
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


def _column_name(value: exp.Expr | None) -> str:  # None: a CASE without ELSE
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


# --- registration ----------------------------------------------------------------------------------------


class Settings(Protocol):
    """Where a session's settings are read (`settings.SessionSettings`)."""

    def get(self, name: str) -> str | None: ...


class _SearchPath:
    """A session's search_path: the setting's default until `follow_search_path` gives settings."""

    def __init__(self) -> None:
        self.settings: Settings | None = None

    def __call__(self) -> str:
        value = self.settings.get("search_path") if self.settings is not None else None
        return _DEFAULT_SEARCH_PATH if value is None else value


# each connection's row sources, looked up by the shared modules when SQLite connects a table, and
# its search_path; neither refers back to the connection (the reader holds a weak proxy), so an
# entry goes when its connection does
_SOURCES: weakref.WeakKeyDictionary[apsw.Connection, dict[str, RowSource]] = weakref.WeakKeyDictionary()
_SEARCH_PATHS: weakref.WeakKeyDictionary[apsw.Connection, _SearchPath] = weakref.WeakKeyDictionary()
_BACKENDS: weakref.WeakKeyDictionary[apsw.Connection, pg_catalog_activity.SessionBackend] = \
    weakref.WeakKeyDictionary()


def register(connection: apsw.Connection, user: str, database: str,
             databases: Callable[[], list[tuple[int, str]] | None] | None = None) -> None:
    """Register the catalog relations and functions on a session's connection (`databases`: the
    server's databases for pg_database, `rows.row_sources`)."""
    reader = CatalogReader(weakref.proxy(connection))
    search_path = _SEARCH_PATHS[connection] = _SearchPath()
    names = SessionNames(reader, user, search_path)
    backend = _BACKENDS[connection] = pg_catalog_activity.SessionBackend(names)

    def defined() -> tuple[store_functions.Function, ...]:
        return reader.store().functions

    builtins = pg_catalog_builtins.row_sources(CATALOG_NAMESPACE, OWNER_OID, defined, namespace_oid)
    procedures = builtins["pg_proc"]
    builtins["pg_proc"] = lambda: itertools.chain(procedures(), extension_procedures(reader))
    _SOURCES[connection] = {**row_sources(reader, names, database, databases),
                            **information_schema.row_sources(reader, names, database),
                            **builtins,
                            "pg_stat_activity": backend.rows,
                            "pg_prepared_statements": backend.prepared_statements}
    for name, module in _MODULES.items():
        connection.create_module(name, module, eponymous=True, read_only=True)  # type: ignore[arg-type]  # apsw lists optional methods (ShadowName) as required
    catalog_functions = with_extension_routines(reader, names.path,
                                                pg_catalog_builtins.functions(defined, names.path))
    for name, function in {**functions(reader, names), **catalog_functions, **backend.functions()}.items():
        effects.scalar(connection, name, function)


def attach_backend(connection: apsw.Connection, backend: Backend) -> None:
    """Show the server's sessions on `connection` (pg_stat_activity, pg_backend_pid, ...) and its
    roles (pg_roles, pg_user)."""
    _BACKENDS[connection].backend = backend
    if backend.roles is not None:
        _BACKENDS[connection].names.server_roles = backend.roles.logins


def show_locks(connection: apsw.Connection, locks: advisory_locks.AdvisoryLocks,
               session_locks: advisory_locks.SessionAdvisoryLocks) -> None:
    """List the advisory locks of `locks` (the engine's) in pg_locks on `connection`, those of
    `session_locks` (the session's) under the session's process id."""
    _SOURCES[connection]["pg_locks"] = partial(pg_catalog_activity.lock_rows, locks)
    session_locks.process_id = _BACKENDS[connection].process_id


def show_sql_prepared(connection: apsw.Connection,
                      statements: Callable[[], list[NamedStatement]]) -> None:
    """List `statements` (the session's PREPAREd ones) in pg_prepared_statements on `connection`."""
    _BACKENDS[connection].sql_statements = statements


def follow_search_path(connection: apsw.Connection, settings: Settings) -> None:
    """Make pg_table_is_visible, regclass and to_regclass on `connection` follow the search_path
    of `settings` (the session's)."""
    _SEARCH_PATHS[connection].settings = settings


def _no_rows() -> Iterator[tuple[Any, ...]]:
    return iter(())


class _CatalogModule:
    """One catalog relation as an eponymous virtual table module, made once and shared by every
    connection (building apsw.ext modules per connection cost a third of a session's start)."""

    def __init__(self, name: str, columns: list[tuple[str, PgType]]) -> None:
        self._name = name
        self._schema = f"CREATE TABLE x({', '.join(quote_name(column) for column, _ in columns)})"

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




_MODULES = {name: _CatalogModule(name, columns) for name, columns in RELATIONS.items()}
