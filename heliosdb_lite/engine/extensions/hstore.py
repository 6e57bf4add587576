"""hstore 1.8: PostgreSQL's map of text keys to text values, as an extension description
(`definitions`). Its values and their text and binary forms are `protocol.codecs.hstore`'s, stored as
their output text; the type, its order (hstore_cmp: ORDER BY, DISTINCT, GROUP BY, UNIQUE) and its
casts (to json and jsonb, from text[], explicit) are `types.extension_types`'s. Its operators and
functions are translated by `translate.hstore` (the functions listed here are pg_proc's rows).
"""

from __future__ import annotations

from heliosdb_lite.engine.extensions.definitions import Extension, ExtensionFunction

NAME = "hstore"
# name -> its signatures: (parameter types, result type, the function of `functions.hstore` running it)
SIGNATURES: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]] = {
    "fetchval": ((("hstore", "text"), "text", "fetchval"),),
    "slice_array": ((("hstore", "text[]"), "text[]", "slice_array"),),
    "slice": ((("hstore", "text[]"), "hstore", "slice"),),
    "exist": ((("hstore", "text"), "bool", "exist"),),
    "isexists": ((("hstore", "text"), "bool", "exist"),),
    "exists_any": ((("hstore", "text[]"), "bool", "exists_any"),),
    "exists_all": ((("hstore", "text[]"), "bool", "exists_all"),),
    "defined": ((("hstore", "text"), "bool", "defined"),),
    "isdefined": ((("hstore", "text"), "bool", "defined"),),
    "delete": ((("hstore", "text"), "hstore", "delete"), (("hstore", "text[]"), "hstore", "delete_array"),
               (("hstore", "hstore"), "hstore", "delete_hstore")),
    "hs_concat": ((("hstore", "hstore"), "hstore", "hs_concat"),),
    "hs_contains": ((("hstore", "hstore"), "bool", "hs_contains"),),
    "hs_contained": ((("hstore", "hstore"), "bool", "hs_contained"),),
    "hstore": ((("text", "text"), "hstore", "hstore_from_text"),
               (("text[]", "text[]"), "hstore", "hstore_from_arrays"),
               (("text[]",), "hstore", "hstore_from_array")),
    "tconvert": ((("text", "text"), "hstore", "hstore_from_text"),),
    "akeys": ((("hstore",), "text[]", "akeys"),),
    "avals": ((("hstore",), "text[]", "avals"),),
    "hstore_to_array": ((("hstore",), "text[]", "hstore_to_array"),),
    "hstore_to_matrix": ((("hstore",), "text[]", "hstore_to_matrix"),),
    "hstore_to_json": ((("hstore",), "json", "hstore_to_json"),),
    "hstore_to_json_loose": ((("hstore",), "json", "hstore_to_json_loose"),),
    "hstore_to_jsonb": ((("hstore",), "jsonb", "hstore_to_jsonb"),),
    "hstore_to_jsonb_loose": ((("hstore",), "jsonb", "hstore_to_jsonb_loose"),),
}

EXTENSION = Extension(
    NAME, "1.8", "data type for storing sets of (key, value) pairs",
    functions=tuple(ExtensionFunction(name, parameters, result)
                    for name, signatures in SIGNATURES.items() for parameters, result, _ in signatures),
)
