"""XXH3-128 digests of what a client has been sent, to check that a replay reproduces it.

A `ResponseChecksum` is fed unambiguous encodings, one per response (the proxy feeds whole wire
frames: type byte, length, body), and counts them, so a replay can be compared over exactly the
prefix the client saw before the connection was lost.
"""

from __future__ import annotations

import xxhash


class ResponseChecksum:
    """A running digest over responses, and how many were fed."""

    __slots__ = ("_hash", "count")

    def __init__(self) -> None:
        self._hash = xxhash.xxh3_128()
        self.count = 0

    def update(self, encoded: bytes) -> None:
        self._hash.update(encoded)
        self.count += 1

    def update_frames(self, encoded: bytes, count: int) -> None:
        """`count` responses at once, their encodings one after the other in `encoded`."""
        self._hash.update(encoded)
        self.count += count

    def digest(self) -> bytes:
        return self._hash.digest()

    def reset(self) -> None:
        self._hash.reset()
        self.count = 0
