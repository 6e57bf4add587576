"""DateStyle and IntervalStyle as the text codecs see them: `TextStyle`.

A session's DateStyle setting (`ISO, MDY`, `SQL, DMY`, `Postgres, YMD`, `German, DMY`: output
format, then field order) and IntervalStyle (`postgres`, `postgres_verbose`, `sql_standard`,
`iso_8601`) decide the text of date, timestamp, timestamptz and interval values and how ambiguous
input such as `01/02/03` or `-1 2:03:04` is read. The settings module validates and normalises the
setting text; `text_style` turns the normalised text into the `TextStyle` the codecs take.
`DEFAULT_STYLE` (ISO, MDY, postgres) is PostgreSQL's default and the form values are stored in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

ISO, SQL, POSTGRES, GERMAN = "ISO", "SQL", "Postgres", "German"
DATE_FORMATS = (ISO, SQL, POSTGRES, GERMAN)
MDY, DMY, YMD = "MDY", "DMY", "YMD"
DATE_ORDERS = (MDY, DMY, YMD)
INTERVAL_POSTGRES = "postgres"
INTERVAL_VERBOSE = "postgres_verbose"
INTERVAL_SQL_STANDARD = "sql_standard"
INTERVAL_ISO_8601 = "iso_8601"
INTERVAL_STYLES = (INTERVAL_POSTGRES, INTERVAL_VERBOSE, INTERVAL_SQL_STANDARD, INTERVAL_ISO_8601)


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How date/time and interval values are written and how ambiguous input is read."""

    date_format: str = ISO
    date_order: str = MDY
    interval_style: str = INTERVAL_POSTGRES


DEFAULT_STYLE = TextStyle()


@lru_cache(maxsize=64)
def text_style(date_style: str, interval_style: str) -> TextStyle:
    """The TextStyle of a normalised DateStyle (`SQL, DMY`) and IntervalStyle (`iso_8601`)."""
    date_format, _, date_order = date_style.partition(", ")
    style = TextStyle(date_format, date_order, interval_style)
    assert date_format in DATE_FORMATS and date_order in DATE_ORDERS and interval_style in INTERVAL_STYLES, \
        style
    return DEFAULT_STYLE if style == DEFAULT_STYLE else style
