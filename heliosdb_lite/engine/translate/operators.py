"""Operators with PostgreSQL's operand resolution: arithmetic and bitwise, comparisons (and which
types SQLite may compare natively), IN, BETWEEN, ANY/ALL over arrays and subqueries, IS [NOT]
DISTINCT FROM, LIKE, ILIKE and regular expressions, ||, array containment and AT TIME ZONE; each
typed, and a `helios_*` call (`functions.names`) where SQLite's own would answer otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.functions import arrays as array_functions
from heliosdb_lite.engine.functions import binary_strings, zone_names
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.store import user_types
from heliosdb_lite.engine.translate import hstore, json_functions, money, network, ranges, records
from heliosdb_lite.engine.translate.nodes import call, collated
from heliosdb_lite.engine.translate.result import Typed, unsupported
from heliosdb_lite.engine.translate.scope import Scope
from heliosdb_lite.engine.types import array_typing, cast_contexts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.errors import (
    SYNTAX_ERROR,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)
from heliosdb_lite.protocol import codecs

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Handler, Translator

# the CTE and column `_quantified_subquery` collects the rows of `x op ANY|ALL (subquery)` through
_QUANTIFIED_ROWS = "_helios_quantified_rows"
_QUANTIFIED_VALUE = "_helios_quantified_value"
COMPARISONS: dict[type[exp.Binary], str] = {
    exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">=",
}
ARITHMETIC: dict[type[exp.Expr], str] = {
    exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.Pow: "^",
}
BITWISE: dict[type[exp.Expr], str] = {
    exp.BitwiseAnd: "&", exp.BitwiseOr: "|", exp.BitwiseXor: "#", exp.BitwiseLeftShift: "<<",
    exp.BitwiseRightShift: ">>", exp.BitwiseNot: "~",
}
# types whose stored form SQLite compares like PostgreSQL compares the values
_NATIVE_ORDER = frozenset({t.BOOL, t.BYTEA, t.DATE, t.TIME, t.TIMESTAMP, t.TIMESTAMPTZ, t.UUID}) \
    | t.STRING_TYPES
_PATTERN_OPERATORS = {exp.Like: "~~", exp.ILike: "~~*", exp.RegexpLike: "~", exp.RegexpILike: "~*"}
_CONTAINMENT_OPERATORS = {exp.ArrayContainsAll: "@>", exp.ArrayContainedBy: "<@", exp.ArrayOverlaps: "&&"}
_COMPARISON_NODES: dict[str, type[exp.Binary]] = {symbol: cls for cls, symbol in COMPARISONS.items()}
_BYTEA = PgType(t.BYTEA)


def at_time_zone(translator: Translator, node: exp.AtTimeZone, scope: Scope) -> Typed:
    """value AT TIME ZONE zone: timestamptz to the zone's wall clock (timestamp), and back; a time
    or timetz as a timetz at the zone's offset now."""
    value, value_type = translator.expr(node.this, scope)
    if value_type.oid == t.TIME:
        value = translator.coerce(value, value_type, PgType(t.TIMETZ))
        value_type = PgType(t.TIMETZ)
    if value_type.oid not in (t.TIMESTAMP, t.TIMESTAMPTZ, t.TIMETZ):
        value = translator.coerce(value, value_type, PgType(t.TIMESTAMPTZ))
        value_type = PgType(t.TIMESTAMPTZ)
    zone, zone_type = translator.expr(node.args["zone"], scope)
    zone = translator.coerce(zone, zone_type, t.TEXT_TYPE)
    result = PgType(zone_names.AT_TIME_ZONE_RESULTS[value_type.oid])
    return call(fn.AT_TIME_ZONE, value, value_type.oid, zone), result


def arithmetic(translator: Translator, node: exp.Binary, scope: Scope) -> Typed:
    """+ - * / % ^ with PostgreSQL's operand types and result type, checked."""
    operator = ARITHMETIC[type(node)]
    left, left_type = translator.expr(node.this, scope)
    right, right_type = translator.expr(node.expression, scope)
    if operator == "-" and left_type.oid == t.JSONB:
        return json_functions.delete(translator, left, left_type, right, right_type)
    if {left_type.oid, right_type.oid} & {t.JSON, t.JSONB}:  # PostgreSQL has no other arithmetic on them
        raise rules.no_operator(left_type.oid, operator, right_type.oid)
    if ranges.involves_range(left_type, right_type):  # union, difference, intersection
        return ranges.operator(translator, operator, left, left_type, right, right_type)
    if hstore.involves_hstore(left_type, right_type):  # - deletes keys or pairs
        return hstore.operator(translator, operator, left, left_type, right, right_type)
    if network.involves_network(left_type, right_type):
        return network.arithmetic(translator, operator, left, left_type, right, right_type)
    if money.involves_money(left_type, right_type):
        return money.arithmetic(translator, operator, left, left_type, right, right_type)
    left_resolved, right_resolved = rules.arithmetic_operands(
        operator, *rules.resolve_unknown(operator, left_type, right_type))
    left = translator.coerce(left, left_type, left_resolved)
    right = translator.coerce(right, right_type, right_resolved)
    result = rules.arithmetic_type(operator, left_resolved, right_resolved)
    oids = {left_resolved.oid, right_resolved.oid}
    if oids <= t.INTEGER_TYPES | t.FLOAT_TYPES:
        if operator == "%" and oids & t.FLOAT_TYPES:
            raise rules.no_operator(left_resolved.oid, operator, right_resolved.oid)
        if operator in fn.QUICK_ARITH_NAMES and result.oid in fn.QUICK_ARITH_TYPES:
            return call(fn.quick_arith_name(operator, result.oid), left, right), result
        return call(fn.NUMBER_ARITH, operator, left, right, result.oid), result
    arithmetic = call(fn.ARITH, operator, left, left_resolved.oid, right, right_resolved.oid, result.oid)
    return arithmetic, result


def _bitwise(translator: Translator, node: exp.Expr, scope: Scope) -> Typed:
    """& | # << >> and the prefix ~ on integers (SQLite has no #, and would shift by other counts)."""
    operator = BITWISE[type(node)]
    right, right_type = translator.expr(node.expression if isinstance(node, exp.Binary) else node.this, scope)
    if not isinstance(node, exp.Binary):
        if right_type.oid in t.NETWORK_TYPES:
            return network.arithmetic(translator, operator, None, None, right, right_type)
        result = rules.bitwise_type(operator, None, right_type)
        return call(fn.BITWISE, operator, 0, right, result.oid), result
    left, left_type = translator.expr(node.this, scope)
    if ranges.involves_range(left_type, right_type):  # << >>: strictly left of, strictly right of
        return ranges.operator(translator, operator, left, left_type, right, right_type)
    if network.involves_network(left_type, right_type) and operator in ("<<", ">>"):  # contained by, contains
        return network.operator(translator, operator, left, left_type, right, right_type)
    if network.involves_network(left_type, right_type):  # & | #
        return network.arithmetic(translator, operator, left, left_type, right, right_type)
    left_resolved, right_resolved = rules.resolve_unknown(operator, left_type, right_type)
    result = rules.bitwise_type(operator, left_resolved, right_resolved)
    count = operator in ("<<", ">>")
    left = translator.coerce(left, left_type, result)
    right = translator.coerce(right, right_type, t.INT4_TYPE if count else result)
    return call(fn.BITWISE, operator, left, right, result.oid), result


def _integral_division(translator: Translator, node: exp.IntDiv, scope: Scope) -> Typed:
    """div(a, b): the integral part of a / b (sqlglot reads it as CAST(a DIV b AS DECIMAL)),
    PostgreSQL's div(numeric, numeric) only."""
    typed = [translator.expr(operand, scope) for operand in (node.this, node.expression)]
    if any(pg_type.oid not in t.INTEGER_TYPES | {t.NUMERIC, t.UNKNOWN} for _, pg_type in typed):
        names = ", ".join(format_type(t.output_type(pg_type).oid, -1) for _, pg_type in typed)
        raise rules.no_function("div", names)
    left, right = (translator.coerce(value, pg_type, t.NUMERIC_TYPE) for value, pg_type in typed)
    return call(fn.ARITH, "div", left, t.NUMERIC, right, t.NUMERIC, t.NUMERIC), t.NUMERIC_TYPE


def _negation(translator: Translator, node: exp.Neg, scope: Scope) -> Typed:
    literal = isinstance(node.this, exp.Literal)  # -5 is a literal; -5::int8 negates an int8
    inner, pg_type = translator.expr(node.this, scope)
    node.set("this", inner)
    if literal and isinstance(inner, exp.Literal) and not inner.is_string \
            and pg_type.oid in t.INTEGER_TYPES:
        return node, rules.integer_literal_type(-int(inner.this))
    result = PgType(pg_type.oid)
    if pg_type.oid in t.NUMBER_TYPES | {t.INTERVAL}:
        return call(fn.NEGATE, inner, pg_type.oid), result
    if not pg_type.is_unknown:  # SQLite would negate the number a text starts with
        raise rules.no_operator(None, "-", pg_type.oid)
    return node, result


def _concat(translator: Translator, node: exp.DPipe, scope: Scope) -> Typed:
    typed = [translator.expr(operand, scope) for operand in (node.this, node.expression)]
    if any(array_typing.is_array(pg_type) for _, pg_type in typed):
        return _array_concat(translator, *typed[0], *typed[1])
    if hstore.involves_hstore(*(pg_type for _, pg_type in typed)) and all(
            hstore.is_hstore(pg_type) or pg_type.is_unknown for _, pg_type in typed):
        return hstore.operator(translator, "||", *typed[0], *typed[1])
    oids = {pg_type.oid for _, pg_type in typed}
    if t.JSONB in oids and oids <= {t.JSONB, t.UNKNOWN}:
        return json_functions.concatenate(translator, *typed[0], *typed[1])
    if t.BYTEA in oids and oids <= {t.BYTEA, t.UNKNOWN}:  # byteacat: an unknown operand is a bytea
        left, right = (translator.coerce(value, pg_type, _BYTEA) for value, pg_type in typed)
        return call(binary_strings.CONCATENATE, left, right), _BYTEA
    if not any(pg_type.is_unknown or pg_type.oid in t.STRING_TYPES for _, pg_type in typed):
        raise rules.no_operator(typed[0][1].oid, "||", typed[1][1].oid)  # text || anynonarray: a text
    parts = [as_text(translator, value, pg_type) for value, pg_type in typed]  # json: its output text
    node.set("this", parts[0])
    node.set("expression", parts[1])
    return node, t.TEXT_TYPE


def _array_concat(translator: Translator, left: exp.Expr, left_type: PgType, right: exp.Expr,
                  right_type: PgType) -> Typed:
    """`||` with an array operand: array_cat, array_append or array_prepend."""
    left_target, right_target, result = array_typing.concat_types(left_type, right_type)
    left = translator.coerce(left, left_type, left_target)
    right = translator.coerce(right, right_type, right_target)
    return call(array_functions.CONCATENATE, left, left_target.oid, right, right_target.oid,
                result.oid), result


def _containment(translator: Translator, node: exp.Binary, scope: Scope) -> Typed:
    """@>, <@ and && between arrays (anyarray), ranges and multiranges (`ranges`); @> and <@ between
    jsonb values; on other types refused."""
    operator = _CONTAINMENT_OPERATORS[type(node)]
    if _quantifier(node.expression) is not None:
        raise unsupported(f"operator {operator} with ANY or ALL")
    left, left_type = translator.expr(node.this, scope)
    right, right_type = translator.expr(node.expression, scope)
    if ranges.involves_range(left_type, right_type):
        return ranges.operator(translator, operator, left, left_type, right, right_type)
    if hstore.involves_hstore(left_type, right_type):
        return hstore.operator(translator, operator, left, left_type, right, right_type)
    if network.involves_network(left_type, right_type) and operator == "&&":
        return network.operator(translator, operator, left, left_type, right, right_type)
    if t.JSONB in (left_type.oid, right_type.oid) and operator != "&&":
        if not {left_type.oid, right_type.oid} <= {t.JSONB, t.UNKNOWN}:
            raise rules.no_operator(left_type.oid, operator, right_type.oid)
        jsonb = PgType(t.JSONB)
        left, right = (translator.coerce(value, pg_type, jsonb)
                       for value, pg_type in ((left, left_type), (right, right_type)))
        container, contained = (left, right) if operator == "@>" else (right, left)
        return call(fn.JSONB_CONTAINS, container, contained), t.BOOL_TYPE
    if t.JSON in (left_type.oid, right_type.oid):
        raise rules.no_operator(left_type.oid, operator, right_type.oid)
    if not {left_type.oid, right_type.oid} <= {t.UNKNOWN} and not any(
            array_typing.is_array(pg_type) for pg_type in (left_type, right_type)):
        raise unsupported(f"operator {operator} on {t.type_name(left_type.oid)}")
    array_type = array_typing.containment_type(operator, left_type, right_type)
    left = translator.coerce(left, left_type, array_type)
    right = translator.coerce(right, right_type, array_type)
    return call(array_functions.CONTAINS, left, right, array_type.oid, operator), t.BOOL_TYPE


def as_text(translator: Translator, node: exp.Expr, pg_type: PgType) -> exp.Expr:
    """A value as text, as || and the text functions take it (char(n) without its padding)."""
    if pg_type.oid == t.BPCHAR:
        return call("rtrim", node)  # char(n) as text loses its padding
    if pg_type.is_unknown or pg_type.oid in t.STRING_TYPES | t.INTEGER_TYPES \
            or (pg_type.oid, t.TEXT) in cast_contexts.BINARY_COERCIBLE:
        return translator.coerce(node, pg_type, t.TEXT_TYPE)
    return call(fn.CAST, node, pg_type.oid, t.TEXT, -1, 1)


def _comparison(translator: Translator, node: exp.Binary, scope: Scope) -> Typed:
    operator = COMPARISONS[type(node)]
    right_node = node.expression
    quantifier = _quantifier(right_node)
    if quantifier is not None:
        return _quantified(translator, node.this, operator, *quantifier, scope)
    left, left_type = translator.expr(node.this, scope)
    right, right_type = translator.expr(right_node, scope)
    return compare(translator, operator, left, left_type, right, right_type), t.BOOL_TYPE


def compare(translator: Translator, operator: str, left: exp.Expr, left_type: PgType,
            right: exp.Expr, right_type: PgType) -> exp.Expr:
    """`left operator right` with PostgreSQL's operand resolution and ordering."""
    left_type, right_type = _compared_as(left_type), _compared_as(right_type)
    left_resolved, right_resolved = _extension_operands(
        operator, *rules.resolve_unknown("=", left_type, right_type))
    if t.JSON in (left_resolved.oid, right_resolved.oid) or (left_resolved.oid != right_resolved.oid and (
            array_typing.is_array(left_resolved) or array_typing.is_array(right_resolved))):
        raise rules.no_operator(left_resolved.oid, operator, right_resolved.oid)  # arrays: of one type
    if hstore.involves_hstore(left_resolved, right_resolved):
        hstore.comparison(operator, left_resolved, right_resolved)
    if {left_resolved.oid, right_resolved.oid} & t.INCOMPARABLE_TYPES:
        raise rules.no_operator(left_resolved.oid, operator, right_resolved.oid)
    if {left_resolved.oid, right_resolved.oid} & t.UNCOMPARED_TYPES:
        raise unsupported(f"comparing {format_type(left_resolved.oid, -1)} values")
    if t.XID in (left_resolved.oid, right_resolved.oid):
        return _xid_comparison(translator, operator, (left, left_type, left_resolved),
                               (right, right_type, right_resolved))
    if not rules.comparable(left_resolved, right_resolved):
        raise rules.no_operator(left_resolved.oid, operator, right_resolved.oid)
    left = translator.coerce(left, left_type, left_resolved)
    right = translator.coerce(right, right_type, right_resolved)
    native = _native_comparison(translator, left, left_resolved, right, right_resolved)
    if native is not None:
        left, right = native
        return _COMPARISON_NODES[operator](this=left, expression=right)
    comparison = call(fn.COMPARE, left, left_resolved.oid, right, right_resolved.oid)
    return _COMPARISON_NODES[operator](this=comparison, expression=exp.Literal.number(0))


def _xid_comparison(translator: Translator, operator: str, left: tuple[exp.Expr, PgType, PgType],
                    right: tuple[exp.Expr, PgType, PgType]) -> exp.Expr:
    """xid = and <> xid or int4 (xideq, xideqint4, ...: their 32-bit values); xid has no ordering
    operators (42883)."""
    if operator not in ("=", "<>") or not {left[2].oid, right[2].oid} <= {t.XID, t.INT4}:
        raise rules.no_operator(left[2].oid, operator, right[2].oid)

    def number(node: exp.Expr, pg_type: PgType, resolved: PgType) -> exp.Expr:
        node = translator.coerce(node, pg_type, resolved)
        if resolved.oid == t.XID:  # kept as its text form
            return exp.Cast(this=node, to=exp.DataType.build("INTEGER"))
        return exp.BitwiseAnd(this=node, expression=exp.Literal.number(0xFFFFFFFF))

    return _COMPARISON_NODES[operator](this=number(*left), expression=number(*right))


def _native_comparison(translator: Translator, left: exp.Expr, left_type: PgType, right: exp.Expr,
                       right_type: PgType) -> tuple[exp.Expr, exp.Expr] | None:
    oids = {left_type.oid, right_type.oid}
    if oids & t.FLOAT_TYPES and oids <= t.NUMBER_TYPES:  # PostgreSQL compares the other as float8
        return (translator.coerce(left, left_type, t.FLOAT8_TYPE),
                translator.coerce(right, right_type, t.FLOAT8_TYPE))
    if oids <= t.INTEGER_TYPES | t.OID_TYPES:
        return left, right
    if oids <= {t.NUMERIC} | t.INTEGER_TYPES:
        left = translator.coerce(left, left_type, t.NUMERIC_TYPE)
        right = translator.coerce(right, right_type, t.NUMERIC_TYPE)
        return collated(left, t.NUMERIC_TYPE), right
    collated_type = left_type.oid in (t.INTERVAL, t.TIMETZ, t.JSONB) or user_types.collation(left_type.oid)
    if len(oids) == 1 and (collated_type or ranges.involves_range(left_type, right_type)):
        return collated(left, left_type), right  # intervals, timetz, jsonb, ranges, an enum's labels in order
    if oids <= t.STRING_TYPES:
        return (collated(left, PgType(t.BPCHAR)) if t.BPCHAR in oids else left), right
    if len(oids) == 1 and left_type.oid in _NATIVE_ORDER:
        return left, right
    return None


def _quantified(translator: Translator, subject: exp.Expr, operator: str, every: bool,
                inner: exp.Expr, scope: Scope) -> Typed:
    """`subject operator ANY|ALL (array)` or `... (subquery)`."""
    left, left_type = translator.expr(subject, scope)
    if isinstance(inner, exp.Query):
        return _quantified_subquery(translator, left, left_type, operator, every, inner, scope), t.BOOL_TYPE
    if isinstance(inner, exp.Array) and operator in ("=", "<>"):
        items = [translator.expr(item, scope) for item in inner.expressions]
        if user_types.extension_type(left_type.oid) is not None \
                and all(pg_type.is_unknown for _, pg_type in items):
            items = [(item, t.TEXT_TYPE) for item, _ in items]  # ARRAY['a'] is text[]: citext = text
        target = rules.common_type(_listed_as([left_type, *(pg_type for _, pg_type in items)]))
        values = [translator.coerce(item, pg_type, target) for item, pg_type in items]
        subject = collated(translator.coerce(left, left_type, target), target)
        membership = exp.In(this=subject, expressions=values)
        if every == (operator == "<>"):
            return (membership if operator == "=" else exp.Not(this=membership)), t.BOOL_TYPE
    array, array_type = translator.expr(inner, scope)
    if array_type.is_unknown:
        element = PgType(t.output_type(left_type).oid)
        array_type = PgType(codecs.type_by_oid(element.oid).array_oid)
        array = translator.coerce(array, t.UNKNOWN_TYPE, array_type)
    element_oid = codecs.type_by_oid(array_type.oid).elem_oid
    if not element_oid:
        raise DatabaseError(WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires array on right side")
    left, left_type = _quantified_subject(translator, left, left_type, operator, PgType(element_oid))
    test = call(fn.QUANTIFIED, operator, int(every), left, left_type.oid, array, array_type.oid)
    return test, t.BOOL_TYPE


def _quantified_subject(translator: Translator, left: exp.Expr, left_type: PgType, operator: str,
                        element_type: PgType) -> Typed:
    """The subject of `left operator ANY|ALL (values of element_type)` as PostgreSQL resolves the
    operator: an unknown subject takes the elements' type, a known one keeps its own (they are
    compared by value); 42883 when the two types have no comparison."""
    resolved, _ = rules.resolve_unknown("=", left_type, element_type)
    try:
        rules.common_type([resolved, element_type])
    except DatabaseError:
        raise rules.no_operator(resolved.oid, operator, element_type.oid) from None
    resolved, _ = _extension_operands(operator, resolved, element_type)
    if t.JSON in (resolved.oid, element_type.oid):
        raise rules.no_operator(resolved.oid, operator, element_type.oid)
    oids = {resolved.oid, element_type.oid}
    if t.BPCHAR in oids and len(oids) == 2 and oids <= t.STRING_TYPES:
        resolved = t.TEXT_TYPE  # char(n) against other text compares as text, without its padding
    return translator.coerce(left, left_type, resolved), resolved


def _quantified_subquery(translator: Translator, left: exp.Expr, left_type: PgType, operator: str,
                         every: bool, query: exp.Expr, scope: Scope) -> exp.Expr:
    """`left operator ANY|ALL (query)`: SQLite's `left [NOT] IN (query)` for = ANY and <> ALL
    between types SQLite compares as PostgreSQL does; otherwise the query's values collected
    into an array (an empty one for no rows) and compared as `left operator ANY|ALL (array)`.
    Either way left stays in its own query (an aggregate there is the outer query's)."""
    translated, outputs = translator.query(query, scope)
    if len(outputs) != 1:
        raise DatabaseError(SYNTAX_ERROR, f"subquery has too {'many' if outputs else 'few'} columns")
    while isinstance(translated, exp.Subquery):
        translated = translated.this
    value_type = outputs[0].type if outputs[0].type is not None and not outputs[0].type.is_unknown \
        else t.TEXT_TYPE
    left, resolved = _quantified_subject(translator, left, left_type, operator, value_type)
    value = exp.column(_QUANTIFIED_VALUE, quoted=True)
    if (operator, every) in (("=", False), ("<>", True)) and not {resolved.oid, value_type.oid} & set(
            fn.COLLATIONS) and _native_comparison(translator, left, resolved, value, value_type) is not None:
        membership = exp.In(this=left, query=exp.Subquery(this=translated))
        return membership if operator == "=" else exp.Not(this=membership)
    rows = exp.TableAlias(this=exp.to_identifier(_QUANTIFIED_ROWS),
                          columns=[exp.to_identifier(_QUANTIFIED_VALUE, quoted=True)])
    collected = call(fn.ARRAY_AGG, value, value_type.oid)
    values = exp.select(call("coalesce", collected, "{}")).from_(_QUANTIFIED_ROWS)
    values.set("with_", exp.With(expressions=[exp.CTE(this=translated, alias=rows)]))
    array_oid = codecs.type_by_oid(value_type.oid).array_oid
    return call(fn.QUANTIFIED, operator, int(every), left, resolved.oid, exp.Subquery(this=values),
                array_oid)


def _between(translator: Translator, node: exp.Between, scope: Scope) -> Typed:
    value, value_type = translator.expr(node.this, scope)
    low, low_type = translator.expr(node.args["low"], scope)
    high, high_type = translator.expr(node.args["high"], scope)
    lower = compare(translator, ">=", value, value_type, low, low_type)
    upper = compare(translator, "<=", value.copy(), value_type, high, high_type)
    between: exp.Condition = exp.And(this=lower, expression=upper)
    if node.args.get("symmetric"):
        reversed_lower = compare(translator, ">=", value.copy(), value_type, high.copy(), high_type)
        reversed_upper = compare(translator, "<=", value.copy(), value_type, low.copy(), low_type)
        between = exp.or_(exp.Paren(this=between),
                          exp.Paren(this=exp.And(this=reversed_lower, expression=reversed_upper)))
    return exp.Paren(this=between), t.BOOL_TYPE


def _in(translator: Translator, node: exp.In, scope: Scope) -> Typed:
    value, value_type = translator.expr(node.this, scope)
    query = node.args.get("query")
    if query is not None:
        translated, outputs = translator.query(query, scope)
        node.set("query", translated)
        if len(outputs) == 1 and outputs[0].type is not None:  # citext IN (text values): as text
            output_type = t.TEXT_TYPE if outputs[0].type.is_unknown else outputs[0].type
            resolved, _ = _extension_operands("=", value_type, output_type)
            value = translator.coerce(value, value_type, resolved)
        node.set("this", value)
        return node, t.BOOL_TYPE
    if not node.expressions:  # SQLite takes `x IN ()` for false
        raise DatabaseError(SYNTAX_ERROR, 'syntax error at or near ")"')
    items = [translator.expr(item, scope) for item in node.expressions]
    target = rules.common_type(_listed_as([value_type, *(pg_type for _, pg_type in items)]))
    value = translator.coerce(value, value_type, target)
    values = [translator.coerce(item, pg_type, target) for item, pg_type in items]
    if _native_comparison(translator, value, target, value, target) is None:
        alternatives = [compare(translator, "=", value.copy(), target, item, target) for item in values]
        return exp.Paren(this=exp.or_(*alternatives)), t.BOOL_TYPE
    node.set("this", collated(value, target))
    node.set("expressions", values)
    return node, t.BOOL_TYPE


def _logical(translator: Translator, node: exp.Expr, scope: Scope) -> Typed:
    for key in ("this", "expression"):
        operand = node.args.get(key)
        if operand is not None:
            node.set(key, translator.condition(operand, scope, type(node).__name__.upper()))
    return node, t.BOOL_TYPE


def _is(translator: Translator, node: exp.Is, scope: Scope) -> Typed:
    if records.is_row_constructor(node.this) and isinstance(node.expression, exp.Null):
        return records.is_null(translator, node, scope), t.BOOL_TYPE
    value, pg_type = translator.expr(node.this, scope)
    if isinstance(node.expression, exp.Null) and records.is_row_type(pg_type):
        return records.value_is_null(value, pg_type, negated=bool(node.args.get("negate"))), t.BOOL_TYPE
    node.set("this", value)
    right = node.expression
    if isinstance(right, exp.Boolean):
        node.set("expression", exp.Boolean(this=right.this))
    return node, t.BOOL_TYPE


def _null_safe(translator: Translator, node: exp.Binary, scope: Scope) -> Typed:
    left, left_type = translator.expr(node.this, scope)
    right, right_type = translator.expr(node.expression, scope)
    left_resolved, right_resolved = rules.resolve_unknown("=", left_type, right_type)
    left = translator.coerce(left, left_type, left_resolved)
    right = translator.coerce(right, right_type, right_resolved)
    native = _native_comparison(translator, left, left_resolved, right, right_resolved)
    if native is None:
        raise unsupported(f"IS DISTINCT FROM between {t.type_name(left_resolved.oid)} and "
                          f"{t.type_name(right_resolved.oid)}")
    node.set("this", native[0])
    node.set("expression", native[1])
    return node, t.BOOL_TYPE


def like(translator: Translator, node: exp.Binary, scope: Scope) -> Typed:
    """LIKE, ILIKE, ~ and ~* (NOT too) between strings, or LIKE between bytea values."""
    value, value_type = translator.expr(node.this, scope)
    pattern, pattern_type = translator.expr(node.expression, scope)
    known = {t.TEXT if (pg_type.oid, t.TEXT) in cast_contexts.BINARY_COERCIBLE else pg_type.oid
             for pg_type in (value_type, pattern_type) if not pg_type.is_unknown}
    bytea = known == {t.BYTEA}
    if (not known <= t.STRING_TYPES and not bytea) or (bytea and type(node) is not exp.Like):
        # SQLite would match any value's text; bytea has LIKE only
        raise rules.no_operator(value_type.oid, _PATTERN_OPERATORS[type(node)], pattern_type.oid)
    if bytea:  # byte by byte (as one character each), not the hex text
        value, pattern = (call(binary_strings.CHARACTERS, translator.coerce(operand, pg_type, _BYTEA))
                          for operand, pg_type in ((value, value_type), (pattern, pattern_type)))
    else:
        value = as_text(translator, value, value_type)
        pattern = as_text(translator, pattern, pattern_type)
    insensitive = _case_insensitive(value_type, pattern_type)
    if isinstance(node, exp.ILike) or (insensitive and isinstance(node, exp.Like)):
        return _negated(call(fn.ILIKE, pattern, value), node), t.BOOL_TYPE
    if isinstance(node, exp.RegexpILike) or (insensitive and isinstance(node, exp.RegexpLike)):
        return _negated(call(fn.REGEXP_I, pattern, value), node), t.BOOL_TYPE
    node.set("this", value)
    node.set("expression", pattern)
    return node, t.BOOL_TYPE


def _case_insensitive(value_type: PgType, pattern_type: PgType) -> bool:
    """Whether a pattern match ignores case whatever its operator: a value of citext (its operators
    ~~, ~ ... are texticlike, texticregexeq ...), or an unknown one matched against a citext pattern
    (the literal is read as citext); `text ~~ citext` is text's match."""
    matched = pattern_type if value_type.is_unknown else value_type
    provided = user_types.extension_type(matched.oid)
    return provided is not None and provided.case_insensitive


def _escape(translator: Translator, node: exp.Escape, scope: Scope) -> Typed:
    like = node.this
    value, value_type = translator.expr(like.this, scope)
    pattern, pattern_type = translator.expr(like.expression, scope)
    escape, _ = translator.expr(node.expression, scope)
    if t.BYTEA in (value_type.oid, pattern_type.oid):
        raise unsupported("LIKE ... ESCAPE of bytea")
    insensitive = isinstance(like, exp.ILike) or _case_insensitive(value_type, pattern_type)
    name = fn.ILIKE if insensitive else "like"
    matched = call(name, as_text(translator, pattern, pattern_type), as_text(translator, value, value_type),
                   escape)
    return _negated(matched, like), t.BOOL_TYPE


def _regexp(translator: Translator, node: exp.RegexpLike, scope: Scope) -> Typed:
    return like(translator, node, scope)


def _negated(matched: exp.Expr, operator: exp.Expr) -> exp.Expr:
    """A pattern match as a function call, NOT-ed when the operator was written NOT LIKE / NOT ILIKE."""
    return exp.Not(this=matched) if operator.args.get("negate") else matched


def _quantifier(node: exp.Expr) -> tuple[bool, exp.Expr] | None:
    """(every, array) of an ANY/SOME/ALL operand, else None."""
    if isinstance(node, exp.Any | exp.All):
        inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
        return isinstance(node, exp.All), inner
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("any", "some", "all") \
            and len(node.expressions) == 1:
        return node.name.lower() == "all", node.expressions[0]
    return None


def _extension_operands(operator: str, left: PgType, right: PgType) -> tuple[PgType, PgType]:
    """The operand types of a comparison between an extension's type and another type, as
    PostgreSQL resolves the operator through the extension's implicit casts: both the common type
    (`citext = text` is text = text, case-sensitive); other pairs unchanged. 42883 when the two have
    no common type."""
    if left.oid == right.oid or (user_types.extension_type(left.oid) is None
                                 and user_types.extension_type(right.oid) is None):
        return left, right
    try:
        common = rules.common_type([left, right])
    except DatabaseError:  # citext = char(n) or name: both convert to text, text's operator takes them
        implicit = cast_contexts.Context.IMPLICIT
        if not all(cast_contexts.can_coerce(side, t.TEXT_TYPE, implicit) for side in (left, right)):
            raise rules.no_operator(left.oid, operator, right.oid) from None
        common = t.TEXT_TYPE
    return PgType(common.oid), PgType(common.oid)


def _compared_as(pg_type: PgType) -> PgType:
    """The type a value is compared as: regtype as oid (PostgreSQL has no regtype operators; its
    oid ones take it, so `regtype = 'integer'` reads the literal as an oid), anything else as itself."""
    return PgType(t.OID) if pg_type.oid == t.REGTYPE else pg_type


def _listed_as(types: list[PgType]) -> list[PgType]:
    """The types of an IN list's values for choosing their common type: oid and regtype together
    are all oid (regtype converts to oid implicitly), otherwise as they are."""
    if {pg_type.oid for pg_type in types if not pg_type.is_unknown} == t.OID_TYPES:
        return [_compared_as(pg_type) for pg_type in types]
    return types


HANDLERS: dict[type[exp.Expr], Handler] = {
    **dict.fromkeys(COMPARISONS, _comparison),
    **dict.fromkeys(ARITHMETIC, arithmetic),
    exp.IntDiv: _integral_division,
    **dict.fromkeys(BITWISE, _bitwise),
    exp.Neg: _negation,
    exp.DPipe: _concat,
    exp.Between: _between,
    exp.In: _in,
    exp.And: _logical,
    exp.Or: _logical,
    exp.Not: _logical,
    exp.Is: _is,
    exp.NullSafeEQ: _null_safe,
    exp.NullSafeNEQ: _null_safe,
    exp.Like: like,
    exp.ILike: like,
    exp.RegexpLike: _regexp,
    exp.RegexpILike: _regexp,
    exp.Escape: _escape,
    exp.AtTimeZone: at_time_zone,
    **dict.fromkeys((exp.ArrayContainsAll, exp.ArrayContainedBy, exp.ArrayOverlaps), _containment),
}
