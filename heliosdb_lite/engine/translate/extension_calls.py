"""Calls of the functions installed extensions provide (`engine/extensions`): which one a call
resolves to, as PostgreSQL's overload resolution picks it among the extension's functions of that
name, and its SQL (`ExtensionFunction`: a registered implementation, a translation, or a cast).

A candidate takes each argument of its parameter's type, an untyped literal or parameter, or one
of a type that converts implicitly; the one with the most exact arguments wins, then the one that
reads literals as string types. A function of a built-in's name (strpos) is a candidate only when
an argument is of an extension's type: `strpos(citext, 'x')` is citext's, `strpos(citext, text)`
and `strpos('a', 'b')` are text's. None when no candidate fits: the built-in function answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from heliosdb_lite.engine import extensions
from heliosdb_lite.engine.extensions.definitions import Extension, ExtensionFunction
from heliosdb_lite.engine.store import extensions as store_extensions
from heliosdb_lite.engine.store import schemas, user_types
from heliosdb_lite.engine.translate.nodes import call
from heliosdb_lite.engine.translate.result import Typed
from heliosdb_lite.engine.types import cast_contexts
from heliosdb_lite.engine.types.pgtypes import PgType
from heliosdb_lite.protocol import codecs

if TYPE_CHECKING:
    from heliosdb_lite.engine.translate import Translator

_STRING_CATEGORY = "S"


def handles(name: str) -> bool:
    return name in extensions.FUNCTION_NAMES


def call_of(translator: Translator, name: str, typed: list[Typed]) -> Typed | None:
    """The call of the installed extensions' function `name` these arguments resolve to; None if
    none of them fits."""
    own_argument = any(user_types.extension_type(pg_type.oid) is not None for _, pg_type in typed)
    best: tuple[tuple[int, int], ExtensionFunction, list[PgType]] | None = None
    for extension, function in extensions.functions_named(name):
        runs = function.implementation is not None or function.translate is not None or function.is_cast
        if not runs:
            continue  # one listed only: a rule of its own translates it (hstore's)
        if len(function.arguments) != len(typed) or (function.overloads_builtin and not own_argument):
            continue
        parameters = _parameter_types(translator, extension, function)
        score = None if parameters is None else _score(typed, parameters)
        if score is not None and parameters is not None and (best is None or score > best[0]):
            best = score, function, parameters
    if best is None:
        return None
    _, function, parameters = best
    result = PgType(_type_oid(translator, extensions.KNOWN[_extension_name(function)], function.result) or 0)
    if function.is_cast:
        (value, pg_type), = typed
        return translator.coerce(value, pg_type, result, mode="explicit"), result
    values = [translator.coerce(value, pg_type, parameter)
              for (value, pg_type), parameter in zip(typed, parameters, strict=True)]
    if function.translate is not None:
        return function.translate(values), result
    return call(function.sql_name, *values), result


def _extension_name(function: ExtensionFunction) -> str:
    return next(extension.name for extension in extensions.KNOWN.values() if function in extension.functions)


def _score(typed: list[Typed], parameters: list[PgType]) -> tuple[int, int] | None:
    """(exact arguments, literals read as a string type) of a candidate; None if it does not fit."""
    exact = strings = 0
    for (_, pg_type), parameter in zip(typed, parameters, strict=True):
        if pg_type.oid == parameter.oid:
            exact += 1
        elif pg_type.is_unknown:
            strings += cast_contexts.category(parameter.oid) == _STRING_CATEGORY
        elif not cast_contexts.can_coerce(pg_type, parameter, cast_contexts.Context.IMPLICIT):
            return None
    return exact, strings


def _parameter_types(translator: Translator, extension: Extension,
                     function: ExtensionFunction) -> list[PgType] | None:
    """The function's parameter types in this database; None when its extension is not installed."""
    oids = [_type_oid(translator, extension, name) for name in function.arguments]
    return None if None in oids else [PgType(oid or 0) for oid in oids]


def _type_oid(translator: Translator, extension: Extension, name: str) -> int | None:
    """The OID of a type an extension's function names: one of the extension's, as installed here
    (None when it is not installed), or a built-in one."""
    if all(defined.name != name for defined in extension.types):
        return codecs.type_by_name(name).oid
    connection = translator.catalog.connection
    installed = store_extensions.installed(connection).get(extension.name)
    if installed is None:
        return None
    found = user_types.find(connection, schemas.storage_name(installed.schema, name))
    return None if found is None else found.oid
