"""DDL statements parsed by sqlglot (CREATE, DROP, ALTER, TRUNCATE) to their translation: CREATE by
`ddl`, DROP and TRUNCATE by `drop_ddl`, ALTER by `alter_ddl`. Schema and sequence statements,
read word by word, are `schema_ddl`'s and `sequence_ddl`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from . import alter_ddl
from .ddl import translate_create
from .drop_ddl import translate_drop, translate_truncate
from .translation import Translation

if TYPE_CHECKING:
    from .translate import Translator

STATEMENTS = (exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)


def translate(translator: Translator, tree: exp.Expression) -> Translation | None:
    """The translation of a DDL statement; None for a statement that is not one."""
    if isinstance(tree, exp.Command):  # ALTER TABLE ... ADD CHECK (...): sqlglot needs a name there
        named = alter_ddl.with_unnamed_check_named(translator.text)
        if named is None:
            return None
        tree = named
    if isinstance(tree, exp.Create):
        sql, command = translate_create(translator, tree)
    elif isinstance(tree, exp.Drop):
        sql, command = translate_drop(translator, tree)
    elif isinstance(tree, exp.Alter):
        sql, command = alter_ddl.translate_alter(translator, tree)
    elif isinstance(tree, exp.TruncateTable):
        sql, command = translate_truncate(translator, tree), "TRUNCATE TABLE"
    else:
        return None
    return Translation(sql, command, None, translator.param_types(), schema_change=True,
                       notices=tuple(translator.notices))
