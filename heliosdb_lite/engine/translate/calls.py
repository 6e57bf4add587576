"""Function calls and aggregates: PostgreSQL's functions by name (typed by `typing_rules`, a
`helios_*` call where SQLite's own differs or is missing), the calls sqlglot parses into classes of
its own (substring, trim, extract, to_char, the array functions, COALESCE, GREATEST, LEAST, NULLIF,
...), aggregates with DISTINCT, ORDER BY and FILTER, and schema-qualified calls (`pg_catalog.f(x)`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from heliosdb_lite.engine import pg_catalog
from heliosdb_lite.engine.functions import (
    advisory_locks,
    binary_strings,
    extension_aggregates,
    float_aggregates,
    xml_functions,
)
from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.dialect import HeliosPostgres
from heliosdb_lite.engine.sql.to_char_templates import written_template
from heliosdb_lite.engine.store import user_types
from heliosdb_lite.engine.translate import (
    extension_calls,
    hstore,
    json_building,
    json_functions,
    known_functions,
    network,
    ranges,
    records,
    user_functions,
)
from heliosdb_lite.engine.translate.nodes import (
    bool_output,
    call,
    collated,
    is_unknown_literal,
    parameter_number,
)
from heliosdb_lite.engine.translate.operators import arithmetic, as_text, at_time_zone, compare, like
from heliosdb_lite.engine.translate.queries import ordered
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import array_typing, cast_contexts, range_typing
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    DATATYPE_MISMATCH,
    INDETERMINATE_DATATYPE,
    TOO_MANY_ARGUMENTS,
    UNDEFINED_FUNCTION,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import user_types as codec_types

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Handler, Translator

_RENAMED_FUNCTIONS = {"char_length": "length", "character_length": "length", "strpos": "instr",
                      "btrim": "trim", "ceiling": "ceil"}
# same name in SQLite, different meaning: refused rather than answered wrongly
# types whose text follows the session's DateStyle, IntervalStyle or TimeZone (stored otherwise)
_SESSION_TEXT = frozenset({t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ, t.INTERVAL})
_MISLEADING_FUNCTIONS = frozenset({"printf", "date", "time", "datetime", "strftime"})
_MATH_FUNCTIONS = frozenset({"round", "trunc", "ceil", "ceiling", "floor", "abs", "sign", "sqrt", "exp", "ln",
                             "log", "log10", "cbrt", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
                             "degrees", "radians"})  # in Python: SQLite's own answer NULL for a NaN
_TWO_ARGUMENT_MATH = frozenset({"round", "trunc", "atan2"})
# the types unknown arguments take (None: stays unknown)
_FUNCTION_PARAM_TYPES: dict[str, tuple[int | None, ...]] = {
    "pg_sleep": (t.FLOAT8,), "pg_notify": (t.TEXT, t.TEXT), "round": (t.NUMERIC, t.INT4),
    "pg_cancel_backend": (t.INT4,), "pg_terminate_backend": (t.INT4, t.INT8),
    **dict.fromkeys(advisory_locks.RESULT_TYPES, (t.INT8, t.INT4)),  # one bigint key, or two int keys
    "trunc": (t.NUMERIC, t.INT4),
    "left": (t.TEXT, t.INT4), "right": (t.TEXT, t.INT4), "repeat": (t.TEXT, t.INT4),
    "lpad": (t.TEXT, t.INT4, t.TEXT), "rpad": (t.TEXT, t.INT4, t.TEXT), "substr": (t.TEXT, t.INT4, t.INT4),
    "substring": (t.TEXT, t.INT4, t.INT4), "set_config": (t.TEXT, t.TEXT, t.BOOL),
    "current_setting": (t.TEXT, t.BOOL), "date_trunc": (t.TEXT, t.TIMESTAMPTZ),
    "split_part": (t.TEXT, t.TEXT, t.INT4), "chr": (t.INT4,), "to_timestamp": (t.FLOAT8,),
    "regexp_replace": (t.TEXT, t.TEXT, t.TEXT, t.TEXT),
    "age": (t.TIMESTAMPTZ, t.TIMESTAMPTZ),
    **{name: (None, *parameters[1:]) if name in binary_strings.ALSO_OF_BIT else parameters
       for name, (parameters, _) in binary_strings.SIGNATURES.items()},
}
# functions whose arguments from this position on are of type "any": an untyped parameter there
# has no type to take (42P18), where an untyped literal is read as text
_ANY_ARGUMENTS_FROM = {"concat": 0, "concat_ws": 1, "format": 1, "pg_typeof": 0}
_ENUM_FUNCTIONS = {"enum_first": fn.ENUM_FIRST, "enum_last": fn.ENUM_LAST, "enum_range": fn.ENUM_RANGE}
_TO_CHAR_TYPES = frozenset({t.TIMESTAMP, t.TIMESTAMPTZ, t.INTERVAL}) | t.NUMBER_TYPES - {t.OID}
_TEXT_FUNCTIONS = frozenset({  # their first argument is text
    "upper", "lower", "length", "substr", "substring", "trim", "ltrim", "rtrim", "btrim", "replace", "strpos",
    "left", "right", "lpad", "rpad", "repeat", "reverse", "initcap", "split_part", "ascii", "translate",
    "starts_with", "quote_literal", "quote_nullable"})
# those that take no bytea argument in PostgreSQL (it converts bytea to no string type implicitly)
_TEXT_ONLY_FUNCTIONS = _TEXT_FUNCTIONS - {"length", "quote_literal", "quote_nullable"}
_ARGUMENT_PLACEHOLDER = "helios_bare_call_argument_{}"
_MAX_ARGUMENTS = 100
# arguments written as they are in the bare call's text: literals (builders may read them, as
# date_trunc's unit) and what is syntax rather than an expression (DISTINCT, ORDER BY, *)
_ARGUMENTS_AS_TEXT = (exp.Literal, exp.Null, exp.Boolean, exp.Star, exp.Distinct, exp.Order, exp.Kwarg,
                      exp.PropertyEQ)


def _array_agg(translator: Translator, node: exp.ArrayAgg, scope: Scope) -> Typed:
    """array_agg(value [ORDER BY ...]): SQLite's aggregate ORDER BY, after the last argument."""
    order = node.this if isinstance(node.this, exp.Order) else None
    value, pg_type = _aggregate_argument(translator, order.this if order is not None else node.this, scope)
    if isinstance(value, exp.Distinct) or pg_type.is_unknown:
        raise unsupported("array_agg with DISTINCT or of unknown type")
    result = rules.function_type("array_agg", [pg_type])
    if order is None:
        return call(fn.ARRAY_AGG, value, pg_type.oid), result
    keys = [ordered(translator, item, Scope(parent=scope)) for item in order.expressions]
    return call(fn.ARRAY_AGG, value, exp.Order(this=exp.Literal.number(pg_type.oid), expressions=keys)), \
        result


def _variadic(translator: Translator, node: exp.Expr, scope: Scope) -> Typed:
    """COALESCE/GREATEST/LEAST/NULLIF: arguments resolved to their common type."""
    if isinstance(node, exp.Coalesce | exp.Greatest | exp.Least):
        arguments = [node.this, *node.expressions]
    else:
        arguments = [node.this, node.expression]
    typed = [translator.expr(argument, scope) for argument in arguments]
    context = None if isinstance(node, exp.Nullif) else type(node).__name__.upper()
    result = rules.common_type([pg_type for _, pg_type in typed], context)
    values = [translator.coerce(value, pg_type, result) for value, pg_type in typed]
    if isinstance(node, exp.Nullif):
        if result.oid in t.WITHOUT_EQUALITY:
            raise rules.no_operator(result.oid, "=", result.oid)
        first_type = typed[0][1]
        promoted = user_types.extension_type(first_type.oid) is not None  # nullif(citext, text) is text
        compared, result = result, (first_type if not first_type.is_unknown and not promoted else result)
        if compared.oid in fn.COLLATIONS or user_types.collation(compared.oid):  # citext's = too
            equal = compare(translator, "=", values[0], compared, values[1], compared)
            return exp.Case(ifs=[exp.If(this=equal, true=exp.Null())], default=values[0].copy()), result
        # SQLite's nullif compares with the collation of its first argument, which it may take
        # from inside it (a CASE whose WHEN compares intervals): the stored texts compared as they are
        first = exp.Collate(this=values[0], expression=exp.Var(this="BINARY"))
        return call("nullif", first, values[1]), result
    if isinstance(node, exp.Greatest | exp.Least):
        if result.oid in t.WITHOUT_EQUALITY:
            raise DatabaseError(UNDEFINED_FUNCTION, "could not identify a comparison function for type "
                                                    f"{format_type(result.oid, -1)}")
        name = fn.GREATEST if isinstance(node, exp.Greatest) else fn.LEAST
        return call(name, t.output_type(result).oid, *values), result
    return call("coalesce", *values), result


def _filter(translator: Translator, node: exp.Filter, scope: Scope) -> Typed:
    inner, pg_type = translator.expr(node.this, scope)
    node.set("this", inner)
    where = node.expression
    where.set("this", translator.condition(where.this, scope, "FILTER"))
    return node, pg_type


def _dot(translator: Translator, node: exp.Dot, scope: Scope) -> Typed:
    schema = node.this
    if isinstance(schema, exp.Paren):
        return records.field_selection(translator, node, scope)
    called = node.expression
    if isinstance(schema, exp.Column | exp.Identifier | exp.Var) and isinstance(called, exp.Anonymous) \
            and schema.name != "pg_catalog":
        defined = user_functions.call(translator, called.name.lower(), schema.name, called.expressions, scope)
        if defined is not None:
            return defined
    if isinstance(schema, exp.Column | exp.Identifier | exp.Var) and schema.name.lower() in ("pg_catalog",
                                                                                             "public"):
        bare = _bare_call(node.expression)
        if node.parent is not None:  # in the statement's tree, where its own FROM is (row_to_json(t))
            node.replace(bare)
        return translator.expr(bare, scope)
    if isinstance(schema, exp.Column | exp.Identifier | exp.Var) and isinstance(called, exp.Anonymous) \
            and ranges.is_constructor(translator, called.name.lower(), schema.name):  # s.floatrange(1, 2)
        name = called.name.lower()
        return ranges.function(translator, name, _arguments(translator, name, called.expressions, scope),
                               schema.name)
    return translator.generic(node, scope)


def _arguments(translator: Translator, name: str, arguments: Sequence[exp.Expr],
               scope: Scope) -> list[Typed]:
    return _typed_arguments(name, translator, [translator.expr(argument, scope) for argument in arguments])


def _typed_arguments(name: str, translator: Translator, typed: list[Typed]) -> list[Typed]:
    """The translated arguments of a call of `name`, untyped literals and parameters given the
    type the function's parameter reads them as."""
    declared = _FUNCTION_PARAM_TYPES.get(name, ())
    result = []
    for i, (value, pg_type) in enumerate(typed):
        number = parameter_number(value)
        if pg_type.is_unknown and number is not None and i >= _ANY_ARGUMENTS_FROM.get(name, len(typed)):
            raise DatabaseError(INDETERMINATE_DATATYPE,
                                f"could not determine data type of parameter ${number}")
        parameter = declared[i] if i < len(declared) else None
        if pg_type.is_unknown and (parameter is not None or number is not None):
            target = PgType(parameter) if parameter is not None else t.TEXT_TYPE
            value = translator.coerce(value, pg_type, target)
            pg_type = target
        result.append((value, pg_type))
    return result


def function(translator: Translator, name: str, arguments: Sequence[exp.Expr], scope: Scope, *,
             builtin: bool = False) -> Typed:
    """A call of the PostgreSQL function `name` (builtin: the built-in one, never an extension's)."""
    if len(arguments) > _MAX_ARGUMENTS:  # PostgreSQL's FUNC_MAX_ARGS (SQLite takes more)
        raise DatabaseError(TOO_MANY_ARGUMENTS,
                            f"cannot pass more than {_MAX_ARGUMENTS} arguments to a function")
    if name == "timezone" and len(arguments) == 2:  # timezone(zone, value) is value AT TIME ZONE zone
        return at_time_zone(translator, exp.AtTimeZone(this=arguments[1], zone=arguments[0]), scope)
    if name == "mod" and len(arguments) == 2:  # before its arguments are translated: `%` translates them
        return arithmetic(translator, exp.Mod(this=arguments[0], expression=arguments[1]), scope)
    if name == "like" and len(arguments) == 2:  # like(string, pattern): SQLite's like() is reversed
        return like(translator, exp.Like(this=arguments[0], expression=arguments[1]), scope)
    if name in json_building.NAMES:
        return json_building.function(translator, name, arguments, scope)
    row = json_building.row_fields(arguments[0], scope, nullable=False) \
        if len(arguments) == 1 and name == "hstore" and hstore.handles(translator, name) else None
    if row is not None:  # hstore(record) of a row whose field names are known (a missing row: NULL fields)
        fields = [(field, *translator.expr(value, scope)) for field, value in row.fields]
        return hstore.of_fields(translator, fields)
    typed = [translator.expr(argument, scope) for argument in arguments]
    if extension_calls.handles(name) and not builtin:
        extension_call = extension_calls.call_of(translator, name, typed)
        if extension_call is not None:
            return extension_call
    if json_functions.handles(name):  # its untyped parameters take their types there
        return json_functions.function(translator, name, typed)
    if hstore.handles(translator, name):  # likewise
        return hstore.function(translator, name, typed)
    typed = _typed_arguments(name, translator, typed)
    types = [pg_type for _, pg_type in typed]
    values = [value for value, _ in typed]
    if name == "pg_typeof" and len(typed) == 1:
        value, pg_type = typed[0]
        return _type_of(value, pg_type if is_unknown_literal(value) else t.output_type(pg_type))
    if name in _ENUM_FUNCTIONS:
        return _enum_call(translator, name, typed)
    if name in binary_strings.ALSO_OF_BIT and types and types[0].is_unknown:
        raise unsupported(f"{name}() of an untyped value (PostgreSQL may read it as type bit)")
    if name == "xmlparse":  # XMLPARSE (DOCUMENT | CONTENT value), as the parser writes it
        return _one_signature(translator, name, typed, (t.TEXT, t.TEXT), t.XML, xml_functions.XMLPARSE)
    if name in binary_strings.SIGNATURES:
        return _one_signature(translator, name, typed, *binary_strings.SIGNATURES[name])
    if name in binary_strings.OF_BYTEA and types and types[0].oid == t.BYTEA:
        registered, signatures, result_oid = binary_strings.OF_BYTEA[name]
        parameters = next((s for s in signatures if len(s) == len(typed)), signatures[0])
        return _one_signature(translator, name, typed, parameters, result_oid, registered)
    if name in _TEXT_ONLY_FUNCTIONS and any(pg_type.oid == t.BYTEA for pg_type in types):
        # no bytea form (SQLite would read the bytes' hex text)
        raise rules.no_function(name, ", ".join(format_type(t.output_type(p).oid, -1) for p in types))
    if ranges.handles(translator, name, types):
        return ranges.function(translator, name, typed)
    if network.handles(name, types):
        return network.function(translator, name, typed)
    result = rules.function_type(name, types)
    if name == "array_to_string" and types and codecs.type_by_oid(types[0].oid).elem_oid in _SESSION_TEXT:
        # the elements as their output function writes them now, not in their stored form
        text_array = array_typing.array_type(t.TEXT_TYPE)
        values[0] = translator.coerce(values[0], types[0], text_array, mode="explicit")
    if name in pg_catalog.FUNCTION_TYPES:
        return call(name, *values), pg_catalog.FUNCTION_TYPES[name]
    if name in _MISLEADING_FUNCTIONS:
        raise unsupported(f"function {name}()")
    if name in _MATH_FUNCTIONS and len(values) > (2 if name in _TWO_ARGUMENT_MATH else 1):
        raise unsupported(f"{name}() with {len(values)} arguments")
    if name == "to_timestamp" and len(values) == 1:
        seconds = translator.coerce(values[0], types[0], t.FLOAT8_TYPE)
        return call(fn.TO_TIMESTAMP, seconds), result
    if name == "age":
        return _age(translator, typed)
    if name in _MATH_FUNCTIONS and types and types[0].oid in t.NUMBER_TYPES | {t.UNKNOWN}:
        oid = types[0].oid if not types[0].is_unknown else t.NUMERIC
        if result.oid == t.FLOAT8 and oid not in t.FLOAT_TYPES:  # float8's function: computed in float8
            values[0], oid = translator.coerce(values[0], types[0], t.FLOAT8_TYPE), t.FLOAT8
        return call(fn.MATH, name, oid, *values), result
    if name in ("date_part", "extract"):
        return _extract(translator, values, types, result)
    if name == "date_trunc":
        if len(values) != 2:
            raise unsupported("date_trunc with a time zone argument")
        value = translator.coerce(values[1], types[1], result) if types[1].oid == t.DATE else values[1]
        oid = result.oid if types[1].oid == t.DATE else types[1].oid
        return call(fn.DATE_TRUNC, values[0], value, oid), result
    if name in ("array_length", "cardinality") and len(values) == (2 if name == "array_length" else 1) \
            and codecs.type_by_oid(types[0].oid).is_array:
        dimension = values[1] if name == "array_length" else exp.Literal.number(0)
        return call(fn.ARRAY_LENGTH, values[0], types[0].oid, dimension), t.INT4_TYPE
    if name in ("length", "octet_length") and types and types[0].oid == t.BYTEA:
        return call("length", values[0]), result  # SQLite's length of a blob counts its bytes
    if name in ("concat", "concat_ws", "format"):  # arguments in their output form: a bool is t or f
        if name == "format" and not typed:
            raise rules.no_function("format", "")
        texts = [bool_output(v) if pg_type.oid == t.BOOL else as_text(translator, v, pg_type)
                 for v, pg_type in typed]
        return call(fn.FORMAT if name == "format" else name, *texts), result
    if name == "substr" and len(typed) >= 2:  # PostgreSQL's positions before 1, SQLite's from the end
        if len(typed) == 3:
            length = call(fn.SUBSTRING_LENGTH, typed[1][0].copy(), typed[2][0], typed[0][0].copy())
            typed[2] = (length, typed[2][1])
        typed[1] = (call(fn.SUBSTRING_START, typed[1][0]), typed[1][1])
    if name in _TEXT_FUNCTIONS:
        values = [as_text(translator, v, pg_type) if i == 0 else v for i, (v, pg_type) in enumerate(typed)]
    called = _RENAMED_FUNCTIONS.get(name, name)
    if not known_functions.exists(translator.catalog.connection, name, called):
        raise rules.no_function(name, ", ".join(format_type(pg_type.oid, -1) for pg_type in types))
    return call(called, *values), result


def _one_signature(translator: Translator, name: str, typed: list[Typed], parameters: tuple[int, ...],
                   result: int, registered: str | None = None) -> Typed:
    """A call of a function of this signature (registered under `registered`, else its name): each
    argument converted to its parameter's type where PostgreSQL converts it implicitly, else 42883."""
    if len(typed) != len(parameters) or not all(
            cast_contexts.can_coerce(pg_type, PgType(oid), cast_contexts.Context.IMPLICIT)
            for (_, pg_type), oid in zip(typed, parameters, strict=False)):
        raise rules.no_function(name, ", ".join(format_type(pg_type.oid, -1) for _, pg_type in typed))
    values = [translator.coerce(value, pg_type, PgType(oid))
              for (value, pg_type), oid in zip(typed, parameters, strict=True)]
    return call(registered or name, *values), PgType(result)


def _enum_call(translator: Translator, name: str, typed: list[Typed]) -> Typed:
    """enum_first(e), enum_last(e), enum_range(e) and enum_range(low, high), of the enum that is
    their arguments' type (the value of a lone argument is not used)."""
    known = {pg_type.oid for _, pg_type in typed if not pg_type.is_unknown}
    if len(typed) == 1 or (name == "enum_range" and len(typed) == 2):
        if not known:
            raise DatabaseError(DATATYPE_MISMATCH,
                                "could not determine polymorphic type because input has type unknown")
        enum = codec_types.ENUMS.get(known.pop()) if len(known) == 1 else None
        if enum is not None:
            values = [translator.coerce(value, pg_type, PgType(enum.oid)) for value, pg_type in typed]
            if name != "enum_range":
                return call(_ENUM_FUNCTIONS[name], enum.oid), PgType(enum.oid)
            bounds = values if len(values) == 2 else [exp.Null(), exp.Null()]
            return call(fn.ENUM_RANGE, enum.oid, *bounds), PgType(enum.array_oid)
    raise rules.no_function(name, ", ".join(format_type(pg_type.oid, -1) for _, pg_type in typed))


def _age(translator: Translator, typed: list[Typed]) -> Typed:
    """age(a, b), and age(a) = age(current_date, a), over timestamp when an argument is one and
    none is timestamptz, else over timestamptz (PostgreSQL's preferred type, dates included)."""
    oids = [pg_type.oid for _, pg_type in typed]
    if not 1 <= len(typed) <= 2 or not set(oids) <= {t.DATE, t.TIMESTAMP, t.TIMESTAMPTZ}:
        names = ", ".join(t.type_name(oid) for oid in oids)
        raise rules.no_function("age", names)
    target = PgType(t.TIMESTAMP if t.TIMESTAMP in oids and t.TIMESTAMPTZ not in oids else t.TIMESTAMPTZ)
    values = [translator.coerce(value, pg_type, target) for value, pg_type in typed]
    if len(values) == 1:
        values.insert(0, translator.coerce(call(fn.CURRENT_DATE), PgType(t.DATE), target))
    return call(fn.AGE, *values, target.oid), PgType(t.INTERVAL)


def _extract(translator: Translator, values: list[exp.Expr], types: list[PgType],
             result: PgType) -> Typed:
    if len(values) != 2:
        raise unsupported("extract with these arguments")
    field = values[0]
    value, value_type = values[1], types[1]
    if value_type.is_unknown:
        value = translator.coerce(value, value_type, PgType(t.TIMESTAMPTZ))
        value_type = PgType(t.TIMESTAMPTZ)
    return call(fn.EXTRACT, field, value, value_type.oid), result


def _anonymous(translator: Translator, node: exp.Anonymous, scope: Scope) -> Typed:
    if records.is_row_constructor(node):
        return records.row(translator, node, scope)
    if node.name.lower() in array_typing.SIGNATURES:
        return _array_call(translator, node.name.lower(), node.expressions, scope)
    defined = user_functions.call(translator, node.name.lower(), None, node.expressions, scope)
    if defined is not None:
        return defined
    return function(translator, node.name.lower(), node.expressions, scope)


def _array_function_node(translator: Translator, node: exp.Func, scope: Scope) -> Typed:
    """array_append/prepend/cat/position/remove and string_to_array, parsed as sqlglot's classes
    (which keep array_prepend's array first)."""
    name = rules.function_name(node, translator.text) or node.sql_name().lower()
    arguments = [value for key in node.arg_types for value in _as_list(node.args.get(key))
                 if isinstance(value, exp.Expression)]
    if isinstance(node, exp.ArrayPrepend):
        arguments.reverse()
    return _array_call(translator, name, arguments, scope)


def _array_call(translator: Translator, name: str, arguments: Sequence[exp.Expr],
                scope: Scope) -> Typed:
    """A polymorphic array function (`array_typing.SIGNATURES`) or string_to_array, typed as
    PostgreSQL types it; array_append, array_prepend and array_cat run as `||` does."""
    typed = [translator.expr(argument, scope) for argument in arguments]
    roles = array_typing.SIGNATURES.get(name, ("text", "text", "text"))  # string_to_array
    if not len(roles) - (name in ("array_position", "string_to_array")) <= len(typed) <= len(roles):
        raise DatabaseError(UNDEFINED_FUNCTION, f"function {name} with {len(typed)} arguments does not exist")
    if name == "string_to_array":
        texts = [translator.coerce(value, pg_type, t.TEXT_TYPE) for value, pg_type in typed]
        return call(array_functions.STRING_TO_ARRAY, *texts), array_typing.array_type(t.TEXT_TYPE)
    element = array_typing.polymorphic_element(
        name, [(role, pg_type) for role, (_, pg_type) in zip(roles, typed, strict=False)])
    array_type = array_typing.array_type(element)
    targets = {"array": array_type, "element": element, "int4": t.INT4_TYPE}
    values = [translator.coerce(value, pg_type, targets[role])
              for role, (value, pg_type) in zip(roles, typed, strict=False)]
    if name in ("array_append", "array_prepend", "array_cat"):
        left, right = (targets[role].oid for role in roles)
        joined = call(array_functions.CONCATENATE, values[0], left, values[1], right, array_type.oid)
        return joined, array_type
    function = {"array_position": array_functions.POSITION, "array_remove": array_functions.REMOVE,
                "array_replace": array_functions.REPLACE}[name]
    result = t.INT4_TYPE if name == "array_position" else array_type
    return call(function, values[0], array_type.oid, *values[1:]), result


def _to_char(translator: Translator, node: exp.TimeToStr, scope: Scope) -> Typed:
    """to_char(value, template) of a time stamp, interval or number; a literal template as
    written (sqlglot has rewritten it), a date as timestamptz (PostgreSQL's preferred type), a time
    as an interval (its implicit cast)."""
    value, value_type = translator.expr(node.this, scope)
    template = node.args["format"]
    if isinstance(template, exp.Literal) and template.is_string:
        template = exp.Literal.string(written_template(translator.text, template.this))
    else:
        template, template_type = translator.expr(template, scope)
        if not template_type.is_unknown and template_type.oid not in t.STRING_TYPES:
            names = ", ".join(format_type(t.output_type(pg_type).oid, -1)
                              for pg_type in (value_type, template_type))
            raise rules.no_function("to_char", names)
        template = translator.coerce(template, template_type, t.TEXT_TYPE)
    if value_type.oid == t.DATE:
        value, value_type = translator.coerce(value, value_type, PgType(t.TIMESTAMPTZ)), PgType(t.TIMESTAMPTZ)
    if value_type.oid == t.TIME:
        value, value_type = translator.coerce(value, value_type, PgType(t.INTERVAL)), PgType(t.INTERVAL)
    if value_type.is_unknown:
        raise rules.function_not_unique("to_char", "unknown, unknown")
    if value_type.oid not in _TO_CHAR_TYPES:
        raise rules.no_function("to_char", f"{format_type(value_type.oid, -1)}, unknown")
    return call(fn.TO_CHAR, value, value_type.oid, template), t.TEXT_TYPE


def _function_node(translator: Translator, node: exp.Func, scope: Scope) -> Typed:
    """A function sqlglot knows by class: called by its PostgreSQL name with positional args."""
    name = rules.function_name(node, translator.text) or node.sql_name().lower()
    arguments = [value for key in node.arg_types for value in _as_list(node.args.get(key))
                 if isinstance(value, exp.Expression)]
    if name == "log10" and len(arguments) == 2:
        arguments = arguments[1:]  # sqlglot reads log10(x) as log(10, x)
    return function(translator, name, arguments, scope)


def _count(translator: Translator, node: exp.Count, scope: Scope) -> Typed:
    argument = node.this
    if argument is not None and not isinstance(argument, exp.Star):
        node.set("this", _aggregate_argument(translator, argument, scope)[0])
    return node, t.INT8_TYPE


def _aggregate_argument(translator: Translator, argument: exp.Expr, scope: Scope) -> Typed:
    if isinstance(argument, exp.Distinct):  # values told apart as their type compares them
        typed = [translator.expr(item, scope) for item in argument.expressions]
        for _, pg_type in typed:
            rules.check_equality(pg_type)
        argument.set("expressions", [collated(value, pg_type) for value, pg_type in typed])
        return argument, typed[0][1] if typed else t.UNKNOWN_TYPE
    return translator.expr(argument, scope)


def _aggregate(translator: Translator, node: exp.AggFunc, scope: Scope) -> Typed:
    name = type(node).__name__.lower()
    argument, pg_type = _aggregate_argument(translator, node.this, scope)
    distinct = isinstance(argument, exp.Distinct)
    if name in ("sum", "avg") and pg_type.oid not in t.NUMBER_TYPES | {t.INTERVAL} \
            and (name, pg_type.oid) != ("sum", t.MONEY):  # sum(money): SQLite's sum of the cents
        rules.check_summable(name, pg_type)
    result = rules.function_type(name, [pg_type])
    if (name == "sum" and pg_type.oid in (t.INT8, t.NUMERIC, t.UNKNOWN)) or \
            (name == "avg" and pg_type.oid in t.INTEGER_TYPES | {t.NUMERIC, t.INTERVAL, t.UNKNOWN}):
        if distinct and pg_type.oid in t.INTEGER_TYPES:  # stored as SQLite integers: DISTINCT is exact
            aggregate = fn.SUM_DISTINCT_INTEGERS if name == "sum" else fn.AVG_DISTINCT_INTEGERS
            return call(aggregate, argument), result
        if distinct:  # numeric text: 1.0 and 1.00 are distinct strings but one number
            raise unsupported(f"{name}(DISTINCT ...) on {t.type_name(pg_type.oid)}")
        if pg_type.is_unknown:
            argument = translator.coerce(argument, pg_type, t.NUMERIC_TYPE)
            pg_type = t.NUMERIC_TYPE
        return call(fn.SUM if name == "sum" else fn.AVG, argument, pg_type.oid), result
    if name in ("sum", "avg") and pg_type.oid in t.FLOAT_TYPES:
        aggregate = float_aggregates.AVG_FLOAT if name == "avg" else \
            float_aggregates.SUM_FLOAT4 if pg_type.oid == t.FLOAT4 else float_aggregates.SUM_FLOAT8
        return call(aggregate, argument), result
    if name == "sum" and pg_type.oid == t.INTERVAL:
        raise unsupported("sum(interval)")
    if name in ("min", "max") and (range_typing.is_ranged(pg_type) or pg_type.oid in t.WITHOUT_MIN_MAX
                                   or hstore.is_hstore(pg_type)):
        # PostgreSQL has no min/max of ranges, xid, macaddr or hstore
        raise rules.no_function(name, format_type(pg_type.oid, -1))
    if name in ("min", "max") and not distinct and user_types.collation(pg_type.oid) \
            and user_types.extension_type(pg_type.oid) is not None:  # citext: the later of equal values
        return call(extension_aggregates.EXTREME, argument, pg_type.oid, int(name == "max")), result
    if name in ("min", "max") and not distinct:
        argument = collated(argument, pg_type)
    node.set("this", argument)
    return node, result


def _group_concat(translator: Translator, node: exp.GroupConcat, scope: Scope) -> Typed:
    """string_agg(value, separator [ORDER BY ...]): the keys ordered as their types order."""
    order = node.this if isinstance(node.this, exp.Order) else None
    value, pg_type = _aggregate_argument(translator, order.this if order is not None else node.this, scope)
    if isinstance(value, exp.Distinct):  # SQLite's DISTINCT aggregates take one argument only
        raise unsupported("string_agg(DISTINCT ...)")
    if pg_type.oid == t.BYTEA:  # joined as hex text, then its bytes (a NULL value is skipped)
        value = exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=exp.Null(),
                       false=call("hex", value))
    else:
        value = as_text(translator, value, pg_type)
    if order is not None:
        order.set("this", value)
        order.set("expressions", [ordered(translator, item, Scope(parent=scope))
                                  for item in order.expressions])
        value = order
    node.set("this", value)
    separator = node.args.get("separator")
    if separator is not None:
        separator_value, separator_type = translator.expr(separator, scope)
        if pg_type.oid == t.BYTEA:
            separator_value = call("hex", translator.coerce(separator_value, separator_type, PgType(t.BYTEA)))
        node.set("separator", separator_value)
    if pg_type.oid == t.BYTEA:
        return call("unhex", node), PgType(t.BYTEA)
    return node, t.TEXT_TYPE


def _boolean_aggregate(translator: Translator, node: exp.Expr, scope: Scope) -> Typed:
    value, pg_type = translator.expr(node.this, scope)
    if pg_type.oid not in (t.BOOL, t.UNKNOWN):
        name = rules.function_name(node, translator.text) or "bool_and"
        raise rules.no_function(name, format_type(pg_type.oid, -1))
    argument = translator.coerce(value, pg_type, t.BOOL_TYPE)
    return call("min" if isinstance(node, exp.LogicalAnd) else "max", argument), t.BOOL_TYPE


def _substring(translator: Translator, node: exp.Substring, scope: Scope) -> Typed:
    start = node.args.get("start")
    if isinstance(start, exp.Literal) and start.is_string:
        raise unsupported("substring with a regular expression")
    arguments = [node.this, start, node.args.get("length")]
    return function(translator, "substr", [argument for argument in arguments if argument is not None], scope)


def _trim(translator: Translator, node: exp.Trim, scope: Scope) -> Typed:
    position = (node.args.get("position") or "BOTH").upper()
    name = {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "trim")
    arguments = [node.this] + ([node.expression] if node.expression is not None else [])
    return function(translator, name, arguments, scope)


def _position(translator: Translator, node: exp.StrPosition, scope: Scope) -> Typed:
    if node.args.get("position") is not None:
        raise unsupported("position with a start")
    # position(text, text): citext has no position of its own (its strpos ignores case)
    written = rules.function_name(node, translator.text)
    name = "strpos" if written in ("position", "strpos", None) else written  # instr(), locate(): none
    return function(translator, name, [node.this, node.args["substr"]], scope, builtin=written == "position")


def _regexp_replace(translator: Translator, node: exp.RegexpReplace, scope: Scope) -> Typed:
    arguments = [node.this, node.expression, node.args["replacement"]]
    modifiers = node.args.get("modifiers")
    return function(translator, "regexp_replace", [*arguments, *([modifiers] if modifiers else [])], scope)


def _digest(translator: Translator, node: exp.Expr, scope: Scope) -> Typed:
    """sha256(x), sha384(x), sha512(x): sqlglot's SHA2Digest carries the length as an argument."""
    name = rules.function_name(node, translator.text) or f"sha{node.args['length'].name}"
    return function(translator, name, [node.this], scope)


def _current_time(translator: Translator, node: exp.CurrentTime, scope: Scope) -> Typed:
    """current_time[(precision)]: the transaction's start as a timetz in the session zone."""
    value = call(fn.CURRENT_TIME)
    if node.this is None:
        return value, PgType(t.TIMETZ)
    precision = int(node.this.name)
    return call(fn.CAST, value, t.TIMETZ, t.TIMETZ, precision, 1), PgType(t.TIMETZ, precision)


def _extract_node(translator: Translator, node: exp.Extract, scope: Scope) -> Typed:
    field = exp.Literal.string(node.this.name.lower())
    return function(translator, "extract", [field, node.expression], scope)


def _date_trunc(translator: Translator, node: exp.TimestampTrunc, scope: Scope) -> Typed:
    if node.args.get("zone") is not None:
        raise unsupported("date_trunc with a time zone argument")
    unit = node.args["unit"]
    unit_node = unit if isinstance(unit, exp.Literal) else exp.Literal.string(unit.name.lower())
    return function(translator, "date_trunc", [unit_node, node.this], scope)


def _bare_call(call: exp.Expr) -> exp.Expr:
    """A qualified call (`pg_catalog.bool_or(x)`, which sqlglot leaves an Anonymous) as sqlglot parses
    the bare call (`bool_or(x)`: a LogicalOr), keeping where its name was written (column naming).
    Only the call's head is parsed again: each argument other than a literal stands in as a
    placeholder column, replaced by the argument itself (generating and parsing every nested
    argument again made nested qualified calls cost the square of their size)."""
    if not isinstance(call, exp.Anonymous):
        return call
    arguments = call.expressions
    stand_ins = [argument if isinstance(argument, _ARGUMENTS_AS_TEXT)
                 else exp.column(_ARGUMENT_PLACEHOLDER.format(i)) for i, argument in enumerate(arguments)]
    head = exp.Anonymous(this=call.this, expressions=stand_ins)
    try:
        select = parsing.parse(f"SELECT {head.sql(dialect=HeliosPostgres)}")
    except DatabaseError:
        return call
    if not isinstance(select, exp.Select) or not select.expressions:
        return call
    bare = select.expressions[0].copy()
    for node in bare.walk():  # positions in the text parsed here, not in the statement's
        node._meta = None
    placeholders = {_ARGUMENT_PLACEHOLDER.format(index): argument for index, argument in enumerate(arguments)}
    found = [column for column in bare.find_all(exp.Column) if column.name in placeholders]
    if sorted(column.name for column in found) != sorted(name for name, stand_in in
                                                         zip(placeholders, stand_ins, strict=True)
                                                         if isinstance(stand_in, exp.Column)):
        return call  # a builder that moved or repeated an argument: leave the call as written
    for column in found:
        replacement = placeholders[column.name]
        if column is bare:
            bare = replacement
        else:
            column.replace(replacement)
    if call._meta:
        bare.meta.update(call.meta)
    return bare


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _type_of(value: exp.Expr, pg_type: PgType) -> Typed:
    """pg_typeof(value): the OID of value's type as a regtype; value is still evaluated, so an
    aggregate or a volatile call in it acts as in PostgreSQL."""
    oid = exp.Literal.number(pg_type.oid)
    evaluated = exp.If(this=exp.Is(this=exp.paren(value, copy=False), expression=exp.Null()), true=oid)
    return exp.Case(ifs=[evaluated], default=oid.copy()), PgType(t.REGTYPE)


HANDLERS: dict[type[exp.Expr], Handler] = {
    exp.Anonymous: _anonymous,
    exp.Dot: _dot,
    exp.Coalesce: _variadic,
    exp.Greatest: _variadic,
    exp.Least: _variadic,
    exp.Nullif: _variadic,
    exp.Count: _count,
    exp.Sum: _aggregate,
    exp.Avg: _aggregate,
    exp.Min: _aggregate,
    exp.Max: _aggregate,
    exp.GroupConcat: _group_concat,
    exp.LogicalAnd: _boolean_aggregate,
    exp.LogicalOr: _boolean_aggregate,
    exp.ArrayAgg: _array_agg,
    exp.Filter: _filter,
    exp.Substring: _substring,
    exp.Trim: _trim,
    exp.StrPosition: _position,
    exp.RegexpReplace: _regexp_replace,
    exp.SHA2Digest: _digest,
    exp.Extract: _extract_node,
    exp.TimestampTrunc: _date_trunc,
    exp.TimeToStr: _to_char,
    **dict.fromkeys((exp.ArrayAppend, exp.ArrayPrepend, exp.ArrayConcat, exp.ArrayPosition, exp.ArrayRemove,
                     exp.StringToArray), _array_function_node),
    exp.Localtime: lambda translator, node, scope: (call(fn.LOCALTIME), PgType(t.TIME)),
    exp.CurrentTime: _current_time,
    exp.Localtimestamp: lambda translator, node, scope: (call(fn.LOCALTIMESTAMP), PgType(t.TIMESTAMP)),
    exp.CurrentTimestamp: lambda translator, node, scope: (call("now"), PgType(t.TIMESTAMPTZ)),
    exp.CurrentDate: lambda translator, node, scope: (call(fn.CURRENT_DATE), PgType(t.DATE)),
    exp.CurrentUser: lambda translator, node, scope: (call("current_user"), PgType(t.NAME)),
    exp.SessionUser: lambda translator, node, scope: (call("session_user"), PgType(t.NAME)),
    exp.CurrentSchema: lambda translator, node, scope: (call("current_schema"), PgType(t.NAME)),
    exp.CurrentVersion: lambda translator, node, scope: (call("version"), t.TEXT_TYPE),
    exp.Rand: lambda translator, node, scope: (call("random"), t.FLOAT8_TYPE),
    exp.Uuid: lambda translator, node, scope: (call("gen_random_uuid"), PgType(t.UUID)),
}
CLASS_HANDLERS: list[tuple[type[exp.Expr], Handler]] = [(exp.Func, _function_node)]
