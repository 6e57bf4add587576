"""PostgreSQL's typing rules, as far as the engine needs them: what type an expression has.

Pure functions over `PgType`s: literal types, operator result types, the common type of CASE /
COALESCE branches, function and aggregate result types, and the name PostgreSQL gives a result
column (`?column?`, `count`, `now`, ...). The translator walks the tree and asks these rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp

from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.reg_types import cast_column_name
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    AMBIGUOUS_FUNCTION,
    CANNOT_COERCE,
    DATATYPE_MISMATCH,
    UNDEFINED_FUNCTION,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs

_INT_RANK = {t.INT2: 0, t.INT4: 1, t.INT8: 2, t.OID: 2}


def integer_literal_type(value: int) -> PgType:
    """int4 if it fits, else int8, else numeric — as PostgreSQL types an integer constant."""
    if -(2**31) <= value < 2**31:
        return t.INT4_TYPE
    if -(2**63) <= value < 2**63:
        return t.INT8_TYPE
    return t.NUMERIC_TYPE


def literal_type(literal: exp.Literal) -> PgType:
    """A numeric constant's type; a quoted string is `unknown` until context resolves it."""
    if literal.is_string:
        return t.UNKNOWN_TYPE
    text = literal.this
    if text.isdigit():
        return integer_literal_type(int(text))
    return t.NUMERIC_TYPE


def _numeric_result(left: int, right: int) -> PgType | None:
    """Result of + - * / % between two numbers, or None if either is not a number."""
    if left not in t.NUMBER_TYPES or right not in t.NUMBER_TYPES:
        return None
    if left in t.FLOAT_TYPES or right in t.FLOAT_TYPES:
        return PgType(t.FLOAT4) if left == right == t.FLOAT4 else t.FLOAT8_TYPE
    if t.NUMERIC in (left, right):
        return t.NUMERIC_TYPE
    return PgType(max((left, right), key=lambda oid: _INT_RANK[oid]) if left != t.OID else t.INT8)


# (operator, left, right) -> result for date/time arithmetic
_DATETIME_OPERATORS: dict[tuple[str, int, int], int] = {
    ("+", t.DATE, t.INT4): t.DATE, ("+", t.INT4, t.DATE): t.DATE, ("-", t.DATE, t.INT4): t.DATE,
    ("-", t.DATE, t.DATE): t.INT4,
    ("+", t.DATE, t.INTERVAL): t.TIMESTAMP, ("+", t.INTERVAL, t.DATE): t.TIMESTAMP,
    ("-", t.DATE, t.INTERVAL): t.TIMESTAMP, ("+", t.DATE, t.TIME): t.TIMESTAMP,
    ("+", t.TIMESTAMP, t.INTERVAL): t.TIMESTAMP, ("+", t.INTERVAL, t.TIMESTAMP): t.TIMESTAMP,
    ("-", t.TIMESTAMP, t.INTERVAL): t.TIMESTAMP, ("-", t.TIMESTAMP, t.TIMESTAMP): t.INTERVAL,
    ("+", t.TIMESTAMPTZ, t.INTERVAL): t.TIMESTAMPTZ, ("+", t.INTERVAL, t.TIMESTAMPTZ): t.TIMESTAMPTZ,
    ("-", t.TIMESTAMPTZ, t.INTERVAL): t.TIMESTAMPTZ, ("-", t.TIMESTAMPTZ, t.TIMESTAMPTZ): t.INTERVAL,
    ("+", t.TIME, t.INTERVAL): t.TIME, ("+", t.INTERVAL, t.TIME): t.TIME, ("-", t.TIME, t.INTERVAL): t.TIME,
    ("-", t.TIME, t.TIME): t.INTERVAL,
    ("+", t.TIMETZ, t.INTERVAL): t.TIMETZ, ("+", t.INTERVAL, t.TIMETZ): t.TIMETZ,
    ("-", t.TIMETZ, t.INTERVAL): t.TIMETZ,
    ("+", t.DATE, t.TIMETZ): t.TIMESTAMPTZ, ("+", t.TIMETZ, t.DATE): t.TIMESTAMPTZ,
    ("+", t.INTERVAL, t.INTERVAL): t.INTERVAL, ("-", t.INTERVAL, t.INTERVAL): t.INTERVAL,
    ("*", t.INTERVAL, t.FLOAT8): t.INTERVAL, ("*", t.FLOAT8, t.INTERVAL): t.INTERVAL,
    ("/", t.INTERVAL, t.FLOAT8): t.INTERVAL,
}


def _datetime_operand(oid: int) -> int:
    """Numbers act as int4 next to a date and as float8 next to an interval."""
    return t.FLOAT8 if oid in t.NUMBER_TYPES else oid


def resolve_unknown(operator: str, left: PgType, right: PgType) -> tuple[PgType, PgType]:
    """PostgreSQL's choice for an `unknown` (quoted literal or untyped parameter) operand."""
    if left.is_unknown and not right.is_unknown:
        return _unknown_partner(operator, right, first=False), right
    if right.is_unknown and not left.is_unknown:
        return left, _unknown_partner(operator, left, first=True)
    return left, right


def _unknown_partner(operator: str, known: PgType, *, first: bool) -> PgType:
    """The type of an unknown operand beside one of type known (first: known is the left one)."""
    if known.oid in (t.TIMESTAMP, t.TIMESTAMPTZ, t.DATE, t.TIME, t.TIMETZ) and operator in ("+", "-"):
        if operator == "-":  # PostgreSQL tries the other's type first: date - date, time - time, ...
            return PgType(t.INTERVAL if known.oid == t.TIMETZ else known.oid)  # no timetz - timetz
        if known.oid in (t.DATE, t.TIMETZ):  # date + integer, + interval, + time, timetz + interval,
            name = format_type(known.oid, -1)  # + date: no candidate is preferred
            names = f"{name} + unknown" if first else f"unknown + {name}"
            raise DatabaseError(AMBIGUOUS_FUNCTION, f"operator is not unique: {names}",
                                hint="Could not choose a best candidate operator. "
                                     "You might need to add explicit type casts.")
        return PgType(t.INTERVAL)
    if known.oid == t.INTERVAL and operator in ("*", "/"):
        return t.FLOAT8_TYPE
    if known.oid in (t.VARCHAR, t.BPCHAR, t.NAME, t.CHAR):
        return t.TEXT_TYPE
    return PgType(known.oid)


_STAMPS = (t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ)  # each converts implicitly to those after it


def check_summable(name: str, argument: PgType) -> None:
    """sum() and avg() of a type they do not add up: 42725 for an unknown argument (which of the
    numeric types is unclear), 42883 otherwise (SQLite would add up the numbers texts start with)."""
    if argument.is_unknown:
        raise function_not_unique(name, "unknown")
    raise no_function(name, format_type(argument.oid, -1))


def arithmetic_operands(operator: str, left: PgType, right: PgType) -> tuple[PgType, PgType]:
    """The types the operands of an arithmetic operator are computed as (after `resolve_unknown`),
    by PostgreSQL's implicit casts where the operator exists only for another type: an int2 next
    to a date is an int4 (date ± int4; an int8 has no such operator), and of two different time
    stamps (or a date) subtracted, the earlier in date, timestamp, timestamptz takes the other's type."""
    if left.oid == t.DATE and right.oid == t.INT2:
        return left, t.INT4_TYPE
    if right.oid == t.DATE and left.oid == t.INT2:
        return t.INT4_TYPE, right
    if operator == "-" and left.oid != right.oid and left.oid in _STAMPS and right.oid in _STAMPS:
        later = PgType(max(left.oid, right.oid, key=_STAMPS.index))
        return later, later
    return left, right


_BITWISE_INTEGERS = (t.INT2, t.INT4, t.INT8)


def bitwise_type(operator: str, left: PgType | None, right: PgType) -> PgType:
    """The type of `left operator right` for & | # << >> and of the prefix `~ right` (left None),
    operands resolved: & | # on the wider of two integer types, which both are taken as; << >>
    shift an integer (the result's type) by an int4 (an int2 count widened); 42883 otherwise."""
    if left is None:
        if right.oid in _BITWISE_INTEGERS:
            return PgType(right.oid)
    elif left.oid in _BITWISE_INTEGERS and right.oid in _BITWISE_INTEGERS:
        if operator not in ("<<", ">>"):
            return PgType(max(left.oid, right.oid, key=_BITWISE_INTEGERS.index))
        if right.oid != t.INT8:
            return PgType(left.oid)
    raise no_operator(None if left is None else left.oid, operator, right.oid)


def arithmetic_type(operator: str, left: PgType, right: PgType) -> PgType:
    """Result type of `left operator right` for + - * / % ^ (operands already resolved)."""
    if left.is_unknown and right.is_unknown:
        raise DatabaseError(AMBIGUOUS_FUNCTION, f"operator is not unique: unknown {operator} unknown")
    if operator == "^":
        both_numbers = left.oid in t.NUMBER_TYPES and right.oid in t.NUMBER_TYPES
        if both_numbers and t.NUMERIC in (left.oid, right.oid) and not {left.oid, right.oid} & t.FLOAT_TYPES:
            return t.NUMERIC_TYPE
        if both_numbers:
            return t.FLOAT8_TYPE
    else:
        number = _numeric_result(left.oid, right.oid)
        if number is not None:
            return number
        key = (operator, _datetime_operand(left.oid) if right.oid == t.INTERVAL else left.oid,
               _datetime_operand(right.oid) if left.oid == t.INTERVAL else right.oid)
        result = _DATETIME_OPERATORS.get(key)
        if result is not None:
            return PgType(result)
    raise no_operator(left.oid, operator, right.oid)


def no_function(name: str, argument_types: str) -> DatabaseError:
    """42883 for a call of `name` with arguments of these types (their names, comma-separated, as
    PostgreSQL writes them), with PostgreSQL's hint."""
    return DatabaseError(UNDEFINED_FUNCTION, f"function {name}({argument_types}) does not exist",
                         hint="No function matches the given name and argument types. "
                              "You might need to add explicit type casts.")


def function_not_unique(name: str, argument_types: str) -> DatabaseError:
    """42725 for a call of `name` that more than one function could take, with PostgreSQL's hint."""
    return DatabaseError(AMBIGUOUS_FUNCTION, f"function {name}({argument_types}) is not unique",
                         hint="Could not choose a best candidate function. You might need to add explicit "
                              "type casts.")


def check_equality(pg_type: PgType | None) -> None:
    """42883 for grouping, partitioning or DISTINCT on a type with no equality operator (json)."""
    if pg_type is not None and pg_type.oid in t.WITHOUT_EQUALITY:
        raise DatabaseError(UNDEFINED_FUNCTION, "could not identify an equality operator for type "
                                                f"{format_type(pg_type.oid, -1)}")


def no_operator(left: int | None, operator: str, right: int) -> DatabaseError:
    """42883 for `left operator right` (left None: a prefix operator), the operand types named as
    PostgreSQL names them."""
    names = f"{operator} {format_type(right, -1)}"
    if left is not None:
        names = f"{format_type(left, -1)} {names}"
    return DatabaseError(UNDEFINED_FUNCTION, f"operator does not exist: {names}",
                         hint="No operator matches the given name and argument types. "
                              "You might need to add explicit type casts.")


def common_type(types: Sequence[PgType], context: str | None = None) -> PgType:
    """The type CASE / COALESCE / UNION / VALUES branches resolve to, as PostgreSQL's
    select_common_type chooses it (unknown only if every branch is unknown), with the modifier
    they all share (select_common_typmod). context names the construct in the errors: 42804 for
    branches of different categories, 42846 for one that does not convert to the chosen type;
    without one (the operands of IN and ANY) string types of different categories are text."""
    known = [pg_type for pg_type in types if not pg_type.is_unknown]
    if not known:
        return t.UNKNOWN_TYPE
    chosen = known[0].oid
    for pg_type in known[1:]:
        candidate = pg_type.oid
        if candidate == chosen:
            continue
        if cast_contexts.category(candidate) != cast_contexts.category(chosen):
            if context is None and all(known_type.oid in t.STRING_TYPES for known_type in known):
                return t.TEXT_TYPE  # an operator's operands ("char" = varchar): compared as text
            names = f"{format_type(chosen, -1)} and {format_type(candidate, -1)}"
            raise DatabaseError(DATATYPE_MISMATCH, _in_context(context, f"types {names} cannot be matched"))
        if chosen not in cast_contexts.PREFERRED \
                and cast_contexts.can_coerce(PgType(chosen), pg_type, cast_contexts.Context.IMPLICIT) \
                and not cast_contexts.can_coerce(pg_type, PgType(chosen), cast_contexts.Context.IMPLICIT):
            chosen = candidate
    for pg_type in known:
        if not cast_contexts.can_coerce(pg_type, PgType(chosen), cast_contexts.Context.IMPLICIT):
            names = f"{format_type(pg_type.oid, -1)} to {format_type(chosen, -1)}"
            raise DatabaseError(CANNOT_COERCE, _in_context(context, f"could not convert type {names}"))
    typmods = {pg_type.typmod for pg_type in types}
    same_type = all(pg_type.oid == chosen for pg_type in types)
    return PgType(chosen, typmods.pop() if same_type and len(typmods) == 1 else -1)


def comparable(left: PgType, right: PgType) -> bool:
    """Whether PostgreSQL has a comparison operator for these operand types: the same type, one
    converting implicitly to the other, or two string types (compared as text); an unknown
    operand takes the other's type."""
    implicit = cast_contexts.Context.IMPLICIT
    return left.is_unknown or right.is_unknown or {left.oid, right.oid} <= t.STRING_TYPES \
        or cast_contexts.can_coerce(left, right, implicit) or cast_contexts.can_coerce(right, left, implicit)


def _in_context(context: str | None, message: str) -> str:
    return f"{context} {message}" if context else message


def _fixed(oid: int, typmod: int = -1) -> Callable[[Sequence[PgType]], PgType]:
    result = PgType(oid, typmod)
    return lambda _: result


def _first(args: Sequence[PgType]) -> PgType:
    """The argument's type, without its modifier (as functions return it)."""
    return PgType(t.output_type(args[0]).oid) if args else t.TEXT_TYPE


def _extreme(args: Sequence[PgType]) -> PgType:
    """min/max: varchar and name have no aggregate of their own and go through text, cidr through inet."""
    first = _first(args)
    if first.oid == t.CIDR:
        return PgType(t.INET)
    return t.TEXT_TYPE if first.oid in (t.VARCHAR, t.NAME) else first



def _math(args: Sequence[PgType]) -> PgType:
    """Math functions: numeric in, numeric out; integers and floats go through float8."""
    return t.NUMERIC_TYPE if args and args[0].oid == t.NUMERIC else t.FLOAT8_TYPE


def _rounding(args: Sequence[PgType]) -> PgType:
    """round/trunc/ceil/floor: numeric stays numeric, floats and a lone integer are float8 (its
    preferred type); round(integer, places) is numeric's."""
    if args and (args[0].oid in t.FLOAT_TYPES or (args[0].oid in t.INTEGER_TYPES and len(args) == 1)):
        return t.FLOAT8_TYPE
    return t.NUMERIC_TYPE


def _sum(args: Sequence[PgType]) -> PgType:
    oid = args[0].oid if args else t.UNKNOWN
    if oid in (t.INT2, t.INT4):
        return t.INT8_TYPE
    if oid in (t.INT8, t.NUMERIC, t.UNKNOWN):
        return t.NUMERIC_TYPE
    return PgType(oid)


def _avg(args: Sequence[PgType]) -> PgType:
    oid = args[0].oid if args else t.UNKNOWN
    if oid in t.FLOAT_TYPES:
        return t.FLOAT8_TYPE
    if oid == t.INTERVAL:
        return PgType(t.INTERVAL)
    return t.NUMERIC_TYPE


def _common(args: Sequence[PgType]) -> PgType:
    return t.output_type(common_type(args))


def _date_trunc(args: Sequence[PgType]) -> PgType:
    if len(args) > 1 and args[1].oid in (t.TIMESTAMP, t.INTERVAL):
        return PgType(args[1].oid)
    return PgType(t.TIMESTAMPTZ)


def _array_of(args: Sequence[PgType]) -> PgType:
    element = t.output_type(args[0]) if args else t.TEXT_TYPE
    return PgType(codecs.type_by_oid(element.oid).array_oid)


_TEXT = _fixed(t.TEXT)
_INT4 = _fixed(t.INT4)
_INT8 = _fixed(t.INT8)
_FLOAT8 = _fixed(t.FLOAT8)
_BOOL = _fixed(t.BOOL)
_NAME = _fixed(t.NAME)
_TIMESTAMPTZ = _fixed(t.TIMESTAMPTZ)

FUNCTION_TYPES: dict[str, Callable[[Sequence[PgType]], PgType]] = {
    **dict.fromkeys(("now", "current_timestamp", "transaction_timestamp", "statement_timestamp",
                     "clock_timestamp", "to_timestamp"), _TIMESTAMPTZ),
    "localtimestamp": _fixed(t.TIMESTAMP), "current_date": _fixed(t.DATE), "localtime": _fixed(t.TIME),
    **dict.fromkeys(("current_database", "current_user", "session_user", "user", "current_schema",
                     "current_role", "current_catalog"), _NAME),
    **dict.fromkeys(("version", "upper", "lower", "initcap", "btrim", "trim", "ltrim", "rtrim", "substr",
                     "substring", "replace", "concat", "concat_ws", "left", "right", "lpad", "rpad", "repeat",
                     "reverse", "md5", "to_char", "format", "quote_ident", "quote_literal", "quote_nullable",
                     "split_part", "string_agg", "translate", "chr", "regexp_replace", "current_setting",
                     "set_config", "to_hex", "array_to_string", "overlay", "pg_typeof", "jsonb_typeof",
                     "json_typeof"), _TEXT),
    **dict.fromkeys(("length", "char_length", "character_length", "octet_length", "bit_length", "position",
                     "strpos", "ascii", "array_length", "array_upper", "array_lower", "array_ndims", "ntile",
                     "pg_backend_pid", "json_array_length", "jsonb_array_length", "inet_server_port"),
                    _INT4),
    **dict.fromkeys(("count", "row_number", "rank", "dense_rank", "nextval", "currval", "setval", "lastval",
                     "txid_current", "heliosdb_current_lsn", "heliosdb_last_applied_lsn"), _INT8),
    **dict.fromkeys(("random", "pi", "percent_rank", "cume_dist", "date_part", "degrees", "radians",
                     "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "cbrt"), _FLOAT8),
    **dict.fromkeys(("sqrt", "ln", "log", "log10", "exp", "power", "pow", "sign"), _math),
    **dict.fromkeys(("round", "trunc", "ceil", "ceiling", "floor"), _rounding),
    **dict.fromkeys(("abs", "first_value", "last_value", "lag", "lead", "nth_value",
                     "justify_days", "justify_hours", "justify_interval", "nullif"), _first),
    **dict.fromkeys(("min", "max"), _extreme),
    **dict.fromkeys(("coalesce", "greatest", "least", "mod"), _common),
    **dict.fromkeys(("bool_and", "bool_or", "every", "starts_with", "pg_table_is_visible", "isfinite",
                     "pg_is_in_recovery", "heliosdb_promote"),
                    _BOOL),
    "extract": _fixed(t.NUMERIC), "date_trunc": _date_trunc, "age": _fixed(t.INTERVAL),
    "make_interval": _fixed(t.INTERVAL), "make_date": _fixed(t.DATE), "make_timestamp": _fixed(t.TIMESTAMP),
    "to_date": _fixed(t.DATE), "to_number": _fixed(t.NUMERIC),
    "inet_server_addr": _fixed(t.INET), "gen_random_uuid": _fixed(t.UUID), "uuid_generate_v4": _fixed(t.UUID),
    "sum": _sum, "avg": _avg, "array_agg": _array_of,
    "pg_sleep": _fixed(t.VOID), "pg_notify": _fixed(t.VOID),
    "to_json": _fixed(t.JSON), "json_build_object": _fixed(t.JSON), "json_build_array": _fixed(t.JSON),
    "json_agg": _fixed(t.JSON), "row_to_json": _fixed(t.JSON), "array_to_json": _fixed(t.JSON),
    "json_object": _fixed(t.JSON), "json_object_agg": _fixed(t.JSON), "jsonb_object": _fixed(t.JSONB),
    "jsonb_object_agg": _fixed(t.JSONB),
    "to_jsonb": _fixed(t.JSONB), "jsonb_build_object": _fixed(t.JSONB), "jsonb_build_array": _fixed(t.JSONB),
    "jsonb_agg": _fixed(t.JSONB),
    "decode": _fixed(t.BYTEA), "sha256": _fixed(t.BYTEA),
}

AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "string_agg", "array_agg", "bool_and", "bool_or",
                        "every", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "range_agg",
                        "range_intersect_agg"})


def function_type(name: str, args: Sequence[PgType]) -> PgType:
    """Result type of a call; text for functions this table does not know (PostgreSQL's default
    for unknown output)."""
    rule = FUNCTION_TYPES.get(name)
    return rule(args) if rule is not None else t.TEXT_TYPE


# sqlglot classes whose PostgreSQL column name differs from sqlglot's function name
_CLASS_NAMES: dict[type[exp.Expr], str] = {
    exp.CurrentTimestamp: "current_timestamp", exp.CurrentDate: "current_date",
    exp.CurrentUser: "current_user", exp.SessionUser: "session_user", exp.CurrentSchema: "current_schema",
    exp.CurrentVersion: "version", exp.Exists: "exists", exp.Array: "array",
    exp.Coalesce: "coalesce", exp.Greatest: "greatest", exp.Least: "least", exp.Nullif: "nullif",
    exp.Trim: "btrim", exp.StrPosition: "position", exp.Extract: "extract", exp.Substring: "substring",
    exp.Rand: "random", exp.Uuid: "gen_random_uuid", exp.TimestampTrunc: "date_trunc", exp.Count: "count",
    exp.TimeToStr: "to_char", exp.GroupConcat: "string_agg",
    exp.ArrayAgg: "array_agg", exp.Localtime: "localtime", exp.Localtimestamp: "localtimestamp",
}


def function_name(node: exp.Expr, source: str) -> str | None:
    """The name PostgreSQL reports for a function call node (from the SQL text when sqlglot
    renamed it), or None if node is not a function call."""
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if not isinstance(node, exp.Func | exp.Case | exp.Exists | exp.Array):
        return None
    written = written_name(node, source)
    if written is not None:
        return written
    if isinstance(node, exp.Binary):
        return None
    for cls, name in _CLASS_NAMES.items():
        if isinstance(node, cls):
            return name
    return node.sql_name().lower() if isinstance(node, exp.Func) else None


def written_name(node: exp.Expr, source: str) -> str | None:
    """The name, lower-cased, a call sqlglot made a class of its own was written with in `source` (its
    text: `char_length` for exp.Length), from the position sqlglot's parser keeps; None for a call
    PostgreSQL's keyword syntax wrote (SUBSTRING(x FROM 2), POSITION, TRIM) or code made."""
    meta = node.meta if node._meta else {}
    start, end = meta.get("start"), meta.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end < len(source):
        written = source[start:end + 1]
        if written.replace("_", "").isalnum():
            return written.lower()
    return None


def column_name(node: exp.Expr, source: str) -> str:
    """PostgreSQL's FigureColname: the alias, column or function name, else `?column?`."""
    if isinstance(node, exp.Alias):
        return node.alias
    return _figure(node, source)[0] or "?column?"


def _figure(node: exp.Expr, source: str) -> tuple[str | None, int]:
    """(name, strength) as FigureColnameInternal: 2 for columns and functions, 1 for a cast's type
    name or CASE, 0 for nothing; a cast keeps its argument's name only when that is strong."""
    if isinstance(node, exp.Column):
        return node.name, 2
    if isinstance(node, exp.Paren | exp.Window | exp.Filter | exp.Bracket):
        return _figure(node.this, source)
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.SetOperation):  # its first query names it
        return _figure(exp.Subquery(this=node.this.this.copy()), source)
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Values):
        return "column1", 2
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select) and node.this.expressions:
        inner = node.this.expressions[0]
        return (inner.alias, 2) if isinstance(inner, exp.Alias) else _figure(inner, source)
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
        return _figure(node.expression, source)
    if isinstance(node, exp.Dot) and isinstance(node.this, exp.Paren) \
            and isinstance(node.expression, exp.Identifier):
        return node.expression.name, 2  # (row).field
    if isinstance(node, exp.Tuple):
        return "row", 2
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.IntDiv):
        return "div", 2  # sqlglot reads div(a, b) as CAST(a DIV b AS DECIMAL)
    if isinstance(node, exp.Cast):
        name, strength = _figure(node.this, source)
        return (name, strength) if strength > 1 else (_cast_type_name(node.to), 1)
    if isinstance(node, exp.Interval):
        return "interval", 1
    if isinstance(node, exp.Case):  # named by its ELSE when that has a strong name
        default = node.args.get("default")
        name, strength = _figure(default, source) if default is not None else (None, 0)
        return (name, strength) if strength > 1 else ("case", 1)
    if isinstance(node, exp.AtTimeZone):
        return "timezone", 2
    if isinstance(node, exp.Trim):
        position = (node.args.get("position") or "").upper()
        return {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "btrim"), 2
    cast_name = cast_column_name(node.name.lower()) if isinstance(node, exp.Anonymous) else None
    if cast_name is not None:  # a reg* cast, rewritten into a call (pg_catalog_regcasts)
        name, strength = _figure(node.expressions[0], source) if node.expressions else (None, 0)
        return (name, strength) if strength > 1 else (cast_name, 1)
    name = function_name(node, source)
    return (name, 2) if name is not None else (None, 0)


def _cast_type_name(data_type: exp.DataType) -> str:
    try:
        return t.resolve_datatype(data_type).name.lstrip("_")
    except DatabaseError:  # a type the database defines, or none: named as written, without its schema
        named = data_type
        while named.this == exp.DType.ARRAY and named.expressions:
            named = named.expressions[0]
        if named.this == exp.DType.HSTORE:  # an extension's type sqlglot knows by name
            return "hstore"
        kind = named.args.get("kind")
        kind = kind.expression if isinstance(kind, exp.Dot) else kind
        return kind.name if isinstance(kind, exp.Identifier) else "?column?"
