"""What a codec is: four plain functions for one type OID, text and binary side by side.

Signatures (NULL never reaches a codec; the protocol sends length -1 itself):
- text_out(value, tz) -> bytes     PostgreSQL's output function (extra_float_digits >= 1; the
                                   DateStyle and IntervalStyle of the codec, see registry.codec_for)
- text_in(data, tz) -> value       PostgreSQL's input function
- binary_out(value) -> bytes       PostgreSQL's send function
- binary_in(data) -> value         PostgreSQL's receive function
`tz` is the session TimeZone; only timestamptz (and arrays of it) look at it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any, NamedTuple

TextOut = Callable[[Any, tzinfo], bytes]
TextIn = Callable[[bytes, tzinfo], Any]
BinaryOut = Callable[[Any], bytes]
BinaryIn = Callable[[bytes], Any]


class Codec(NamedTuple):
    """The four conversions of one type; fetch once per column, call per value."""

    text_out: TextOut
    text_in: TextIn
    binary_out: BinaryOut
    binary_in: BinaryIn
