"""DDL statements to their translation, rendered for SQLite by hand: CREATE TABLE/INDEX/VIEW
(`tables`), DROP and TRUNCATE (`drop`), ALTER (`alter`), all parsed by sqlglot; CREATE/ALTER/DROP
SCHEMA (`schemas`), SEQUENCE (`sequences`), TYPE (`types`), DOMAIN (`domains`), FUNCTION
(`functions`) and CREATE/DROP EXTENSION (`extensions`), read word by word from the statement's text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from heliosdb_lite.engine.ddl import alter, domains, extensions, functions, schemas, sequences, types
from heliosdb_lite.engine.ddl.drop import translate_drop, translate_truncate
from heliosdb_lite.engine.ddl.tables import translate_create
from heliosdb_lite.engine.translate.result import Translation, unsupported

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

STATEMENTS = (exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)


def translate_words(translator: Translator, text: str) -> Translation | None:
    """The translation of a schema, sequence or type statement (sqlglot parses only part of their
    grammar); None for any other statement."""
    if schemas.is_schema_statement(text):
        return schemas.translate(translator, text)
    if sequences.is_sequence_statement(text):
        return sequences.translate(translator, text)
    if types.is_type_statement(text):
        return types.translate(translator, text)
    if domains.is_domain_statement(text):
        return domains.translate(translator, text)
    if extensions.is_extension_statement(text):
        return extensions.translate(translator, text)
    if functions.is_function_statement(text):
        return functions.translate(translator, text)
    return None


def translate(translator: Translator, tree: exp.Expr) -> Translation | None:
    """The translation of a DDL statement; None for a statement that is not one."""
    if isinstance(tree, exp.Command):  # ALTER TABLE ... ADD CHECK (...): sqlglot needs a name there
        named = alter.with_unnamed_check_named(translator.text)
        if named is None:
            return None
        tree = named
    if isinstance(tree, exp.Create):
        sql, command = translate_create(translator, tree)
    elif isinstance(tree, exp.Drop):
        sql, command = translate_drop(translator, tree)
    elif isinstance(tree, exp.Alter):
        sql, command = alter.translate_alter(translator, tree)
    elif isinstance(tree, exp.TruncateTable):
        sql, command = translate_truncate(translator, tree), "TRUNCATE TABLE"
    else:
        return None
    if translator.inlined and _keeps_expressions(tree):
        raise unsupported("views, column defaults, constraints and index expressions that call "
                          "user-defined functions (the function's body would be kept, not what CREATE OR "
                          "REPLACE makes it)")
    return Translation(sql, command, None, translator.param_types(), schema_change=True,
                       notices=tuple(translator.notices))


def _keeps_expressions(tree: exp.Expr) -> bool:
    """Whether the statement stores expressions that are evaluated later (a view's query, a default,
    a CHECK, an index's expressions), rather than evaluating them now (CREATE TABLE AS, ALTER
    COLUMN TYPE ... USING)."""
    if isinstance(tree, exp.Create):
        return tree.args.get("kind", "").upper() != "TABLE" or not isinstance(tree.expression, exp.Query)
    if isinstance(tree, exp.Alter):
        return not all(isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None
                       for action in tree.args.get("actions") or [])
    return False
