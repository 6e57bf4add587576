"""Names and strings written into SQL text, each quoted one way: `quote_identifier` as PostgreSQL
prints an identifier (quote_ident, the catalog's deparsed names: bare when lower case and not one of
PostgreSQL 15's keywords that must be quoted — every category but unreserved, `pg_get_keywords()`
where catcode <> 'U' — else double-quoted); `quote_name` always double-quoted, for the SQL the engine
writes for SQLite (whose keywords are not PostgreSQL's); `string_literal` a single-quoted string."""

from __future__ import annotations

import re

QUOTED_KEYWORDS = frozenset({
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc", "distinct",
    "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for", "foreign",
    "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having", "ilike", "in",
    "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into", "is", "isnull",
    "join", "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp",
    "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
    "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing", "position",
    "precision", "primary", "real", "references", "returning", "right", "row", "select", "session_user",
    "setof", "similar", "smallint", "some", "substring", "symmetric", "table", "tablesample", "then",
    "time", "timestamp", "to", "trailing", "treat", "trim", "true", "union", "unique", "user", "using",
    "values", "varchar", "variadic", "verbose", "when", "where", "window", "with", "xmlattributes",
    "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi",
    "xmlroot", "xmlserialize", "xmltable",
})


def quote_identifier(name: str) -> str:
    """`name` bare when PostgreSQL would print it so, else double-quoted."""
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) and name not in QUOTED_KEYWORDS:
        return name
    return quote_name(name)


def quote_name(name: str) -> str:
    """`name` double-quoted (its double quotes doubled): an identifier in SQL written for SQLite."""
    return '"' + name.replace('"', '""') + '"'


def string_literal(value: str) -> str:
    """`value` as a SQL string literal: single-quoted, its single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"
