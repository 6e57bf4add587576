"""CREATE / ALTER / DROP ROLE and USER: parsing them (PostgreSQL 15 syntax) into `RoleCommand`s.

    CREATE {ROLE | USER} name [[WITH] option ...]
    ALTER {ROLE | USER} name [[WITH] option ...]
    DROP {ROLE | USER} [IF EXISTS] name [, ...]

options: LOGIN | NOLOGIN, [ENCRYPTED] PASSWORD 'password' | NULL, and the ones true of every role
here (SUPERUSER, INHERIT, CONNECTION LIMIT -1); any other option, RENAME TO and SET are refused
(0A000): privileges are not enforced, every role acts as a superuser. CREATE USER is CREATE ROLE
with LOGIN. The session runs them (`engine/roles.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot.tokens import TokenType

from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.engine.sql.statement_words import Words, syntax_error
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError

_UNSET = "\0unset"  # a password not given (None is PASSWORD NULL)
_TRUE_HERE = (("superuser",), ("inherit",), ("connection", "limit", "-", "1"))


@dataclass(frozen=True, slots=True)
class RoleCommand:
    action: str  # create | alter | drop
    names: tuple[str, ...]  # one, except for DROP
    login: bool | None = None  # None: not given
    password: str | None = _UNSET  # None: PASSWORD NULL
    if_exists: bool = False

    @property
    def tag(self) -> str:
        return f"{self.action.upper()} ROLE"

    @property
    def password_given(self) -> bool:
        return self.password != _UNSET


def is_role_command(sql: str) -> bool:
    tokens = tokenize(sql)
    return len(tokens) > 1 and tokens[0].text.lower() in ("create", "alter", "drop") \
        and tokens[1].text.lower() in ("role", "user") \
        and not (len(tokens) > 2 and tokens[1].text.lower() == "user" and tokens[2].text.lower() == "mapping")


def parse_role_command(sql: str) -> RoleCommand:
    words = Words(tokenize(sql))
    action = words.next_word()
    user = words.next_word() == "user"
    if action == "drop":
        if_exists = words.accept("if", "exists")
        names = [words.name()]
        while words.accept(","):
            names.append(words.name())
        words.end()
        return RoleCommand("drop", tuple(names), if_exists=if_exists)
    name = words.name()
    if action == "alter" and words.peek() in ("rename", "set", "reset", "in"):
        raise DatabaseError(FEATURE_NOT_SUPPORTED,
                            f"ALTER ROLE ... {str(words.peek()).upper()} is not supported")
    words.accept("with")
    login: bool | None = True if action == "create" and user else None
    password: str | None = _UNSET
    while not words.at_end():
        if words.accept("login") or words.accept("nologin"):
            login = words.tokens[words.index - 1].text.lower() == "login"
        elif words.accept("password") or words.accept("encrypted", "password"):
            token = words.token()
            if token is not None and token.token_type == TokenType.NULL:
                password = None
            elif token is not None and token.token_type == TokenType.STRING:
                password = token.text
            else:
                raise syntax_error(words.peek())
            words.index += 1
        elif not any(words.accept(*option) for option in _TRUE_HERE):
            option = words.peek()
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                f'role option "{str(option).upper()}" is not supported',
                                hint="Privileges are not enforced here: every role acts as a superuser.")
    if action == "create" and login is None:
        login = False
    return RoleCommand(action, (name,), login, password)
