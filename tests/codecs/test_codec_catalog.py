"""The type table and SQL type-name lookup, checked against PostgreSQL's pg_type and regtype."""

from __future__ import annotations

import pytest

from heliosdb_lite.errors import DatabaseError
from heliosdb_lite.protocol.codecs import CODECS, TYPES, TypeInfo, codec_for, type_by_name, type_by_oid
from heliosdb_lite.protocol.codecs.oids import INT2VECTOR
from heliosdb_lite.protocol.codecs.user_types import is_user_type
from tests.codecs.reference_client import ReferenceClient, sql_literal
from tools.generated import write_region
from tools.update_oids import TARGET, read_rows, render

SPELLINGS = [
    "int",
    "integer",
    "INTEGER",
    "int4",
    "smallint",
    "int2",
    "bigint",
    "int8",
    "real",
    "float4",
    "double precision",
    "float8",
    "float",
    "float(24)",
    "float(25)",
    "boolean",
    "bool",
    "decimal",
    "numeric",
    "numeric(10,2)",
    "decimal(5)",
    "char",
    "character",
    "char(5)",
    "bpchar",
    "character varying",
    "varchar",
    "varchar(20)",
    "character varying(3)",
    '"char"',
    "text",
    "bytea",
    "name",
    "oid",
    "json",
    "jsonb",
    "uuid",
    "date",
    "time",
    "time without time zone",
    "time(3) without time zone",
    "timestamp",
    "timestamp without time zone",
    "timestamp(6) without time zone",
    "timestamp with time zone",
    "timestamptz",
    "Timestamp With Time Zone",
    "timestamp(3) with time zone",
    "interval",
    "interval(2)",
    "interval day to second",
    "interval year",
    "unknown",
    "int[]",
    "integer[][]",
    "_int4",
    "text[]",
    "varchar(5)[]",
    '"char"[]',
    "double precision[]",
    "timestamp with time zone[]",
    "pg_catalog.int8",
    "  bigint  ",
    "numeric[]",
    "jsonb[]",
    "uuid[]",
    "name[]",
    "_bpchar",
]


def test_type_table_is_pg_type(reference: ReferenceClient) -> None:
    builtin = {oid: info for oid, info in TYPES.items() if not is_user_type(oid)}  # without enums
    oids = ",".join(str(oid) for oid in sorted(builtin))
    rows = reference.rows(
        f"SELECT oid, typname, typlen, typarray, typelem, typcategory FROM pg_type WHERE oid IN ({oids})"
    )
    expected = {
        int(str(oid)): TypeInfo(
            int(str(oid)), str(name), int(str(typlen)), int(str(array)), int(str(elem)), str(category)
        )
        for oid, name, typlen, array, elem, category in rows
    }
    assert expected == builtin


def test_oids_py_is_generated_from_pg_type(reference_pg: str) -> None:
    current = write_region(TARGET, render(read_rows(reference_pg)), check=True)
    assert current, "oids.py is stale: run python -m tools.update_oids"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_type_by_name_resolves_like_postgres(reference: ReferenceClient, spelling: str) -> None:
    [(expected,)] = reference.rows(f"SELECT {sql_literal(spelling)}::regtype::oid")
    assert type_by_name(spelling).oid == int(str(expected))


def test_every_type_has_a_codec_and_arrays_know_their_elements() -> None:
    assert set(CODECS) == set(TYPES)
    for info in TYPES.values():
        if info.is_array and info.oid != INT2VECTOR:  # a vector is an array of int2, not int2's array type
            assert TYPES[info.elem_oid].array_oid == info.oid
        assert type_by_oid(info.oid) is info


def test_unknown_types_are_errors() -> None:
    with pytest.raises(DatabaseError) as by_name:
        type_by_name("geometry")
    assert (by_name.value.sqlstate, by_name.value.message) == ("42704", 'type "geometry" does not exist')
    with pytest.raises(DatabaseError) as by_oid:
        type_by_oid(628)  # line
    assert by_oid.value.sqlstate == "42704"
    with pytest.raises(DatabaseError) as no_codec:
        codec_for(628)
    assert no_codec.value.sqlstate == "0A000"
    with pytest.raises(DatabaseError):
        type_by_name("unknown[]")  # unknown has no array type
