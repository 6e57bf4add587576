"""CREATE SEQUENCE, ALTER SEQUENCE and DROP SEQUENCE, read from the statement's tokens (sqlglot
parses only part of this grammar) and rendered as calls of the sequence functions (`functions.sequences`,
`store.sequences`) that keep `_helios_sequences` and `_helios_sequence_options`.

The statement's options travel to `helios_sequence_define` as a JSON object: option name ("as",
"increment", "minvalue", "maxvalue", "start", "restart", "cache", "cycle", "owned_by") -> value,
None for NO MINVALUE / NO MAXVALUE / RESTART without a value / OWNED BY NONE. The function checks
them against the sequence as it is when the statement runs (PostgreSQL's init_params).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlglot import exp
from sqlglot.tokens import TokenType

from heliosdb_lite.engine.ddl.object_names import NO_OP, dropped, sequence_exists
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.functions.sequences import serial_sequence
from heliosdb_lite.engine.sql import parsing
from heliosdb_lite.engine.sql.quoting import string_literal
from heliosdb_lite.engine.sql.statement_words import Words
from heliosdb_lite.engine.store import schemas, serial_sequences
from heliosdb_lite.engine.store.sequences import CREATE_TEMPORARY_TABLES, RANGES, Sequences, shown_name
from heliosdb_lite.engine.store.table_info import object_kind
from heliosdb_lite.engine.translate.result import Translation, unsupported
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.errors import (
    DEPENDENT_OBJECTS_STILL_EXIST,
    DUPLICATE_TABLE,
    INVALID_TABLE_DEFINITION,
    INVALID_TEXT_REPRESENTATION,
    NUMERIC_VALUE_OUT_OF_RANGE,
    SYNTAX_ERROR,
    UNDEFINED_TABLE,
    WRONG_OBJECT_TYPE,
    DatabaseError,
)

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_BIGINT = RANGES[t.INT8]
_NUMBERED = {"increment": ("by",), "minvalue": (), "maxvalue": (), "start": ("with",), "cache": ()}


def is_sequence_statement(sql: str) -> bool:
    words = parsing.first_words(sql, 3)
    return words[:2] in (["alter", "sequence"], ["drop", "sequence"], ["create", "sequence"]) or (
        words[:1] == ["create"] and words[1:2] in (["temp"], ["temporary"], ["unlogged"])
        and words[2:3] == ["sequence"])


def translate(translator: Translator, sql: str) -> Translation:
    """The SQLite statements and notices of a CREATE/ALTER/DROP SEQUENCE statement."""
    words = _SequenceWords(parsing.tokenize(sql))
    verb = words.next_word()
    if verb == "create":
        rendered, command = _create(translator, words), "CREATE SEQUENCE"
    elif verb == "alter":
        words.expect("sequence")
        rendered, command = _alter(translator, words), "ALTER SEQUENCE"
    else:
        words.expect("sequence")
        rendered, command = _drop(translator, words), "DROP SEQUENCE"
    return Translation(rendered, command, None, (), schema_change=True, notices=tuple(translator.notices))


class _SequenceWords(Words):
    """The token reader, with the numbers and names of sequence statements."""

    def number(self) -> int:
        """A signed integer option value (22P02 / 22003 as PostgreSQL's bigint input)."""
        sign = -1 if self.accept("-") else 1
        if sign == 1:
            self.accept("+")
        token = self.token()
        if token is None or token.token_type != TokenType.NUMBER:
            self.expect("a number")
        assert token is not None
        self.index += 1
        text = ("-" if sign < 0 else "") + token.text
        if not token.text.isdigit():
            raise DatabaseError(INVALID_TEXT_REPRESENTATION,
                                f'invalid input syntax for type bigint: "{text}"')
        if not _BIGINT[0] <= int(text) <= _BIGINT[1]:
            raise DatabaseError(NUMERIC_VALUE_OUT_OF_RANGE, f'value "{text}" is out of range for type bigint')
        return int(text)

    def at_number(self) -> bool:
        token = self.token()
        return token is not None and token.token_type in (TokenType.NUMBER, TokenType.DASH, TokenType.PLUS)

    def dotted(self) -> list[str]:
        """A possibly qualified name: its parts (quoted ones as written, others lower-cased)."""
        parts = [self.name()]
        while self.accept("."):
            parts.append(self.name())
        return parts

    def table(self) -> exp.Table:
        parts = self.dotted()
        if len(parts) > 2:
            raise unsupported(f"name {'.'.join(parts)}")
        return exp.Table(this=exp.to_identifier(parts[-1]),
                         db=exp.to_identifier(parts[0]) if len(parts) == 2 else None)


def _call(function: str, *arguments: str) -> str:
    """A statement that runs a sequence function for its effect and returns no rows."""
    listed = ", ".join(string_literal(argument) for argument in arguments)
    return f"SELECT 1 WHERE {function}({listed}) IS NULL"


def _options(translator: Translator, words: _SequenceWords, creating: bool) -> dict[str, Any]:
    """The options of CREATE/ALTER SEQUENCE, up to the end of the statement (42601 on one given
    twice, as PostgreSQL's "conflicting or redundant options")."""
    given: dict[str, Any] = {}

    def give(option: str, value: Any) -> None:
        if option in given:
            raise DatabaseError(SYNTAX_ERROR, "conflicting or redundant options")
        given[option] = value

    while not words.at_end():
        word = words.next_word()
        if word in _NUMBERED:
            for optional in _NUMBERED[word]:
                words.accept(optional)
            give(word, words.number())
        elif word == "as":
            type_name = words.next_word()
            give("as", type_name + " precision" if type_name == "double" and words.accept("precision")
                 else type_name)
        elif word == "no":
            option = words.next_word()
            if option not in ("minvalue", "maxvalue", "cycle"):
                raise DatabaseError(SYNTAX_ERROR, f'syntax error at or near "{option}"')
            give(option, False if option == "cycle" else None)
        elif word == "cycle":
            give("cycle", True)
        elif word == "restart":
            words.accept("with")
            give("restart", words.number() if words.at_number() else None)
        elif word == "owned":
            words.expect("by")
            give("owned_by", _owner(translator, words.dotted()))
        else:
            raise DatabaseError(SYNTAX_ERROR, f'syntax error at or near "{word}"')
    if not given and not creating:
        raise DatabaseError(SYNTAX_ERROR, "syntax error at end of input")
    return given


def _owner(translator: Translator, parts: list[str]) -> list[str] | None:
    """OWNED BY's [storage name of the table, column], None for NONE."""
    if parts == ["none"]:
        return None
    if len(parts) == 1:
        raise DatabaseError(SYNTAX_ERROR, "invalid OWNED BY option",
                            hint="Specify OWNED BY table.column or OWNED BY NONE.")
    if len(parts) > 3:
        raise unsupported(f"OWNED BY {'.'.join(parts)}")
    table = exp.Table(this=exp.to_identifier(parts[-2]), db=exp.to_identifier(parts[0]) if len(parts) == 3
                      else None)
    stored = translator.relation(table)
    if translator.catalog.table(stored) is None:
        raise DatabaseError(UNDEFINED_TABLE, f'relation "{".".join(parts[:-1])}" does not exist')
    return [stored, parts[-1]]


def _create(translator: Translator, words: _SequenceWords) -> str:
    """CREATE [TEMPORARY] SEQUENCE [IF NOT EXISTS] name options."""
    temporary = words.accept("temporary") or words.accept("temp")
    if not temporary and words.accept("unlogged"):
        raise unsupported("CREATE UNLOGGED SEQUENCE")
    words.expect("sequence")
    if_not_exists = words.accept("if", "not", "exists")
    table = words.table()
    if temporary and table.args.get("db") is not None:
        raise DatabaseError(INVALID_TABLE_DEFINITION,
                            "cannot create temporary relation in non-temporary schema")
    name = table.name if temporary else translator.new_object(table)
    given = _options(translator, words, creating=True)
    mode = "create temporary" if temporary else "create"
    if if_not_exists and _relation_exists(translator, name):
        translator.notice(f'relation "{table.name}" already exists, skipping')
        mode = "create if not exists"
    define = _call(fn.SEQUENCE_DEFINE, name, json.dumps(given), mode)
    return f"{CREATE_TEMPORARY_TABLES}; {define}" if temporary else define


def _relation_exists(translator: Translator, stored: str) -> bool:
    connection = translator.catalog.connection
    return Sequences(connection).exists(stored) or object_kind(connection, stored) in ("table", "view")


def _alter(translator: Translator, words: _SequenceWords) -> str:
    """ALTER SEQUENCE [IF EXISTS] name (options | RENAME TO new_name)."""
    if_exists = words.accept("if", "exists")
    table = words.table()
    connection = translator.catalog.connection
    stored = translator.relation(table, lambda name: sequence_exists(translator)(name)
                                 or serial_sequence(connection, name))
    if not sequence_exists(translator)(stored) and serial_sequence(connection, stored):
        return _serial_restarted(translator, words, stored)
    if not sequence_exists(translator)(stored):
        kind = object_kind(translator.catalog.connection, stored)
        if kind is not None:
            raise DatabaseError(WRONG_OBJECT_TYPE, f'"{table.name}" is not a sequence')
        if if_exists:
            translator.notice(f'relation "{table.name}" does not exist, skipping')
            return NO_OP
        raise DatabaseError(UNDEFINED_TABLE, f'relation "{table.sql("postgres")}" does not exist')
    if words.accept("rename", "to"):
        renamed = words.name()
        words.end()
        if serial_sequence(connection, stored):  # its column's default names it
            raise unsupported("ALTER SEQUENCE RENAME of a serial column's sequence")
        new_name = schemas.storage_name(schemas.split(stored)[0], renamed)
        if _relation_exists(translator, new_name):
            raise DatabaseError(DUPLICATE_TABLE, f'relation "{renamed}" already exists')
        return _call(fn.SEQUENCE_RENAME, stored, new_name)
    for refused in (("owner", "to"), ("set", "schema"), ("set", "logged"), ("set", "unlogged")):
        if words.accept(*refused):
            raise unsupported(f"ALTER SEQUENCE {' '.join(refused).upper()}")
    return _call(fn.SEQUENCE_DEFINE, stored, json.dumps(_options(translator, words, creating=False)), "alter")


def _serial_restarted(translator: Translator, words: _SequenceWords, stored: str) -> str:
    """ALTER SEQUENCE RESTART [[WITH] n] of a serial column's sequence that has no row of its own
    (a rowid key's, or one not drawn from yet): setval(n, false); other options are refused."""
    given = _options(translator, words, creating=False)
    if set(given) != {"restart"}:
        raise unsupported(f"ALTER SEQUENCE {', '.join(sorted(set(given) - {'restart'}))} of a serial "
                           "column's sequence")
    restart = 1 if given["restart"] is None else given["restart"]
    return f"SELECT 1 WHERE setval({string_literal(stored)}, {restart}, false) IS NULL"


def _drop(translator: Translator, words: _SequenceWords) -> str:
    """DROP SEQUENCE [IF EXISTS] name [, ...] [CASCADE | RESTRICT]."""
    if_exists, tables, cascade = words.drop_list(words.table)
    connection = translator.catalog.connection
    for table in tables:
        owner = _serial_column(translator, translator.relation(
            table, lambda name: sequence_exists(translator)(name) or serial_sequence(connection, name)))
        if owner is not None and cascade:
            raise unsupported("DROP SEQUENCE CASCADE of a serial column's sequence")
        if owner is not None:
            refused = "desired object(s) because other objects depend on them" if len(tables) > 1 \
                else f"sequence {table.name} because other objects depend on it"
            raise DatabaseError(DEPENDENT_OBJECTS_STILL_EXIST, f"cannot drop {refused}",
                                detail=f"default value for column {owner[1]} of table {shown_name(owner[0])} "
                                       f"depends on sequence {table.name}",
                                hint="Use DROP ... CASCADE to drop the dependent objects too.")
        kind = object_kind(translator.catalog.connection, translator.relation(table))
        if kind in ("table", "view") and not sequence_exists(translator)(translator.relation(table)):
            raise DatabaseError(WRONG_OBJECT_TYPE, f'"{table.name}" is not a sequence',
                                hint=f"Use DROP {kind.upper()} to remove a {kind}.")
    names = [dropped(translator, table, "sequence", if_exists) for table in tables]
    return "; ".join(_call(fn.SEQUENCE_DROP, name) for name in names if name is not None) or NO_OP


def _serial_column(translator: Translator, stored: str) -> tuple[str, str] | None:
    """(table, column) of the serial column that draws from sequence `stored`, if any: a rowid
    key's (`<table>_<column>_seq`) or one whose default names it."""
    connection = translator.catalog.connection
    if not serial_sequence(connection, stored):
        return None
    tables: list[tuple[str]] = list(connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"))
    for (name,) in tables:
        info = translator.catalog.table(name)
        for column in info.columns if info is not None else ():
            rowid_sequence = serial_sequences.sequence_name(name, column.name) if column.rowid_alias else None
            if stored in (column.sequence, rowid_sequence):
                return name, column.name
    return None


def owned_sequences_dropped(translator: Translator, table: str, column: str | None = None) -> list[str]:
    """The statements that drop the sequences OWNED BY a column of `table` (which is being dropped),
    or by `column` of it (which is being dropped)."""
    owned = Sequences(translator.catalog.connection).owned_by(table, column)
    return [_call(fn.SEQUENCE_DROP, name) for name in owned]


def owner_renamed(translator: Translator, table: str, renamed: str, column: str | None = None) -> list[str]:
    """The statements that keep OWNED BY naming `table` renamed to `renamed` (or its `column`
    renamed to `renamed`)."""
    return Sequences(translator.catalog.connection).owner_renamed(table, renamed, column)
