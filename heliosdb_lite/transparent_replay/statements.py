"""What a SQL statement means for transparent replay, from its text alone (no parser, no server).

`split` cuts a simple-query string at top-level semicolons (never inside strings, quoted
identifiers, dollar quotes or comments; with `backslash_quotes`, the session's
standard_conforming_strings being off, a backslash escapes a quote in every string, as it does
in E'' strings otherwise); `classify` tells, per statement, whether it begins,
commits or rolls back a transaction, changes session state that a new connection must restore
(SET, RESET, set_config, PREPARE, DEALLOCATE, DISCARD), names the next GTID (`SET heliosdb.gtid`),
cannot be replayed (LISTEN, COPY to or from a file or program, advisory locks, an outcome lookup,
which fences), or is anything else. Results are cached by text: drivers repeat their statements.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache

STANDARD_CONFORMING_STRINGS = "standard_conforming_strings"  # off: call with backslash_quotes


class Kind(enum.Enum):
    BEGIN = "begin"
    COMMIT = "commit"
    ROLLBACK = "rollback"
    SESSION = "session"  # changes session state a reconnect must restore
    NAMED_GTID = "named gtid"  # SET heliosdb.gtid = '...': a session setting naming the next GTID
    TRANSACTION_LOCAL = "transaction local"  # SET LOCAL, SAVEPOINT, SHOW, ...: no write
    UNSAFE = "unsafe"  # an effect outside the transaction: replay is switched off
    OTHER = "other"  # may read or write


@dataclass(frozen=True, slots=True)
class Classified:
    kind: Kind
    text: str
    value: str | None = None  # the GTID of NAMED_GTID; why, for UNSAFE


# One token per match: strings (E'' with backslash escapes; every string with them when
# standard_conforming_strings is off), quoted identifiers, dollar quotes, comments, a semicolon,
# or a run of anything else.
def _tokens_pattern(backslash_quotes: bool) -> re.Pattern[str]:
    string = r"""'(?:[^'\\]|\\.|'')*'?""" if backslash_quotes else r"""'(?:[^']|'')*'?"""
    return re.compile(
        r"""(?P<estring>(?<![A-Za-z0-9_$])[Ee]'(?:[^'\\]|\\.|'')*'?)"""
        rf"""|(?P<string>{string})"""
        r"""|(?P<ident>"(?:[^"]|"")*"?)"""
        r"""|(?P<dollar>(?<![A-Za-z0-9_])\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*|)\$.*?(?:\$(?P=tag)\$|\Z))"""
        r"""|(?P<line>--[^\n]*)"""
        r"""|(?P<block>/\*.*?(?:\*/|\Z))"""
        r"""|(?P<semi>;)"""
        r"""|(?P<other>[A-DF-Za-df-z0-9_]+|\s+|.)""",
        re.DOTALL,
    )


_TOKENS = {backslash_quotes: _tokens_pattern(backslash_quotes) for backslash_quotes in (False, True)}
# Without these the tokenizer finds no string, quoted identifier, dollar quote or comment: every
# token is a semicolon or plain text, and the statements are found without it (the common case:
# statements with literals inlined are new texts each time, so the cache does not help them).
_TOKEN_MARKS = ("'", '"', "$", "--", "/*")
_COMMENT_MARKS = ("--", "/*")
_WORD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_$.]*)")
_GTID_VALUE = re.compile(r"(?:=|\bto\b)\s*'([^']*)'", re.IGNORECASE)
_COMMENT_KINDS = ("line", "block")


def split(sql: str, *, backslash_quotes: bool = False) -> list[str]:
    """The statements of a simple query, without their semicolons, empty ones dropped."""
    if not any(mark in sql for mark in _TOKEN_MARKS):
        return [part.strip() for part in sql.split(";") if part and not part.isspace()]
    return _split_tokens(sql, backslash_quotes)


def _split_tokens(sql: str, backslash_quotes: bool) -> list[str]:
    statements: list[str] = []
    start = 0
    meaningful = False
    for match in _TOKENS[backslash_quotes].finditer(sql):
        kind = match.lastgroup
        if kind == "semi":
            if meaningful:
                statements.append(sql[start:match.start()].strip())
            start, meaningful = match.end(), False
        elif kind not in _COMMENT_KINDS and not (kind == "other" and match.group().isspace()):
            meaningful = True
    if meaningful:
        statements.append(sql[start:].strip())
    return statements


def _comments_blanked(statement: str, backslash_quotes: bool) -> str:
    """`statement` with each comment replaced by a space."""
    return "".join(" " if match.lastgroup in _COMMENT_KINDS else match.group()
                   for match in _TOKENS[backslash_quotes].finditer(statement))


def _leading_words(statement: str, count: int, backslash_quotes: bool) -> list[str]:
    """The first `count` words (lower case), comments skipped; stops at the first non-word token."""
    commented = any(mark in statement for mark in _COMMENT_MARKS)
    code = _comments_blanked(statement, backslash_quotes) if commented else statement
    words: list[str] = []
    position = 0
    while len(words) < count:
        found = _WORD.match(code, position)
        if found is None:
            break
        words.append(found.group(1).lower())
        position = found.end()
    return words


_SESSION_WORDS = frozenset({"reset", "discard", "prepare", "deallocate"})
_LOCAL_WORDS = frozenset({"savepoint", "release", "show"})


def _unsafe_reason(words: list[str], lowered: str) -> str | None:
    first = words[0] if words else ""
    if first in ("listen", "unlisten"):
        return f"{first.upper()} changes what the session is notified of, outside the transaction"
    if first == "copy" and re.search(r"\b(from|to)\s+(program\b|')", lowered):
        return "COPY to or from a file or program has an effect outside the database"
    if "pg_advisory" in lowered:
        return "advisory locks outlive the transaction"
    if "heliosdb_txn_outcome" in lowered:
        return "an outcome lookup fences a GTID, outside the transaction"
    return None


def _classify_one(statement: str, backslash_quotes: bool) -> Classified:
    words = _leading_words(statement, 3, backslash_quotes)
    lowered = statement.lower()
    reason = _unsafe_reason(words, lowered)
    if reason is not None:
        return Classified(Kind.UNSAFE, statement, reason)
    first = words[0] if words else ""
    second = words[1] if len(words) > 1 else ""
    if first == "begin" or (first == "start" and second == "transaction"):
        return Classified(Kind.BEGIN, statement)
    if first in ("commit", "end") and second != "prepared":
        return Classified(Kind.COMMIT, statement)
    if first in ("rollback", "abort"):
        if second in ("to", "prepared") or (second in ("work", "transaction") and len(words) > 2
                                            and words[2] == "to"):
            return Classified(Kind.TRANSACTION_LOCAL, statement)
        return Classified(Kind.ROLLBACK, statement)
    if first == "set":
        target = words[2] if second == "session" and len(words) > 2 else second
        if second in ("local", "transaction") or (second == "constraints"):
            return Classified(Kind.TRANSACTION_LOCAL, statement)
        if target == "heliosdb.gtid":
            value = _GTID_VALUE.search(statement)
            return Classified(Kind.NAMED_GTID, statement, value.group(1) if value else "")
        return Classified(Kind.SESSION, statement)
    if first in _SESSION_WORDS or "set_config" in lowered:
        return Classified(Kind.SESSION, statement)
    if first in _LOCAL_WORDS:
        return Classified(Kind.TRANSACTION_LOCAL, statement)
    return Classified(Kind.OTHER, statement)


@lru_cache(maxsize=4096)
def classify(sql: str, *, backslash_quotes: bool = False) -> tuple[Classified, ...]:
    """Every statement of `sql` (a simple query or one extended-protocol statement), classified;
    `backslash_quotes` when the session's standard_conforming_strings is off."""
    return tuple(_classify_one(statement, backslash_quotes)
                 for statement in split(sql, backslash_quotes=backslash_quotes))


WRITING_KINDS = frozenset({Kind.OTHER, Kind.COMMIT, Kind.UNSAFE})


def may_write(statements: tuple[Classified, ...]) -> bool:
    """Whether running these could commit a write (autocommit): anything but transaction control,
    session settings and reads that are known not to write (kinds in WRITING_KINDS)."""
    return any(item.kind in WRITING_KINDS for item in statements)


ALL_STATEMENTS = "*"
_DEALLOCATE = re.compile(r'\s*deallocate\s+(?:prepare\s+)?("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)',
                         re.IGNORECASE)
_DISCARD_ALL = re.compile(r"\s*discard\s+all\b", re.IGNORECASE)


def deallocated(statement: str) -> str | None:
    """The prepared statement a DEALLOCATE removes, ALL_STATEMENTS for DEALLOCATE ALL and DISCARD
    ALL, None for any other statement."""
    if _DISCARD_ALL.match(statement):
        return ALL_STATEMENTS
    match = _DEALLOCATE.match(statement)
    if match is None:
        return None
    name = match.group(1)
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    return ALL_STATEMENTS if name.lower() == "all" else name.lower()
