"""PostgreSQL's text of a CHECK constraint, as pg_get_constraintdef shows it (`CHECK ((a > 0))`),
written from the condition as the statement gives it and the types of the table's columns.

PostgreSQL prints the condition from its parsed tree: every operator in parentheses, AND and OR
chains flat, IN as `= ANY (ARRAY[...])`, BETWEEN as its two comparisons, LIKE as `~~`, a string
constant with its type (`'x'::text`) and the implicit casts its operator resolution added
(`(v)::text` for a varchar, `(0)::numeric` for an integer compared with a numeric). This does the
same for the operators, functions and types a CHECK commonly uses; anything else is written as
the statement wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from heliosdb_lite.engine.sql.dialect import KEYWORD_SYNTAX
from heliosdb_lite.engine.sql.quoting import quote_identifier, string_literal
from heliosdb_lite.engine.store.constraint_markers import CHECK, Recorded
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types import typing_rules as rules
from heliosdb_lite.engine.types.type_names import format_type

_INTEGERS = ("smallint", "integer", "bigint")
_FLOATS = ("real", "double precision")
_BOOLEAN = "boolean"
_TEXT = "text"
_VARCHAR = "character varying"
_BPCHAR = "bpchar"
_COMPARISONS: dict[type[exp.Expr], str] = {
    exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=", exp.Like: "~~",
    exp.ILike: "~~*", exp.RegexpLike: "~", exp.RegexpILike: "~*"}
_NEGATED = {"~~": "!~~", "~~*": "!~~*", "~": "!~", "~*": "!~*"}
_ARITHMETIC: dict[type[exp.Expr], str] = {
    exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}
# functions over text: a varchar argument is cast to text; their result type
_TEXT_FUNCTIONS: dict[type[exp.Expr], tuple[str, str]] = {
    exp.Lower: ("lower", _TEXT), exp.Upper: ("upper", _TEXT), exp.Length: ("length", "integer")}
# functions kept as calls (`dialect.KEPT_CALLS`, octet_length) whose first argument is text: a
# varchar's is cast to it
_OF_TEXT = frozenset({"left", "right", "lpad", "rpad", "repeat", "reverse", "initcap", "md5", "split_part",
                      "translate", "starts_with", "ascii", "octet_length"})
# calls without arguments sqlglot reads into classes of their own (SQL's value functions shown
# without parentheses): (text, type)
_WITHOUT_ARGUMENTS: dict[type[exp.Expr], tuple[str, str]] = {
    exp.CurrentDate: ("CURRENT_DATE", "date"),
    exp.Localtimestamp: ("LOCALTIMESTAMP", "timestamp without time zone"),
    exp.Localtime: ("LOCALTIME", "time without time zone"), exp.CurrentUser: ("CURRENT_USER", "name"),
    exp.Rand: ("random()", "double precision"), exp.Uuid: ("gen_random_uuid()", "uuid")}
# a table's columns: (name, type; None where not known)
Columns = Sequence[tuple[str, "t.PgType | None"]]


# kinds of deparsed nodes: those printed in parentheses of their own unless pretty
_OPERATOR, _PREFIX, _AND, _OR, _NOT, _TEST = "operator", "prefix", "and", "or", "not", "test"
_SIMPLE, _CAST, _ARGUMENT = "simple", "cast", "argument"
_BOOLEAN_KINDS = (_AND, _OR, _NOT)


@dataclass(frozen=True, slots=True)
class _Piece:
    """A deparsed operand: its text (without the parentheses around it), its kind (`_OPERATOR`
    with the operator, ...), its type's name (None: not known here), and for a constant not yet
    given a type, its value (a string's, or a number's digits)."""

    text: str
    type: str | None
    kind: str = _SIMPLE
    operator: str = ""
    string: str | None = None
    number: str | None = None


def check_text(condition: exp.Expr, columns: Columns, source: str, *, pretty: bool = False,
               domain: bool = False) -> str:
    """`CHECK (...)` as PostgreSQL shows the CHECK over a table of these columns (a domain's: over
    `VALUE`, its one column), parsed from the statement text `source`."""
    typed = {name.lower(): pg_type for name, pg_type in columns if pg_type is not None}
    deparser = _Deparser(typed, pretty, source, domain)
    piece = deparser.piece(condition)
    return f"CHECK ({piece.text if pretty else deparser.shown(piece, _ARGUMENT)})"


_STRING = re.compile(r"'(?:[^']|'')*'")


def renamed_columns(text: str, renamed: dict[str, str]) -> str:
    """PostgreSQL's text of a condition with columns renamed (old name → new), outside its string
    constants, function names and type names."""
    if not renamed:
        return text
    shown = {quote_identifier(old): quote_identifier(new) for old, new in renamed.items()}
    names = "|".join(re.escape(name) for name in sorted(shown, key=len, reverse=True))
    pattern = re.compile(rf'(?<!::)(?<![\w"$.])({names})(?![\w"$]|\s*\()')
    pieces = []
    position = 0
    for constant in _STRING.finditer(text):
        pieces.append(pattern.sub(lambda match: shown[match.group(1)], text[position:constant.start()]))
        pieces.append(constant.group(0))
        position = constant.end()
    pieces.append(pattern.sub(lambda match: shown[match.group(1)], text[position:]))
    return "".join(pieces)


def index_key_text(key: exp.Expr, columns: Columns, source: str, *, pretty: bool = False) -> str:
    """An index's key expression as pg_get_indexdef shows it: a function call as it is, anything
    else in parentheses (`lower(a)`, `((a + 1))`, pretty `(a + 1)`); parsed from `source`."""
    typed = {name.lower(): pg_type for name, pg_type in columns if pg_type is not None}
    deparser = _Deparser(typed, pretty, source)
    piece = deparser.piece(key)
    text = piece.text if pretty else deparser.shown(piece, _ARGUMENT)
    inner = key.this if isinstance(key, exp.Paren) else key
    return text if isinstance(inner, exp.Func) and not isinstance(inner, exp.Cast) else f"({text})"


def default_text(default: exp.Expr, columns: Columns, source: str) -> str | None:
    """A column default's expression as pg_get_expr shows it (what this does not deparse as
    PostgreSQL does, as sqlglot writes it); None for a string, boolean or NULL constant, which the
    catalog shows from SQLite's default with the column's type."""
    inner = default.this if isinstance(default, exp.Paren) else default
    written = inner.this if isinstance(inner, exp.Cast) else inner
    if isinstance(written, exp.Boolean | exp.Null) or (isinstance(written, exp.Literal)
                                                        and written.is_string):
        return None  # a constant of the column's type: shown from SQLite's text
    typed = {name.lower(): pg_type for name, pg_type in columns if pg_type is not None}
    deparser = _Deparser(typed, False, source)
    return deparser.shown(deparser.cast(deparser.piece(default), None), _ARGUMENT)


def figured_name(key: exp.Expr, source: str) -> str:
    """The name PostgreSQL's FigureColname gives an expression of statement text `source`: a
    column's, a function's as written, `coalesce`, `case`, a cast's operand's or type's, else `expr`
    (an unnamed index's name is made of them)."""
    inner = key.this if isinstance(key, exp.Paren) else key
    if isinstance(inner, exp.Column):
        return inner.name
    if isinstance(inner, exp.Cast):
        named = figured_name(inner.this, source)
        return named if named != "expr" else inner.to.sql("postgres").split("(")[0].lower()
    if isinstance(inner, exp.Case):
        return "case"
    if isinstance(inner, exp.Func):
        return rules.function_name(inner, source) or "expr"
    return "expr"


def check_record(name: str, condition: exp.Expr, columns: Columns, source: str) -> Recorded:
    """The record of a CHECK constraint for the catalog (`constraint_markers`) of statement text
    `source`; to be made before the condition is translated, which rewrites it."""
    used = tuple(referenced_columns(condition, columns))
    pretty = check_text(condition, columns, source, pretty=True)
    return Recorded(CHECK, name, check_text(condition, columns, source), used, pretty=pretty)


def referenced_columns(condition: exp.Expr, columns: Columns) -> list[str]:
    """The table's columns a condition uses, each once, in their order there (pg_constraint.conkey),
    named as the table names them."""
    named = {name.lower(): name for name, _ in columns}
    found: list[str] = []
    for column in condition.find_all(exp.Column, bfs=False):
        name = named.get(column.name.lower(), column.name)
        if name not in found:
            found.append(name)
    return found


def _type_name(pg_type: t.PgType) -> str:
    """The name an implicit cast to the type shows (bpchar, as PostgreSQL writes it there)."""
    return _BPCHAR if pg_type.oid == t.BPCHAR else format_type(pg_type.oid, -1)


def _priority(operator: str) -> int:
    """2 for * / %, 1 for + -, 0 for the others (ruleutils' simple binary operators)."""
    return 2 if operator in ("*", "/", "%") else 1 if operator in ("+", "-") else 0


def _simple(piece: _Piece, parent: _Piece | str, first: bool) -> bool:
    """Whether pretty printing leaves the parentheses off `piece` under `parent` (a piece, or the
    kind of what holds it: a cast, a function's argument); `first`: the parent's left operand."""
    kind = parent.kind if isinstance(parent, _Piece) else parent
    if piece.kind == _SIMPLE or kind == _ARGUMENT:
        return True
    if piece.kind == _OPERATOR and isinstance(parent, _Piece) and kind == _OPERATOR:
        own, outer = _priority(piece.operator), _priority(parent.operator)
        return bool(own and outer) and (own > outer or (own == outer and first))
    if piece.kind in (_OPERATOR, _PREFIX, _TEST):
        return kind in _BOOLEAN_KINDS
    if piece.kind == _OR:
        return kind == _OR
    return piece.kind in (_AND, _NOT) and kind in (_AND, _OR)


class _Deparser:
    def __init__(self, columns: dict[str, t.PgType], pretty: bool, source: str, domain: bool = False) -> None:
        self.columns = columns
        self.pretty = pretty
        self.source = source  # the statement's text: the names calls were written with
        self.domain = domain  # a domain's CHECK: its value is VALUE

    def shown(self, piece: _Piece, parent: _Piece | str, first: bool = True) -> str:
        """The piece's text as an operand of `parent`, in parentheses where PostgreSQL puts them."""
        if self.pretty:
            return piece.text if _simple(piece, parent, first) else f"({piece.text})"
        return piece.text if piece.kind == _SIMPLE else f"({piece.text})"

    def cast(self, piece: _Piece, target: str | None) -> _Piece:
        """The operand as an operand of type `target` (None: its own)."""
        if piece.string is not None:
            return _Piece(f"{string_literal(piece.string)}::{target or _TEXT}", target or _TEXT)
        if piece.number is not None and piece.number.startswith("-"):
            shown = piece.type if target in (None, piece.type) else target
            return _Piece(f"{string_literal(piece.number)}::{shown}", shown)
        same_family = any(target in family and piece.type in family for family in (_INTEGERS, _FLOATS))
        if target is None or target == piece.type or piece.type is None or same_family:
            return piece
        return self.converted(piece, target)

    def converted(self, piece: _Piece, target: str) -> _Piece:
        """`(value)::type`, pretty `value::type`."""
        shown = self.shown(piece, _CAST)
        return _Piece(f"{shown if self.pretty else f'({shown})'}::{target}", target)

    def argument(self, node: exp.Expr, target: str | None = None) -> str:
        return self.shown(self.cast(self.piece(node), target), _ARGUMENT)

    def operation(self, left: _Piece, operator: str, right: _Piece, result: str | None) -> _Piece:
        made = _Piece("", result, _OPERATOR, operator)
        text = f"{self.shown(left, made, True)} {operator} {self.shown(right, made, False)}"
        return _Piece(text, result, _OPERATOR, operator)

    def piece(self, node: exp.Expr) -> _Piece:
        if isinstance(node, exp.Paren):
            return self.piece(node.this)
        if isinstance(node, exp.Column):
            pg_type = self.columns.get(node.name.lower())
            shown = "VALUE" if self.domain and node.name.lower() == "value" else quote_identifier(node.name)
            return _Piece(shown, _type_name(pg_type) if pg_type else None)
        if isinstance(node, exp.Literal):
            return self._literal(node)
        if isinstance(node, exp.Boolean):
            return _Piece("true" if node.this else "false", _BOOLEAN)
        if isinstance(node, exp.Null):
            return _Piece("NULL", None)
        if isinstance(node, exp.Neg):
            inner = self.piece(node.this)
            if inner.number is not None:
                number = inner.number[1:] if inner.number.startswith("-") else f"-{inner.number}"
                return _Piece(number, inner.type, number=number)
            made = _Piece("", inner.type, _PREFIX)
            return _Piece(f"- {self.shown(inner, made)}", inner.type, _PREFIX)
        if isinstance(node, exp.And | exp.Or):
            return self._chain(node)
        if isinstance(node, exp.Not):
            return self._not(node.this)
        if isinstance(node, exp.Is):
            return self._is(node)
        if isinstance(node, exp.Between):
            return self._between(node, negated=False)
        if isinstance(node, exp.In):
            return self._in(node, negated=False)
        if isinstance(node, exp.SimilarTo):
            pattern = _Piece(f"similar_to_escape({self.argument(node.expression, _TEXT)})", _TEXT)
            return self.operation(self.cast(self.piece(node.this), _TEXT), "~", pattern, _BOOLEAN)
        if type(node) in _COMPARISONS:
            operator = _COMPARISONS[type(node)]
            return self._binary(node, _NEGATED[operator] if node.args.get("negate") else operator, _BOOLEAN)
        if type(node) in _ARITHMETIC:
            return self._binary(node, _ARITHMETIC[type(node)], None)
        if isinstance(node, exp.DPipe):
            left, right = (self.cast(self.piece(side), _TEXT) for side in (node.this, node.expression))
            return self.operation(left, "||", right, _TEXT)
        return self._call(node)

    def _literal(self, node: exp.Literal) -> _Piece:
        if node.is_string:
            return _Piece(string_literal(node.this), None, string=node.this)
        digits = node.this
        if digits.isdigit():
            kind = "integer" if int(digits) < 2**31 else "bigint"
            text = digits if kind == "integer" else f"{string_literal(digits)}::bigint"
            return _Piece(text, kind, number=digits)
        return _Piece(digits, "numeric", number=digits)

    def _binary(self, node: exp.Expr, operator: str, result: str | None) -> _Piece:
        left = self.piece(node.this)
        if isinstance(node.expression, exp.Any | exp.All):
            return self._array_comparison(left, operator, node.expression)
        right = self.piece(node.expression)
        left_type, right_type = _operand_types(left, right)
        return self.operation(self.cast(left, left_type), operator, self.cast(right, right_type),
                              result or left_type or right_type)

    def _array_comparison(self, left: _Piece, operator: str, node: exp.Any | exp.All) -> _Piece:
        quantifier = "ANY" if isinstance(node, exp.Any) else "ALL"
        inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
        if isinstance(inner, exp.Array):
            return self._listed(left, operator, quantifier, list(inner.expressions))
        return self._quantified(left, operator, quantifier, self.piece(inner))

    def _quantified(self, left: _Piece, operator: str, quantifier: str, array: _Piece) -> _Piece:
        made = _Piece("", _BOOLEAN, _TEST)
        return _Piece(f"{self.shown(left, made)} {operator} {quantifier} ({self.shown(array, _ARGUMENT)})",
                      _BOOLEAN, _TEST)

    def _listed(self, left: _Piece, operator: str, quantifier: str, values: list[exp.Expr]) -> _Piece:
        """`left op ANY|ALL (ARRAY[values])`, the values of the left operand's type; a varchar's
        compared as text."""
        pieces = [self.piece(value) for value in values]
        element = left.type or next((piece.type for piece in pieces if piece.type), None) or _TEXT
        listed = _Piece("ARRAY[" + ", ".join(self.shown(self.cast(piece, element), _ARGUMENT)
                                             for piece in pieces) + "]", f"{element}[]")
        if element == _VARCHAR:
            return self._quantified(self.cast(left, _TEXT), operator, quantifier,
                                    self.converted(listed, "text[]"))
        return self._quantified(self.cast(left, element), operator, quantifier, listed)

    def _in(self, node: exp.In, *, negated: bool) -> _Piece:
        if not node.expressions:
            return self._call(node)
        left = self.piece(node.this)
        operator, quantifier = ("<>", "ALL") if negated else ("=", "ANY")
        return self._listed(left, operator, quantifier, list(node.expressions))

    def _between(self, node: exp.Between, *, negated: bool) -> _Piece:
        low = exp.LT if negated else exp.GTE
        high = exp.GT if negated else exp.LTE
        first = self.piece(low(this=node.this, expression=node.args["low"]))
        second = self.piece(high(this=node.this, expression=node.args["high"]))
        return self._joined([first, second], _OR if negated else _AND)

    def _joined(self, operands: list[_Piece], kind: str) -> _Piece:
        made = _Piece("", _BOOLEAN, kind)
        word = " AND " if kind == _AND else " OR "
        return _Piece(word.join(self.shown(operand, made) for operand in operands), _BOOLEAN, kind)

    def _chain(self, node: exp.And | exp.Or) -> _Piece:
        kind = type(node)
        operands: list[exp.Expr] = []
        pending: list[exp.Expr] = [node]
        while pending:
            current = pending.pop()
            if isinstance(current, kind):
                pending += [current.expression, current.this]
            else:
                operands.append(current)
        return self._joined([self.piece(operand) for operand in operands], _AND if kind is exp.And else _OR)

    def _not(self, node: exp.Expr) -> _Piece:
        inner = node.this if isinstance(node, exp.Paren) else node
        if isinstance(inner, exp.In):
            return self._in(inner, negated=True)
        if isinstance(inner, exp.Between):
            return self._between(inner, negated=True)
        if isinstance(inner, exp.Is):
            return self._is(inner, negated=True)
        made = _Piece("", _BOOLEAN, _NOT)
        return _Piece(f"NOT {self.shown(self.piece(inner), made)}", _BOOLEAN, _NOT)

    def _is(self, node: exp.Is, *, negated: bool = False) -> _Piece:
        negated = negated != bool(node.args.get("negate"))
        value = node.expression
        what = "NULL" if isinstance(value, exp.Null) else ("TRUE" if value.this else "FALSE")
        made = _Piece("", _BOOLEAN, _TEST)
        return _Piece(f"{self.shown(self.piece(node.this), made)} IS {'NOT ' if negated else ''}{what}",
                      _BOOLEAN, _TEST)

    def _call(self, node: exp.Expr) -> _Piece:
        written = rules.written_name(node, self.source)
        if type(node) in _TEXT_FUNCTIONS:
            name, result = _TEXT_FUNCTIONS[type(node)]
            return _Piece(f"{written or name}({self.argument(node.this, _TEXT)})", result)
        if isinstance(node, exp.CurrentTimestamp):
            return _Piece("now()" if written else "CURRENT_TIMESTAMP", "timestamp with time zone")
        if isinstance(node, exp.Substring):
            return self._substring(node, written)
        if isinstance(node, exp.StrPosition) and node.args.get("position") is None:
            target = _TEXT if written else None  # the keyword syntax shows no implicit cast
            text, wanted = self.argument(node.this, target), self.argument(node.args["substr"], target)
            shown = f"{written}({text}, {wanted})" if written else f"POSITION(({wanted}) IN ({text}))"
            return _Piece(shown, "integer")
        if isinstance(node, exp.Trim):
            return self._trim(node, written)
        if isinstance(node, exp.Ceil | exp.Floor):
            inner = self.piece(node.this)
            target = inner.type if inner.type in ("numeric", "double precision") else "double precision"
            argument = self.shown(self.cast(inner, target), _ARGUMENT)
            return _Piece(f"{written or node.sql_name().lower()}({argument})", target)
        if isinstance(node, exp.Pow):
            pieces = [self.piece(node.this), self.piece(node.expression)]
            target = "numeric" if any(piece.type == "numeric" for piece in pieces) else "double precision"
            listed = ", ".join(self.shown(self.cast(piece, target), _ARGUMENT) for piece in pieces)
            return _Piece(f"{written or 'power'}({listed})", target)
        if isinstance(node, exp.Coalesce):
            pieces = [self.piece(node.this), *(self.piece(e) for e in node.expressions)]
            common = next((piece.type for piece in pieces if piece.type), None)
            listed = ", ".join(self.shown(self.cast(piece, common), _ARGUMENT) for piece in pieces)
            return _Piece(f"COALESCE({listed})", common)
        if isinstance(node, exp.Abs):
            inner = self.piece(node.this)
            return _Piece(f"abs({self.shown(self.cast(inner, None), _ARGUMENT)})", inner.type)
        if type(node) in _WITHOUT_ARGUMENTS and not any(node.args.values()):
            return _Piece(*_WITHOUT_ARGUMENTS[type(node)])
        if isinstance(node, exp.Anonymous) and node.name.lower() == "nextval" and len(node.expressions) == 1 \
                and isinstance(node.expressions[0], exp.Literal) and node.expressions[0].is_string:
            return _Piece(f"nextval({string_literal(node.expressions[0].this)}::regclass)", "bigint")
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            first = _TEXT if name in _OF_TEXT else None
            arguments = ", ".join(self.argument(argument, first if position == 0 else None)
                                  for position, argument in enumerate(node.expressions))
            return _Piece(f"{quote_identifier(name)}({arguments})", None)
        if isinstance(node, exp.Case):
            return self._case(node)
        if isinstance(node, exp.Cast):
            return self._explicit_cast(node)
        return _Piece(node.sql("postgres"), None)

    def _substring(self, node: exp.Substring, written: str | None) -> _Piece:
        """substr(x, 2) and "substring"(x, 2) as calls, SUBSTRING(x FROM 2 FOR 1) as written so."""
        keyword = written is None and bool(node.meta.get(KEYWORD_SYNTAX))
        text = self.argument(node.this, None if keyword else _TEXT)  # keyword syntax: no implicit cast
        bounds = [self.argument(node.args[key], "integer") for key in ("start", "length")
                  if node.args.get(key) is not None]
        if keyword:
            length = f" FOR {bounds[1]}" if len(bounds) > 1 else ""
            return _Piece(f"SUBSTRING({text} FROM {bounds[0]}{length})", _TEXT)
        return _Piece(f"{quote_identifier(written or 'substring')}({', '.join([text, *bounds])})", _TEXT)

    def _trim(self, node: exp.Trim, written: str | None) -> _Piece:
        """btrim(x), ltrim(x, 'a') as calls; trim(...) as TRIM(BOTH FROM x) or TRIM(LEADING 'a'::text
        FROM x)."""
        target = _TEXT if written else None  # the keyword syntax shows no implicit cast
        pieces = [self.argument(node.this, target)]
        if node.args.get("expression") is not None:
            pieces.append(self.argument(node.args["expression"], target))
        if written is not None:
            return _Piece(f"{written}({', '.join(pieces)})", _TEXT)
        side = str(node.args.get("position") or "BOTH").upper()
        characters = f" {pieces[1]}" if len(pieces) > 1 else ""
        return _Piece(f"TRIM({side}{characters} FROM {pieces[0]})", _TEXT)

    def _explicit_cast(self, node: exp.Cast) -> _Piece:
        """`value::type`: a string constant takes the type (`'x'::date`), anything else is cast."""
        declared = node.to.sql("postgres")
        pg_type = t.type_from_declared(declared)
        name = format_type(pg_type.oid, pg_type.typmod) if pg_type is not None else declared.lower()
        inner = self.piece(node.this)
        if inner.string is not None:
            return _Piece(f"{string_literal(inner.string)}::{name}", name)
        return self.converted(inner, name)

    def _case(self, node: exp.Case) -> _Piece:
        lines = ["", "CASE"]
        for branch in node.args.get("ifs") or []:
            result = self.argument(branch.args["true"])
            lines.append(f"    WHEN {self.argument(branch.this)} THEN {result}")
        default = node.args.get("default")
        if default is not None:
            lines.append(f"    ELSE {self.argument(default)}")
        lines.append("END")
        return _Piece("\n".join(lines), None)


def _operand_types(left: _Piece, right: _Piece) -> tuple[str | None, str | None]:
    """The types two operands of an operator are cast to (PostgreSQL's operator resolution for the
    common cases: integers of any width and the floats compare across, a varchar or bpchar beside
    text is text, a number goes to the wider of integer < numeric < float)."""
    a, b = left.type, right.type
    if left.string is not None and right.string is not None:
        return _TEXT, _TEXT
    if left.string is not None or right.string is not None:
        known = b if left.string is not None else a
        if known == _VARCHAR:
            return _TEXT, _TEXT
        return known, known
    if a is None or b is None or a == b:
        return a, b
    ranks = {**dict.fromkeys(_INTEGERS, 0), "numeric": 1, **dict.fromkeys(_FLOATS, 2)}
    if a in ranks and b in ranks:
        if ranks[a] == ranks[b]:
            return a, b
        wider = a if ranks[a] > ranks[b] else b
        target = "double precision" if wider in _FLOATS else wider
        return (a if a == wider else target), (b if b == wider else target)
    strings = (_TEXT, _VARCHAR, _BPCHAR)
    if a in strings and b in strings:
        return _TEXT, _TEXT
    return a, b
