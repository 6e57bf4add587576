"""`cached_for_short_text`: an LRU cache that only keeps results for short text arguments.

Caches keyed by SQL text or by values from the data pin their keys and results: a few thousand
entries of statements or values megabytes long would hold gigabytes (a sqlglot token or tree node
takes a few hundred bytes per token of the text). Calls with a longer text argument run uncached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

SHORT_TEXT_CHARS = 16 * 1024


def cached_for_short_text(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function of hashable positional arguments: cached (LRU, `maxsize` entries)
    unless a str argument is longer than SHORT_TEXT_CHARS."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            for arg in args:
                if type(arg) is str and len(arg) > SHORT_TEXT_CHARS:
                    return function(*args, **kwargs)
            return cached(*args, **kwargs)  # type: ignore[arg-type]  # P cannot say "hashable" as lru_cache asks

        return call

    return decorate
