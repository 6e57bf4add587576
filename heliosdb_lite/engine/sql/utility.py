"""Utility statements the engine runs itself: transaction control, SET/RESET/SHOW, EXPLAIN, maintenance.

`parse_utility(sql)` recognises them from their leading words (sqlglot's tokens; sqlglot's own
parse of these is unreliable: `START TRANSACTION` becomes an alias) and returns a small command
object, or None for statements that go through the translator. Syntax follows PostgreSQL 15:

    BEGIN|START TRANSACTION [ISOLATION LEVEL l] [READ ONLY|READ WRITE] [[NOT] DEFERRABLE]
    COMMIT|END|ROLLBACK|ABORT [WORK|TRANSACTION]      SAVEPOINT n   RELEASE [SAVEPOINT] n
    ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] n      SET [SESSION|LOCAL] name {TO|=} v[, ...]|DEFAULT
    SET TIME ZONE v   SET [SESSION CHARACTERISTICS AS] TRANSACTION ...   RESET name|ALL   SHOW name|ALL
    SET CONSTRAINTS ALL {DEFERRED|IMMEDIATE} (a list of constraint names is refused: 0A000)
    EXPLAIN [ANALYZE] [VERBOSE] stmt | EXPLAIN (options) stmt    VACUUM/ANALYZE/CHECKPOINT/DISCARD
    PREPARE TRANSACTION 'gid'   COMMIT PREPARED 'gid'   ROLLBACK PREPARED 'gid'
    PREPARE, EXECUTE, DEALLOCATE (`prepare_commands`)   CREATE/ALTER/DROP ROLE|USER (`role_commands`)
    DO [LANGUAGE plpgsql] 'body' (RAISE statements only: `do_blocks`)
    CREATE DATABASE / DROP DATABASE (`database_statements`)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.tokens import Token, TokenType

from heliosdb_lite.engine.sql.database_statements import DatabaseCommand, parse_database_statement
from heliosdb_lite.engine.sql.do_blocks import DoCommand, parse_do
from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.engine.sql.prepare_commands import (
    DeallocateCommand,
    ExecuteCommand,
    PrepareCommand,
    parse_deallocate,
    parse_execute,
    parse_prepare,
)
from heliosdb_lite.engine.sql.role_commands import RoleCommand, is_role_command, parse_role_command
from heliosdb_lite.engine.sql.statement_words import Words, syntax_error
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError
from heliosdb_lite.protocol.codecs.time_zones import hours_zone_name


@dataclass(frozen=True, slots=True)
class TransactionModes:
    """ISOLATION LEVEL, READ ONLY | READ WRITE, [NOT] DEFERRABLE of BEGIN or SET TRANSACTION (None: not
    given)."""

    isolation: str | None = None
    read_only: bool | None = None
    deferrable: bool | None = None

    def settings(self) -> dict[str, str]:
        """The transaction_* settings these modes give, by the name of each (without `transaction_`)."""
        shown = {"isolation": self.isolation, "read_only": _on_off(self.read_only),
                 "deferrable": _on_off(self.deferrable)}
        return {name: value for name, value in shown.items() if value is not None}


def _on_off(flag: bool | None) -> str | None:
    return None if flag is None else "on" if flag else "off"


@dataclass(frozen=True, slots=True)
class TransactionCommand:
    """action: begin, commit, rollback, savepoint, release, rollback_to, prepare_transaction,
    commit_prepared or rollback_prepared (name: the savepoint's, or the prepared transaction's gid)."""

    action: str
    tag: str
    name: str | None = None
    modes: TransactionModes = TransactionModes()


@dataclass(frozen=True, slots=True)
class SetCommand:
    name: str
    value: str | None  # None: DEFAULT
    local: bool = False


@dataclass(frozen=True, slots=True)
class SetTransactionCommand:
    modes: TransactionModes
    session_default: bool  # SET SESSION CHARACTERISTICS AS TRANSACTION


@dataclass(frozen=True, slots=True)
class SetConstraintsCommand:
    deferred: bool


@dataclass(frozen=True, slots=True)
class ResetCommand:
    name: str | None  # None: ALL


@dataclass(frozen=True, slots=True)
class ShowCommand:
    name: str | None  # None: ALL


@dataclass(frozen=True, slots=True)
class ExplainCommand:
    """EXPLAIN of `statement`: as JSON (FORMAT JSON) or text, after running it (ANALYZE)."""

    statement: str
    json: bool = False
    analyze: bool = False


@dataclass(frozen=True, slots=True)
class MaintenanceCommand:
    """Accepted without effect on the data (VACUUM, ANALYZE, CHECKPOINT, DISCARD)."""

    tag: str
    outside_block_only: bool = False
    discard_all: bool = False


@dataclass(frozen=True, slots=True)
class NotificationCommand:
    """LISTEN channel, UNLISTEN channel | *, NOTIFY channel [, 'payload'] (`engine/notifications.py`)."""

    action: str  # "listen" | "unlisten" | "notify"
    channel: str | None  # None: UNLISTEN *
    payload: str | None = None

    @property
    def tag(self) -> str:
        return self.action.upper()


@dataclass(frozen=True, slots=True)
class DeclareCommand:
    """DECLARE name [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [{WITH | WITHOUT} HOLD] FOR query."""

    name: str
    query: str
    hold: bool
    tag = "DECLARE CURSOR"


@dataclass(frozen=True, slots=True)
class FetchCommand:
    """FETCH or MOVE [NEXT | n | ALL | FORWARD [n | ALL]] [FROM | IN] name: forward only."""

    name: str
    count: int | None  # None: ALL
    move: bool  # MOVE skips the rows instead of returning them


@dataclass(frozen=True, slots=True)
class CloseCommand:
    name: str | None  # None: CLOSE ALL
    tag = "CLOSE CURSOR"


CursorCommand = DeclareCommand | FetchCommand | CloseCommand
UtilityCommand = (TransactionCommand | SetCommand | SetTransactionCommand | SetConstraintsCommand
                  | ResetCommand | ShowCommand | ExplainCommand | MaintenanceCommand | NotificationCommand
                  | CursorCommand | PrepareCommand | ExecuteCommand | DeallocateCommand | RoleCommand
                  | DoCommand | DatabaseCommand)


_ISOLATION_WORDS = (("serializable",), ("repeatable", "read"), ("read", "committed"), ("read", "uncommitted"))


def _transaction_modes(words: Words) -> TransactionModes:
    isolation: str | None = None
    read_only: bool | None = None
    deferrable: bool | None = None
    while not words.at_end():
        if words.accept(","):
            continue
        if words.accept("isolation", "level"):
            for option in _ISOLATION_WORDS:
                if words.accept(*option):
                    isolation = " ".join(option)
                    break
            else:
                raise syntax_error(words.peek())
        elif words.accept("read", "only"):
            read_only = True
        elif words.accept("read", "write"):
            read_only = False
        elif words.accept("not", "deferrable"):
            deferrable = False
        elif words.accept("deferrable"):
            deferrable = True
        else:
            raise syntax_error(words.peek())
    return TransactionModes(isolation, read_only, deferrable)


def _value_list(words: Words) -> str | None:
    """The value(s) of SET: None for DEFAULT; several values joined with ', ' ('' is a value)."""
    if words.accept("default"):
        words.end()
        return None
    tokens = words.tokens[words.index:]
    if not tokens:
        raise syntax_error(None)
    parts: list[str] = []
    current = ""
    for token in tokens:
        if token.token_type == TokenType.COMMA:
            parts.append(current)
            current = ""
        elif token.token_type == TokenType.DASH:
            current += "-"
        elif token.token_type == TokenType.IDENTIFIER:
            current += f'"{token.text}"' if not token.text.islower() or "$" in token.text else token.text
        elif token.token_type in (TokenType.STRING, TokenType.NUMBER):
            current += token.text
        else:
            current += token.text.lower()
    parts.append(current)
    return ", ".join(parts)


def _time_zone_value(words: Words) -> str | None:
    """The value of SET TIME ZONE / SET TimeZone: a number is hours east of Greenwich, a fixed offset
    kept as PostgreSQL shows one (`-5` is `<-05>+05`: ISO sign inside, POSIX sign after); any other
    value as `_value_list` reads it (a zone name, or a POSIX string whose hours are west)."""
    tokens = words.tokens[words.index:]
    kinds = [token.token_type for token in tokens]
    if kinds not in ([TokenType.NUMBER], [TokenType.DASH, TokenType.NUMBER]):
        return _value_list(words)
    try:
        hours = float(tokens[-1].text) * (-1 if len(tokens) == 2 else 1)
    except ValueError:
        raise syntax_error(tokens[-1].text) from None
    words.index = len(words.tokens)
    return hours_zone_name(hours)


def _transaction(words: Words, first: str) -> TransactionCommand:
    if first in ("begin", "start"):
        if first == "start" and not words.accept("transaction"):
            raise syntax_error(words.peek())
        if first == "begin":
            words.accept("work") or words.accept("transaction")
        return TransactionCommand("begin", "BEGIN" if first == "begin" else "START TRANSACTION",
                                  modes=_transaction_modes(words))
    if first == "savepoint":
        name = words.name()
        words.end()
        return TransactionCommand("savepoint", "SAVEPOINT", name=name)
    if first == "release":
        words.accept("savepoint")
        name = words.name()
        words.end()
        return TransactionCommand("release", "RELEASE", name=name)
    words.accept("work") or words.accept("transaction")
    if first in ("rollback", "abort") and words.accept("to"):
        words.accept("savepoint")
        name = words.name()
        words.end()
        return TransactionCommand("rollback_to", "ROLLBACK", name=name)
    if first in ("commit", "rollback") and words.accept("prepared"):
        gid = _gid(words)
        return TransactionCommand(f"{first}_prepared", f"{first.upper()} PREPARED", name=gid)
    if words.accept("and", "chain"):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "AND CHAIN is not supported")
    words.accept("and", "no", "chain")
    words.end()
    if first in ("commit", "end"):
        return TransactionCommand("commit", "COMMIT")
    return TransactionCommand("rollback", "ROLLBACK")


def _gid(words: Words) -> str:
    """A prepared transaction's identifier: a string literal, the statement's last word."""
    token = words.token()
    if token is None or token.token_type != TokenType.STRING:
        raise syntax_error(words.peek())
    words.index += 1
    words.end()
    return token.text


def _prepare_transaction(sql: str) -> TransactionCommand | None:
    """PREPARE TRANSACTION 'gid' (None: another PREPARE)."""
    words = Words(tokenize(sql[tokenize(sql)[0].end + 1:]))
    if not words.accept("transaction"):
        return None
    return TransactionCommand("prepare_transaction", "PREPARE TRANSACTION", name=_gid(words))


def _set(words: Words) -> UtilityCommand:
    local = words.accept("local")
    if words.accept("role") or words.accept("session", "role") or words.accept("session", "authorization"):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "SET ROLE and SET SESSION AUTHORIZATION are not supported")
    if not local:
        words.accept("session")
    if words.accept("characteristics", "as", "transaction"):
        return SetTransactionCommand(_transaction_modes(words), session_default=True)
    if words.accept("transaction"):
        return SetTransactionCommand(_transaction_modes(words), session_default=False)
    if words.accept("constraints"):
        return _set_constraints(words)
    if words.accept("time", "zone"):
        if words.accept("local"):
            return SetCommand("TimeZone", None, local)
        return SetCommand("TimeZone", _time_zone_value(words), local)
    if words.accept("names"):
        return SetCommand("client_encoding", _value_list(words), local)
    if words.accept("schema"):
        return SetCommand("search_path", _value_list(words), local)
    name = words.name()
    while words.accept("."):
        name += "." + words.name()
    if not (words.accept("to") or words.accept("=")):
        raise syntax_error(words.peek())
    value = _time_zone_value(words) if name.lower() == "timezone" else _value_list(words)
    return SetCommand(name, value, local)


def _set_constraints(words: Words) -> SetConstraintsCommand:
    if not words.accept("all"):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "SET CONSTRAINTS with constraint names is not supported",
                            hint="SET CONSTRAINTS ALL DEFERRED | IMMEDIATE is.")
    deferred = words.accept("deferred")
    if not deferred and not words.accept("immediate"):
        raise syntax_error(words.peek())
    words.end()
    return SetConstraintsCommand(deferred)


def _reset(words: Words) -> ResetCommand:
    if words.accept("all"):
        words.end()
        return ResetCommand(None)
    if words.accept("time", "zone"):
        return ResetCommand("TimeZone")
    if words.accept("session", "authorization"):
        return ResetCommand("session_authorization")
    name = words.name()
    while words.accept("."):
        name += "." + words.name()
    words.end()
    return ResetCommand(name)


_SHOW = re.compile(r"^\s*show\s+(.+?)\s*$", re.IGNORECASE | re.DOTALL)
_EXPLAIN = re.compile(r"^\s*explain\s+(?:\((?P<options>[^)]*)\)\s*|(?P<words>(?:(?:analy[sz]e|verbose)\s+)*))"
                      r"(?P<statement>.+)$", re.IGNORECASE | re.DOTALL)


def _show(sql: str) -> ShowCommand:
    match = _SHOW.match(sql)
    if match is None:
        raise syntax_error(None)
    name = match.group(1)
    if name.lower() == "all":
        return ShowCommand(None)
    if name.startswith('"') and name.endswith('"'):
        return ShowCommand(name[1:-1])
    return ShowCommand(" ".join(name.split()))


def _explain(sql: str) -> ExplainCommand:
    match = _EXPLAIN.match(sql)
    if match is None:
        raise syntax_error(None)
    options = (match.group("options") or "") + " " + (match.group("words") or "")
    analyze = re.search(r"\banaly[sz]e\b(?!\s+(false|off))", options, re.IGNORECASE) is not None
    output_format = re.search(r"\bformat\s+(\w+)", options, re.IGNORECASE)
    shape = output_format.group(1).lower() if output_format is not None else "text"
    if shape not in ("text", "json"):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"EXPLAIN (FORMAT {shape.upper()}) is not supported",
                            hint="EXPLAIN shows SQLite's query plan as text or in PostgreSQL's JSON shape.")
    return ExplainCommand(match.group("statement"), json=shape == "json", analyze=analyze)


def _notification(words: Words, action: str) -> NotificationCommand:
    if action == "unlisten" and words.accept("*"):
        words.end()
        return NotificationCommand(action, None)
    channel = words.name()
    payload = None
    if action == "notify" and words.accept(","):
        token = words.token()
        if token is None or token.token_type != TokenType.STRING:
            raise syntax_error(words.peek())
        payload = words.next_word()
    words.end()
    return NotificationCommand(action, channel, payload)


_DECLARE = re.compile(
    r'\s*declare\s+(?P<name>"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+(?P<options>(?:[A-Za-z]+\s+)*?)'
    r"cursor\s+(?:(?P<hold>with|without)\s+hold\s+)?for\s+(?P<query>\S.*)", re.IGNORECASE | re.DOTALL)
_DECLARE_OPTIONS = frozenset({"asensitive", "insensitive", "scroll", "no"})
_BACKWARD = frozenset({"prior", "first", "last", "absolute", "relative", "backward"})
_FORWARD_ONLY = "Cursors here scan forward only: NEXT, a count, ALL, FORWARD."


def _declare(sql: str) -> DeclareCommand:
    match = _DECLARE.match(sql)
    if match is None:
        raise syntax_error(None)
    options = match.group("options").lower().split()
    if "binary" in options:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "DECLARE BINARY CURSOR is not supported")
    unknown = [option for option in options if option not in _DECLARE_OPTIONS]
    if unknown:
        raise syntax_error(unknown[0])
    name = match.group("name")
    name = name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()
    hold = (match.group("hold") or "").lower() == "with"
    return DeclareCommand(name, match.group("query"), hold)


def _fetch(words: Words, move: bool) -> FetchCommand:
    count: int | None = 1
    word = words.peek() or ""
    if word in _BACKWARD:
        command = "MOVE" if move else "FETCH"
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"{command} {word.upper()} is not supported",
                            hint=_FORWARD_ONLY)
    if words.accept("all") or words.accept("forward", "all"):
        count = None
    elif words.accept("next"):
        count = 1
    else:
        words.accept("forward")
        token = words.token()
        if token is not None and token.token_type in (TokenType.NUMBER, TokenType.DASH):
            count = _fetch_count(words)
    if not (words.accept("from") or words.accept("in")) and words.peek() in ("from", "in"):
        raise syntax_error(words.peek())
    name = words.name()
    words.end()
    return FetchCommand(name, count, move)


def _fetch_count(words: Words) -> int:
    negative = words.accept("-")
    text = words.next_word()
    if not text.isdigit():
        raise syntax_error(text)
    if negative or int(text) == 0:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, "FETCH of a count below 1 is not supported",
                            hint=_FORWARD_ONLY)
    return int(text)


def _close(words: Words) -> CloseCommand:
    name = None if words.accept("all") else words.name()
    words.end()
    return CloseCommand(name)


def _command_words(sql: str, tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    """The tokens of a statement whose first word sqlglot takes for a command (RELEASE, FETCH, ...):
    it keeps the rest as one string, which is tokenized again (its first word may be one too)."""
    leading: list[Token] = []
    while len(tokens) > 1 and tokens[0].token_type in (TokenType.COMMAND, TokenType.FETCH):
        leading.append(tokens[0])
        sql = sql[tokens[0].end + 1:]
        tokens = tuple(tokenize(sql))
    return (*leading, *tokens)


def parse_utility(sql: str) -> UtilityCommand | None:
    """The utility command sql is, or None if it is an ordinary statement."""
    tokens = tokenize(sql)
    while tokens and tokens[-1].token_type == TokenType.SEMICOLON:  # "BEGIN;" as pgbench's Parse sends it
        sql = sql[: tokens[-1].start]
        tokens = tokens[:-1]
    if not tokens:
        return None
    first = tokens[0].text.lower()
    words = Words(_command_words(sql, tokens))
    words.index = 1
    if first in ("create", "drop") and words.peek() == "database":
        return parse_database_statement(words, first)
    if first in ("create", "alter", "drop"):
        return parse_role_command(sql) if is_role_command(sql) else None
    if first in ("begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release"):
        return _transaction(words, first)
    if first == "set":
        return _set(words)
    if first == "reset":
        return _reset(words)
    if first == "show":
        return _show(sql)
    if first == "explain":
        return _explain(sql)
    if first == "vacuum":
        return MaintenanceCommand("VACUUM", outside_block_only=True)
    if first in ("analyze", "analyse"):
        return MaintenanceCommand("ANALYZE")
    if first == "checkpoint":
        return MaintenanceCommand("CHECKPOINT")
    if first == "discard":
        what = words.peek() or ""
        return MaintenanceCommand(f"DISCARD {what.upper()}", discard_all=what == "all")
    if first == "deallocate":
        return parse_deallocate(sql)
    if first == "prepare":
        return _prepare_transaction(sql) or parse_prepare(sql)
    if first == "execute":
        return parse_execute(sql)
    if first in ("listen", "unlisten", "notify"):
        return _notification(words, first)
    if first == "declare":
        return _declare(sql)
    if first in ("fetch", "move"):
        return _fetch(words, first == "move")
    if first == "close":
        return _close(words)
    if first == "do":
        return parse_do(sql, tokens[0].end + 1)
    if first in ("lock", "grant", "revoke", "comment",
                 "call", "reindex", "cluster", "refresh"):
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"{first.upper()} is not supported")
    return None
