"""The names under which the engine's functions, aggregates and collations are registered on a
session's connection (`registration`), as the translator and the DDL modules write them in SQLite
SQL. A leaf: it imports nothing of the engine but `pgtypes`."""

from __future__ import annotations

from heliosdb_lite.engine.types import pgtypes as t

CAST = "helios_cast"
IMMUTABLE_CAST = "helios_cast_immutable"  # reads no setting: index keys, generated columns
NUMBER_ARITH = "helios_number_arith"
QUICK_ARITH_TYPES = (t.INT2, t.INT4, t.INT8, t.FLOAT4, t.FLOAT8)
QUICK_ARITH_NAMES = {"+": "add", "-": "sub", "*": "mul"}
ROW_COUNT = "helios_row_count"  # (count, 'LIMIT' | 'OFFSET'): the count SQLite takes, PostgreSQL's checks
BITWISE = "helios_bitwise"
ARITH = "helios_arith"
NEGATE = "helios_neg"
COMPARE = "helios_compare"
MATH = "helios_math"
EXTRACT = "helios_extract"
DATE_TRUNC = "helios_date_trunc"
GREATEST = "helios_greatest"
LEAST = "helios_least"
ILIKE = "helios_ilike"
REGEXP_I = "helios_regexp_i"
CURRENT_DATE = "helios_current_date"
LOCALTIMESTAMP = "helios_localtimestamp"
NEXTVAL = "nextval"
SUBSTRING_START = "helios_substring_start"
SUBSTRING_LENGTH = "helios_substring_length"
SEQUENCE_DEFINE = "helios_sequence_define"
ROW = "helios_row"  # (field oid, field value, ...): ROW(...) as a stored record
ROW_FIELD = "helios_row_field"  # (row, row type oid, field number from 0): (row).field
ROW_IS_NULL = "helios_row_is_null"  # (row, row type oid, negated): row IS [NOT] NULL, field by field
ENUM_FIRST = "helios_enum_first"  # (enum oid): enum_first
ENUM_LAST = "helios_enum_last"  # (enum oid): enum_last
ENUM_RANGE = "helios_enum_range"  # (enum oid, low label or NULL, high label or NULL): enum_range
SEQUENCE_RENAME = "helios_sequence_rename"
SEQUENCE_DROP = "helios_sequence_drop"
TABLESAMPLE = "helios_tablesample"  # (percent, seed, seeded, rowid): the row is in the sample
FAIL_IF = "helios_fail_if"  # (failed, sqlstate, message[, hint]): raises that error if failed, else 1
NOT_NULL = "helios_not_null"  # (value, message): the value, or 23502 with the message if it is NULL
SUM = "helios_sum"
AVG = "helios_avg"
# sum(DISTINCT ...) and avg(DISTINCT ...) of integers: SQLite's DISTINCT aggregates take one argument
SUM_DISTINCT_INTEGERS = "helios_sum_distinct_integers"
AVG_DISTINCT_INTEGERS = "helios_avg_distinct_integers"
ARRAY_AGG = "helios_array_agg"
SUBSCRIPT = "helios_subscript"
ARRAY_LENGTH = "helios_array_length"
AT_TIME_ZONE = "helios_at_time_zone"
LOCALTIME = "helios_localtime"
CURRENT_TIME = "helios_current_time"
TO_TIMESTAMP = "helios_to_timestamp"
FORMAT = "helios_format"
AGE = "helios_age"
TO_CHAR = "helios_to_char"
JSON_VALUE = "helios_json_value"  # a value as to_json writes it (functions.json_values)
TO_JSON = "helios_to_json"  # (value, oid, pretty): JSON_VALUE, NULL for NULL
JSON_KEY = "helios_json_key"  # a value as an object's key (functions.json_values)
JSON_BUILD_ARRAY = "helios_json_build_array"  # the builders of functions.json_building
JSON_BUILD_OBJECT = "helios_json_build_object"
JSON_OF_FIELDS = "helios_json_of_fields"
JSON_OBJECT_OF_ARRAYS = "helios_json_object_of_arrays"
JSON_AGG = "helios_json_agg"
JSON_OBJECT_AGG = "helios_json_object_agg"
JSON_AGG_DISTINCT = "helios_json_agg_distinct"  # json_agg(DISTINCT ...), jsonb_agg(DISTINCT ...)
JSON_ROWS_ARRAY_AGG = "helios_json_rows_array_agg"  # array_agg(row) as JSON (functions.json_building)
JSONB_AGG = "helios_jsonb_agg"
JSONB_OBJECT_AGG = "helios_jsonb_object_agg"
JSON_GET = "helios_json_get"  # (document, oid, mode, *steps): mode 1 as text, | JSON_GET_ALONG_PATH
JSON_GET_ALONG_PATH = 2  # a text step also indexes an array, as in a #> path
JSON_GET_PATH = "helios_json_get_path"
JSONB_HAS_KEYS = "helios_jsonb_has_keys"
JSONB_CONTAINS = "helios_jsonb_contains"
QUANTIFIED = "helios_quantified"
SCALAR_SUBQUERY = "helios_scalar_subquery"
SEQUENCE_ASSIGNED = "helios_sequence_assigned"
GENERATE_SERIES = "generate_series"
TIME_SERIES = "helios_time_series"
NUMERIC_COLLATION = "helios_numeric"
INTERVAL_COLLATION = "helios_interval"
TIMETZ_COLLATION = "helios_timetz"
# the collation that makes SQLite compare stored values of a type as PostgreSQL compares them
# (RTRIM is SQLite's own: char(n) ignores trailing spaces)
COLLATIONS = {t.NUMERIC: NUMERIC_COLLATION, t.INTERVAL: INTERVAL_COLLATION, t.BPCHAR: "RTRIM",
              **{oid: f"helios_range_{oid}" for oid in sorted(t.RANGE_TYPES | t.MULTIRANGE_TYPES)},
              t.INET: "helios_inet", t.CIDR: "helios_inet", t.TIMETZ: TIMETZ_COLLATION,
              t.JSONB: "helios_jsonb"}


def quick_arith_name(operator: str, oid: int) -> str:
    """The function the translator calls for `operator` (+ - *) with a result of type oid."""
    return f"helios_{QUICK_ARITH_NAMES[operator]}_{oid}"
