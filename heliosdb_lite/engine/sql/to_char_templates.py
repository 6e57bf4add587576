"""The template of a to_char call as written in the SQL text.

sqlglot's PostgreSQL parser rewrites a literal to_char template into strftime codes
('YYYY-MM-DD' -> '%Y-%m-%d'), which loses information ('"yyyy"' and '"YYYY"' both become '"%Y"').
The written template is found again among the statement's `to_char(..., '<literal>')` calls: the
one whose rewriting gives the parsed text. If none, or several different ones, do, 0A000.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from heliosdb_lite.engine.sql.dialect import HeliosPostgres
from heliosdb_lite.engine.sql.parsing import tokenize
from heliosdb_lite.errors import FEATURE_NOT_SUPPORTED, DatabaseError

_DIALECT = HeliosPostgres()


def _literal_templates(source: str) -> list[str]:
    """The second argument of each to_char call in source, when it is a plain quoted literal."""
    tokens = tokenize(source)
    templates = []
    for index, token in enumerate(tokens[:-1]):
        if token.text.lower() != "to_char" or tokens[index + 1].token_type != TokenType.L_PAREN:
            continue
        depth, argument, pieces = 0, 0, []
        for inner in tokens[index + 1:]:
            if inner.token_type == TokenType.L_PAREN:
                depth += 1
            elif inner.token_type == TokenType.R_PAREN:
                depth -= 1
                if depth == 0:
                    break
            elif inner.token_type == TokenType.COMMA and depth == 1:
                argument += 1
                continue
            if argument == 1 and depth >= 1:
                pieces.append(inner)
        if len(pieces) == 1 and pieces[0].token_type == TokenType.STRING:
            templates.append(pieces[0].text)
    return templates


def written_template(source: str, parsed: str) -> str:
    """The literal template, as written in source, that sqlglot parsed into `parsed`."""
    matches = {template for template in _literal_templates(source)
               if (formatted := _DIALECT.format_time(exp.Literal.string(template))) is not None
               and formatted.this == parsed}
    if len(matches) != 1:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f"to_char with the template '{parsed}' written this way "
                                                   "is not supported")
    return matches.pop()
