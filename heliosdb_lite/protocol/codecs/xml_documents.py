"""Codec for xml (142): a str, the text as given (PostgreSQL keeps the input, it does not rewrite it).

Input checks what PostgreSQL 15's xml_in checks with its default xmloption CONTENT: the text is
well-formed XML content (elements, character data, comments, processing instructions, CDATA, the
predefined and numeric character references, an XML declaration first) — 2200N `invalid XML content`
otherwise, with the parser's complaint as the detail (libxml2's wording differs). `check` also takes a
DOCUMENT (one root element; 2200M `invalid XML document`), as XMLPARSE (DOCUMENT ...) asks.
Output is xml_out's: an XML declaration saying no more than version 1.0 is left out (with one newline
after it), another is written again without its encoding. Binary: that output, as xml_send writes it.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from xml.parsers import expat

from heliosdb_lite.errors import INVALID_XML_CONTENT, INVALID_XML_DOCUMENT, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import decode_utf8

_DECLARATION = re.compile(r"<\?xml\s[^?]*\?>")
_DECLARED = re.compile(  # parse_xml_decl's: version, then an optional encoding and standalone
    r"""<\?xml\s+version\s*=\s*(["'])([^"']*)\1(?:\s+encoding\s*=\s*(["'])[^"']*\3)?"""
    r"""(?:\s+standalone\s*=\s*(["'])(yes|no)\4)?\s*\?>""")


def _parses(text: str) -> str | None:
    """None if expat reads `text` as a document, else its complaint."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(text, True)
    except expat.ExpatError as error:
        return f"line {error.lineno}: {expat.ErrorString(error.code)}"
    return None


def check(text: str, *, document: bool = False) -> str:
    """`text` if it is well-formed XML content (a document if `document`), else 2200N (2200M)."""
    if document:
        problem = _parses(text)
        if problem is not None:
            raise DatabaseError(INVALID_XML_DOCUMENT, "invalid XML document", detail=problem)
        return text
    declaration = _DECLARATION.match(text)
    body = text[declaration.end():] if declaration else text
    problem = _parses(f"{declaration.group() if declaration else ''}<helios-content>{body}</helios-content>")
    if problem is not None:
        raise DatabaseError(INVALID_XML_CONTENT, "invalid XML content", detail=problem)
    return text


def _text_in(data: bytes, tz: tzinfo) -> str:
    return check(decode_utf8(data))


def _output(value: str) -> str:
    declared = _DECLARED.match(value)
    if declared is None:
        return value
    version, standalone = declared.group(2), declared.group(5)
    rest = value[declared.end():]
    if version == "1.0" and standalone is None:
        return rest[1:] if rest.startswith("\n") else rest
    written = f' standalone="{standalone}"' if standalone else ""
    return f'<?xml version="{version}"{written}?>{rest}'


def _text_out(value: str, tz: tzinfo) -> bytes:
    return _output(value).encode()


def _binary_in(data: bytes) -> str:
    return check(decode_utf8(data))


def _binary_out(value: str) -> bytes:
    return _output(value).encode()


CODECS: dict[int, Codec] = {oids.XML: Codec(_text_out, _text_in, _binary_out, _binary_in)}
