"""XMLPARSE over text: `helios_xmlparse(kind, text)` is XMLPARSE (DOCUMENT | CONTENT text), the
text itself once `protocol.codecs.xml_documents.check` finds it well-formed (xml is stored as its
text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from heliosdb_lite.protocol.codecs.xml_documents import check

XMLPARSE = "helios_xmlparse"


def _xmlparse(kind: str, text: str | None) -> str | None:
    return None if text is None else check(text, document=kind == "document")


FUNCTIONS: dict[str, Callable[..., Any]] = {XMLPARSE: _xmlparse}
