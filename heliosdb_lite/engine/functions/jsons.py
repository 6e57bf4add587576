"""The JSON field operators -> ->> #> #>> over stored json/jsonb text, and jsonb's key tests
(? ?| ?&) and containment (@> <@).

Numbers keep their text (parsed as Decimal, never float). `->` and `#>` return JSON text (jsonb
normalised as jsonb_out prints it), `->>` and `#>>` return text: a string without its quotes,
JSON null as SQL NULL. A missing key or index, or a step into a scalar, gives NULL; so does a
path with a NULL element or of more than one dimension. An empty path gives the whole document.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from heliosdb_lite.engine.functions.json_processing import array_index, json_member, unquoted
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.protocol import codecs
from heliosdb_lite.protocol.codecs import oids


def _serialise(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append(", " if index else "")
            out.append(json.dumps(key, ensure_ascii=False) + ": ")
            _serialise(item, out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for index, item in enumerate(value):
            out.append(", " if index else "")
            _serialise(item, out)
        out.append("]")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif value is None:
        out.append("null")
    else:
        out.append(str(value))


def _step(value: Any, step: Any, along_path: bool) -> tuple[bool, Any]:
    if isinstance(value, dict) and isinstance(step, str):
        return step in value, value.get(step)
    index = array_index(step, along_path)
    if isinstance(value, list) and index is not None and -len(value) <= index < len(value):
        return True, value[index]
    return False, None


def json_get(document: str | None, oid: int, steps: list[Any], as_text: bool, *,
             along_path: bool = False) -> str | None:
    """The value at steps inside document, as json text or as text: a text step is an object's key
    (along a #> path also an array's index), an integer one an array's index (negative from the
    end). A json document's value is its exact text (the last member of a repeated key)."""
    if document is None or any(step is None for step in steps):
        return None
    if oid == t.JSON:
        return _json_text_get(document, steps, as_text, along_path)
    value: Any = json.loads(document, parse_float=Decimal)
    for step in steps:
        found, value = _step(value, step, along_path)
        if not found:
            return None
    if as_text:
        if value is None:
            return None
        if isinstance(value, str):
            return value
    out: list[str] = []
    _serialise(value, out)
    text = "".join(out)
    return codecs.normalize_jsonb(text) if oid == t.JSONB else text


def _json_text_get(document: str, steps: list[Any], as_text: bool, along_path: bool) -> str | None:
    text: str | None = document
    for step in steps:
        assert text is not None
        text = json_member(text, step if isinstance(step, int) else str(step), along_path)
        if text is None:
            return None
    assert text is not None
    return unquoted(text) if as_text else text


def path_steps(path: str) -> list[Any]:
    """The steps of a #> path given as a text[] literal ('{a,0,b}')."""
    return list(codecs.decode_text(oids.TEXT_ARRAY, path.encode()))


def json_get_path(document: str | None, oid: int, path: str | None, as_text: bool) -> str | None:
    """`document #> path` (as_text: `#>>`), path being a text[] in its stored text form."""
    if path is None:
        return None
    steps = path_steps(path)
    if any(isinstance(step, list) for step in steps):
        return None
    return json_get(document, oid, steps, as_text, along_path=True)


def _loaded(document: str) -> Any:
    """A stored jsonb value with its numbers as Decimal, so that 1.0 and 1 are the same number."""
    return json.loads(document, parse_float=Decimal, parse_int=Decimal)


def jsonb_has_keys(document: str | None, keys: str | None, operator: str) -> bool | None:
    """`document ? key`, `?|` (any of the keys of a stored text[]), `?&` (all of them): a key is there
    when it is a top-level key of an object, a string element of a top-level array, or the string
    itself. NULL elements of the keys are skipped, as PostgreSQL skips them."""
    if document is None or keys is None:
        return None
    value = _loaded(document)
    if isinstance(value, dict):
        present: Any = value
    elif isinstance(value, list):
        present = {item for item in value if isinstance(item, str)}
    else:
        present = {value} if isinstance(value, str) else set()
    if operator == "?":
        return keys in present
    found = [key in present for key in path_steps(keys) if key is not None]
    return all(found) if operator == "?&" else any(found)


def _same_scalar(left: Any, right: Any) -> bool:
    return type(left) is type(right) and left == right  # True is not the number 1


def _contains(container: Any, contained: Any) -> bool:
    if isinstance(container, dict):
        return isinstance(contained, dict) and all(
            key in container and _contains(container[key], item) for key, item in contained.items())
    if isinstance(container, list):
        if not isinstance(contained, list):
            return False
        return all(any(_contains(element, item) if isinstance(item, dict | list)
                       else _same_scalar(element, item) for element in container) for item in contained)
    return not isinstance(contained, dict | list) and _same_scalar(container, contained)


def jsonb_contains(container: str | None, contained: str | None) -> bool | None:
    """`container @> contained` as PostgreSQL's JsonbDeepContains decides it: an object holds every
    key of the other with a contained value, an array holds a contained element for every element
    of the other (order and repetition aside), scalars are equal; a top-level array also contains a
    scalar that is one of its elements."""
    if container is None or contained is None:
        return None
    outer, inner = _loaded(container), _loaded(contained)
    if isinstance(outer, list) and not isinstance(inner, dict | list):
        return any(_same_scalar(element, inner) for element in outer)
    return _contains(outer, inner)
