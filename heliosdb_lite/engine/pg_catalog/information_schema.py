"""information_schema: schemata, tables, columns, views, sequences, table_constraints,
check_constraints, key_column_usage and constraint_column_usage over the user's schemas and
relations, with PostgreSQL 15's column names and the base types of its domains (sql_identifier:
name, character_data: varchar, yes_or_no: varchar(3), cardinal_number: int4). The catalog's own
relations are not listed. As PostgreSQL 15, table_constraints and check_constraints list a table's
NOT NULL columns as CHECK constraints named `<namespace OID>_<table OID>_<column number>_not_null`
(`x IS NOT NULL`); check_constraints lists the domains' CHECK constraints too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from heliosdb_lite.engine.pg_catalog.names import SessionNames, namespace_oid
from heliosdb_lite.engine.pg_catalog.reader import (
    TEMPORARY_SCHEMA,
    CatalogReader,
    Check,
    Relation,
    object_oid,
)
from heliosdb_lite.engine.pg_catalog.rows import RowSource, default_text, domain_checks, view_body
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.engine.types.type_names import relation_columns as _columns
from heliosdb_lite.protocol import codecs

SCHEMA = "information_schema"
_UNLIMITED_OCTETS = 1073741824
_MAX_CHARACTER_BYTES = 4  # UTF8

RELATIONS = {f"{SCHEMA}.{name}": columns for name, columns in {
    "schemata": _columns(
        "catalog_name:name schema_name:name schema_owner:name default_character_set_catalog:name "
        "default_character_set_schema:name default_character_set_name:name sql_path:varchar"),
    "tables": _columns(
        "table_catalog:name table_schema:name table_name:name table_type:varchar "
        "self_referencing_column_name:name reference_generation:varchar user_defined_type_catalog:name "
        "user_defined_type_schema:name user_defined_type_name:name is_insertable_into:yes_or_no "
        "is_typed:yes_or_no commit_action:varchar"),
    "columns": _columns(
        "table_catalog:name table_schema:name table_name:name column_name:name ordinal_position:int4 "
        "column_default:varchar is_nullable:yes_or_no data_type:varchar character_maximum_length:int4 "
        "character_octet_length:int4 numeric_precision:int4 numeric_precision_radix:int4 numeric_scale:int4 "
        "datetime_precision:int4 udt_catalog:name udt_schema:name udt_name:name is_identity:yes_or_no "
        "identity_generation:varchar is_generated:varchar is_updatable:yes_or_no"),
    "views": _columns(
        "table_catalog:name table_schema:name table_name:name view_definition:varchar check_option:varchar "
        "is_updatable:yes_or_no is_insertable_into:yes_or_no is_trigger_updatable:yes_or_no "
        "is_trigger_deletable:yes_or_no is_trigger_insertable_into:yes_or_no"),
    "sequences": _columns(
        "sequence_catalog:name sequence_schema:name sequence_name:name data_type:varchar "
        "numeric_precision:int4 numeric_precision_radix:int4 numeric_scale:int4 start_value:varchar "
        "minimum_value:varchar maximum_value:varchar increment:varchar cycle_option:yes_or_no"),
    "table_constraints": _columns(
        "constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name "
        "table_schema:name table_name:name constraint_type:varchar is_deferrable:yes_or_no "
        "initially_deferred:yes_or_no enforced:yes_or_no nulls_distinct:yes_or_no"),
    "check_constraints": _columns(
        "constraint_catalog:name constraint_schema:name constraint_name:name check_clause:varchar"),
    "constraint_column_usage": _columns(
        "table_catalog:name table_schema:name table_name:name column_name:name constraint_catalog:name "
        "constraint_schema:name constraint_name:name"),
    "key_column_usage": _columns(
        "constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name "
        "table_schema:name table_name:name column_name:name ordinal_position:int4 "
        "position_in_unique_constraint:int4"),
}.items()}

_BINARY_PRECISION = {t.INT2: 16, t.INT4: 32, t.INT8: 64, t.FLOAT4: 24, t.FLOAT8: 53}
_DATETIME_TYPES = t.DATETIME_TYPES
_CHARACTER_TYPES = frozenset({t.TEXT, t.VARCHAR, t.BPCHAR})

def row_sources(reader: CatalogReader, names: SessionNames, database: str) -> dict[str, RowSource]:
    def schemata() -> Iterator[tuple[Any, ...]]:
        roles = names.roles()
        for namespace in sorted(names.namespaces(), key=lambda n: n.name):
            yield (database, namespace.name, roles.get(namespace.owner), None, None, None, None)

    def tables() -> Iterator[tuple[Any, ...]]:
        for relation in _tables_and_views(reader):
            view = relation.kind == "v"
            kind = "VIEW" if view else "BASE TABLE"
            if relation.schema == TEMPORARY_SCHEMA:
                kind = "LOCAL TEMPORARY"
            yield (database, relation.schema, relation.name, kind, None, None,
                   None, None, None, "NO" if view else "YES", "NO", None)

    def columns() -> Iterator[tuple[Any, ...]]:
        for relation in _tables_and_views(reader):
            for a in relation.attributes:
                yield (database, relation.schema, relation.name, a.name, a.number, default_text(a, names),
                       "NO" if a.not_null else "YES", *_type_columns(a.type), database, "pg_catalog",
                       codecs.type_by_oid(a.type.oid).name,
                       "YES" if a.identity else "NO", _IDENTITY_GENERATION.get(a.identity), "NEVER",
                       "NO" if relation.kind == "v" else "YES")

    def views() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            if relation.kind == "v":
                yield (database, relation.schema, relation.name, view_body(relation), "NONE", "NO", "NO",
                       "NO", "NO", "NO")

    def sequences() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            options = relation.sequence
            if options is not None:
                yield (database, relation.schema, relation.name, format_type(options.type, -1),
                       _PRECISION_BITS[options.type], 2, 0, str(options.start), str(options.minimum),
                       str(options.maximum), str(options.increment), "YES" if options.cycle else "NO")

    def table_constraints() -> Iterator[tuple[Any, ...]]:
        for relation, name, kind, _ in _constraints(reader):
            yield (database, relation.schema, name, database, relation.schema, relation.name, kind, "NO",
                   "NO", "YES", "YES" if kind == "UNIQUE" else None)
        for relation, name, _ in _not_null_checks(reader):
            yield (database, relation.schema, name, database, relation.schema, relation.name, "CHECK", "NO",
                   "NO", "YES", None)

    def check_constraints() -> Iterator[tuple[Any, ...]]:
        for relation in reader.relations():
            for check in relation.checks:
                yield database, relation.schema, check.name, _check_clause(check)
        for _, check in domain_checks(reader):
            yield database, check.schema, check.name, _check_clause(check)
        for relation, name, column in _not_null_checks(reader):
            yield database, relation.schema, name, f"{column} IS NOT NULL"

    def constraint_column_usage() -> Iterator[tuple[Any, ...]]:
        """The columns each constraint uses: a key's, a CHECK's, and a foreign key's referenced ones."""
        for relation in reader.relations():
            keys = [index for index in relation.indexes if index.constraint]
            used = [*((index.name, relation, index.columns) for index in keys),
                    *((check.name, relation, check.columns) for check in relation.checks)]
            for foreign in relation.foreign_keys:
                referenced = reader.relation(object_oid(foreign.referenced))
                if referenced is not None:
                    used.append((foreign.name, referenced, foreign.referenced_columns))
            for name, table, columns in used:
                for column in dict.fromkeys(columns):
                    yield (database, table.schema, table.name, column, database, relation.schema, name)

    def key_column_usage() -> Iterator[tuple[Any, ...]]:
        for relation, name, _, key in _constraints(reader):
            for position, (column, referenced_position) in enumerate(key, start=1):
                yield (database, relation.schema, name, database, relation.schema, relation.name, column,
                       position, referenced_position)

    return {f"{SCHEMA}.{name}": source for name, source in {
        "schemata": schemata, "tables": tables, "columns": columns, "views": views, "sequences": sequences,
        "table_constraints": table_constraints, "check_constraints": check_constraints,
        "constraint_column_usage": constraint_column_usage, "key_column_usage": key_column_usage}.items()}
_IDENTITY_GENERATION = {"a": "ALWAYS", "d": "BY DEFAULT"}  # by pg_attribute.attidentity
_PRECISION_BITS = {t.INT2: 16, t.INT4: 32, t.INT8: 64}  # information_schema.sequences.numeric_precision


def _tables_and_views(reader: CatalogReader) -> list[Relation]:
    return sorted((r for r in reader.relations() if r.kind in ("r", "v")), key=lambda r: (r.schema, r.name))


def _constraints(reader: CatalogReader
                 ) -> Iterator[tuple[Relation, str, str, list[tuple[str, int | None]]]]:
    """(relation, constraint name, constraint_type, [(column, position in the referenced key)])."""
    for relation in reader.relations():
        for index in relation.indexes:
            if index.constraint:
                kind = "PRIMARY KEY" if index.primary else "UNIQUE"
                yield relation, index.name, kind, [(column, None) for column in index.columns]
        for foreign in relation.foreign_keys:
            yield (relation, foreign.name, "FOREIGN KEY",
                   [(column, position) for position, column in enumerate(foreign.columns, start=1)])
        for check in relation.checks:
            yield relation, check.name, "CHECK", []


def _not_null_checks(reader: CatalogReader) -> Iterator[tuple[Relation, str, str]]:
    """(table, name, column) of the NOT NULL columns of the tables, as PostgreSQL 15 names their
    CHECK constraints in information_schema."""
    for relation in reader.relations():
        if relation.kind == "r":
            prefix = f"{namespace_oid(relation.schema)}_{relation.oid}"
            for attribute in relation.attributes:
                if attribute.not_null:
                    yield relation, f"{prefix}_{attribute.number}_not_null", attribute.name


def _check_clause(check: Check) -> str:
    """check_constraints.check_clause: pg_get_constraintdef's text without its `CHECK `."""
    return check.definition.removeprefix("CHECK ")


def _type_columns(pg_type: t.PgType) -> tuple[Any, ...]:
    """data_type through datetime_precision of information_schema.columns."""
    oid, typmod = pg_type.oid, pg_type.typmod
    info = codecs.type_by_oid(oid)
    data_type = "ARRAY" if info.is_array else format_type(oid, -1)
    length = typmod - t.VARHDRSZ if oid in (t.VARCHAR, t.BPCHAR) and typmod >= 0 else None
    octets = (length * _MAX_CHARACTER_BYTES if length is not None else _UNLIMITED_OCTETS) \
        if oid in _CHARACTER_TYPES else None
    precision = radix = scale = None
    if oid in _BINARY_PRECISION:
        precision, radix, scale = _BINARY_PRECISION[oid], 2, 0 if oid in t.INTEGER_TYPES else None
    elif oid == t.NUMERIC:
        radix = 10
        if typmod >= 0:
            precision, scale = divmod(typmod - t.VARHDRSZ, 1 << 16)
    datetime_precision = None
    if oid in _DATETIME_TYPES:
        datetime_precision = 0 if oid == t.DATE else typmod if typmod >= 0 else 6
    return data_type, length, octets, precision, radix, scale, datetime_precision
