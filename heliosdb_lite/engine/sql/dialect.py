"""The sqlglot dialects of the engine: PostgreSQL in, SQLite out, with the fixes the engine relies on.

Parsing uses sqlglot's PostgreSQL dialect as is (its E'..' strings arrive as ByteString nodes
decoded with C's escape rules; the translator substitutes PostgreSQL's value, `escape_strings`). The SQLite
generator renders `$n` as `?n`, a numbered SQLite parameter, so parameters bind by number and
not by order of appearance (past SQLite's 32766, as a call that reads the value: `sqlite_parameter`),
and refuses (UnsupportedError) what it cannot express.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.dialects.sqlite import SQLite
from sqlglot.errors import ErrorLevel
from sqlglot.generators.sqlite import SQLiteGenerator
from sqlglot.parsers.postgres import PostgresParser
from sqlglot.tokenizer_core import TokenizerCore
from sqlglot.tokens import Token, TokenType

from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError

# functions the engine implements itself: parsed as plain calls, never as sqlglot's own classes
# (which reorder or add arguments, or rename the column)
KEPT_CALLS = ("mod", "date_part", "to_timestamp", "left", "right", "lpad", "rpad", "repeat", "reverse",
              "initcap", "md5", "split_part", "chr", "ascii", "translate", "starts_with", "quote_literal",
              "quote_nullable", "like", "json_object", "json_agg", "json_object_agg", "jsonb_object_agg")


# in the meta of a SUBSTRING written with FROM / FOR (`substring(x from 2)`), not as a call
KEYWORD_SYNTAX = "helios_keyword_syntax"

# SQLite binds at most this many parameters (SQLITE_MAX_VARIABLE_NUMBER); PostgreSQL takes 65535
SQLITE_MAX_PARAMETERS = 32766
OVERFLOW_PARAMETER = "helios_parameter"  # (n): the value of $n past SQLITE_MAX_PARAMETERS


def sqlite_parameter(number: int) -> str:
    """`$n` in SQLite: the numbered parameter `?n`, or past SQLite's limit the call that reads the
    value the statement runs with."""
    return f"?{number}" if number <= SQLITE_MAX_PARAMETERS else f"{OVERFLOW_PARAMETER}({number})"


def _keep_call(name: str) -> Callable[[list[exp.Expr]], exp.Expr]:
    return lambda args: exp.Anonymous(this=name, expressions=args)


def _national_string(parser: PostgresParser, token: Token) -> exp.Expr:
    """N'text': 'text'::bpchar."""
    return parser.expression(exp.Cast(this=exp.Literal.string(token.text), to=exp.DataType.build("bpchar")),
                             token)


class _TokenizerCore(TokenizerCore):
    __slots__ = ()

    def _scan_string(self, start: str) -> bool:
        """`$` then a digit is a parameter (`$1,$2`), never a dollar quote: PostgreSQL's
        dollar-quote tags cannot start with a digit (sqlglot read `$1,$` as one and failed with
        an unterminated string)."""
        if start == "$" and self._peek.isdigit():
            self._add(self.heredoc_string_alternative)
            return True
        return super()._scan_string(start)


class HeliosPostgres(Postgres):
    """The input dialect: `$n` is always a parameter, KEPT_CALLS stay calls (sqlglot would turn mod()
    into %, date_part() into EXTRACT, lpad() into PAD, ...), INTERVAL 'text' keeps its whole text,
    a prefix `@` is not taken for a parameter, `oid[]` (any object-identifier type) is an array type,
    N'text' (a national character string) is 'text'::bpchar, as PostgreSQL's grammar makes it, and so is
    `name 'text'` a cast for any type name."""

    class Tokenizer(Postgres.Tokenizer):
        def _init_core(self) -> TokenizerCore:
            core = super()._init_core()
            core.__class__ = _TokenizerCore  # sqlglot builds the core with the dialect's settings
            return core

    class Parser(PostgresParser):
        FUNCTIONS = {**PostgresParser.FUNCTIONS,
                     **{name.upper(): _keep_call(name) for name in KEPT_CALLS}}
        FUNCTION_PARSERS = {**{name: parser for name, parser in PostgresParser.FUNCTION_PARSERS.items()
                               if name.lower() not in KEPT_CALLS},
                            "XMLPARSE": lambda self: self._parse_xmlparse()}
        TYPE_LITERAL_PARSERS = {}  # json '[]' is a cast, as other typed literals (sqlglot: parse_json())
        STRING_PARSERS = {**PostgresParser.STRING_PARSERS, TokenType.NATIONAL_STRING: _national_string}
        PRIMARY_PARSERS = {**PostgresParser.PRIMARY_PARSERS, TokenType.NATIONAL_STRING: _national_string}

        def _parse_interval(  # type: ignore[override]  # a Cast too: sqlglot's callers take any node
                self, require_interval: bool = True, parse_function_unit: bool = True,
        ) -> exp.Add | exp.Interval | exp.Cast | None:
            """INTERVAL 'text' without a unit keyword is a cast of the whole text: sqlglot would
            split '-1 day 02:00' into -1 DAY and drop the rest."""
            index = self._index
            if self._match(TokenType.INTERVAL) and self._match(TokenType.STRING, advance=False):
                text = self._curr.text
                following = self._next.text.upper() if self._next else ""
                if following not in self.dialect.VALID_INTERVAL_UNITS:
                    self._advance()
                    return exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build("interval"))
            self._retreat(index)
            return super()._parse_interval(require_interval, parse_function_unit)

        def _parse_type(self, parse_interval: bool = True,
                        fallback_to_identifier: bool = False) -> exp.Expr | None:
            """`name 'text'` where name is no type sqlglot knows (`macaddr '08:00:2b:01:02:03'`, `cidr
            '10/8'`): a cast of the text to the type so named, as PostgreSQL's grammar reads any type
            name before a string constant."""
            if not fallback_to_identifier and self._curr and self._next \
                    and self._curr.token_type == TokenType.VAR and self._next.token_type == TokenType.STRING:
                name = self._curr.text
                self._advance(2)
                literal = exp.Literal.string(self._prev.text)
                to = exp.DataType(this=exp.DType.USERDEFINED, kind=exp.to_identifier(name))
                return self._parse_column_ops(self.expression(exp.Cast(this=literal, to=to)))
            return super()._parse_type(parse_interval, fallback_to_identifier)

        def _parse_types(self, check_func: bool = False, schema: bool = False,
                         allow_identifiers: bool = True, with_collation: bool = False) -> exp.Expr | None:
            """`oid[]`, `regtype[]`, `cstring[]`: arrays of the object-identifier and pseudo-types (sqlglot
            returns `oid` before looking for brackets, so `$1::oid[]`, which asyncpg's type
            introspection sends, failed)."""
            parsed = super()._parse_types(check_func, schema, allow_identifiers, with_collation)
            if isinstance(parsed, exp.ObjectIdentifier | exp.PseudoType):
                while self._match_pair(TokenType.L_BRACKET, TokenType.R_BRACKET):
                    parsed = exp.DataType(this=exp.DType.ARRAY, expressions=[parsed], nested=True)
            return parsed

        def _parse_in(self, this: exp.Expr | None, alias: bool = False) -> exp.In:
            """`x IN ($1, $2, ...)`: a list of parameters alone is read without the expression
            grammar's descent per item (pg8000 sends 60000 of them: minutes, not seconds)."""
            parameters = self._parameter_list()
            if parameters is None:
                return super()._parse_in(this, alias)
            return self.expression(exp.In(this=this, expressions=parameters))

        def _parameter_list(self) -> list[exp.Expr] | None:
            """The parameters of `($n, $m, ...)` at the current token, consumed; None (nothing
            consumed) for a list of anything else."""
            tokens, at = self._tokens, self._index
            if at >= len(tokens) or tokens[at].token_type != TokenType.L_PAREN:
                return None
            numbers = []
            at += 1
            while at + 2 < len(tokens) and tokens[at].token_type == TokenType.PARAMETER \
                    and tokens[at + 1].token_type == TokenType.NUMBER and tokens[at + 1].text.isdigit():
                numbers.append(tokens[at + 1].text)
                if tokens[at + 2].token_type == TokenType.R_PAREN:
                    self._advance(at + 3 - self._index)
                    return [exp.Parameter(this=exp.Literal.number(number)) for number in numbers]
                if tokens[at + 2].token_type != TokenType.COMMA:
                    return None
                at += 3
            return None

        def _parse_substring(self) -> exp.Substring:
            """SUBSTRING, marked `KEYWORD_SYNTAX` in its meta when written with FROM or FOR (PostgreSQL's
            deparser shows it so, and `"substring"(x, 2)` otherwise)."""
            start = self._index
            node = super()._parse_substring()
            depth = 0
            for token in self._tokens[start:self._index]:
                depth += (token.token_type == TokenType.L_PAREN) - (token.token_type == TokenType.R_PAREN)
                if depth == 0 and token.token_type in (TokenType.FROM, TokenType.FOR):
                    node.meta[KEYWORD_SYNTAX] = True
                    break
            return node

        def _parse_xmlparse(self) -> exp.Expr:
            """XMLPARSE ({DOCUMENT | CONTENT} value): the call xmlparse('document' | 'content', value)."""
            kind = self._curr.text.lower() if self._curr else ""
            if kind not in ("document", "content"):
                self.raise_error("Expecting DOCUMENT or CONTENT")
            self._advance()
            value = self._parse_assignment()
            if self._match_text_seq("PRESERVE", "WHITESPACE"):
                raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                    "XMLPARSE ... PRESERVE WHITESPACE is not supported")
            self._match_text_seq("STRIP", "WHITESPACE")
            return exp.Anonymous(this="xmlparse", expressions=[exp.Literal.string(kind), value])

        def _parse_parameter(self) -> exp.Parameter:
            """`$n`. A prefix `@` (PostgreSQL's absolute value operator) is refused: sqlglot would
            read `@ 5` as the parameter $5."""
            if self._prev.text == "@":
                raise DatabaseError(FEATURE_NOT_SUPPORTED, "the prefix operator @ is not supported",
                                    hint="Use abs() instead.")
            return super()._parse_parameter()

        def _parse_insert(self) -> exp.Insert | exp.MultitableInserts:
            """INSERT, with OVERRIDING {SYSTEM | USER} VALUE kept as its `overriding` arg."""
            self._overriding: str | None = None
            insert = super()._parse_insert()
            if self._overriding is not None:
                insert.set("overriding", self._overriding)
            return insert

        def _parse_insert_table(self) -> exp.Expr | None:
            table = super()._parse_insert_table()
            if self._match_text_seq("OVERRIDING"):
                kind = self._curr.text.upper() if self._curr else ""
                if kind not in ("SYSTEM", "USER") or not self._match_text_seq(kind, "VALUE"):
                    self.raise_error("Expecting SYSTEM VALUE or USER VALUE")
                self._overriding = kind
            return table


class HeliosSQLite(SQLite):
    """The output dialect."""

    class Generator(SQLiteGenerator):
        TRANSFORMS = {
            **SQLiteGenerator.TRANSFORMS,
            exp.Parameter: lambda self, node: sqlite_parameter(int(node.this.name)),
        }


def render(node: exp.Expr, *, keep: bool = True) -> str:
    """SQLite SQL for a translated tree. The generator changes the tree it is given, so it works on a
    copy unless keep is False: a whole statement's tree, not used after, need not be copied (for a
    statement of many kilobytes the copy cost more than the rest of its translation)."""
    return node.sql(dialect=HeliosSQLite, copy=keep, unsupported_level=ErrorLevel.RAISE)
