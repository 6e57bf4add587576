"""The smallest HTTP/1.1 client the etcd JSON gateway needs: POST a JSON body, read a JSON answer
(Content-Length or chunked), or read a stream of JSON messages (a watch).

One TCP connection per request (`Connection: close`): the gateway is on the same hosts as the
servers and a request is made every loop_wait at most, so a pool would buy nothing. Deadlines are
the caller's: `post_json` is awaited under `asyncio.wait_for`, and `stream_json` is only used where
a blocked read blocks nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

READ_LIMIT = 1 << 20


class HttpError(Exception):
    """A status other than 200, or an answer that is not HTTP/JSON; `status` is 0 for the latter."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


async def _open(address: str, path: str, body: dict[str, Any]) -> tuple[asyncio.StreamReader,
                                                                       asyncio.StreamWriter]:
    host, port = _split(address)
    reader, writer = await asyncio.open_connection(host, port, limit=READ_LIMIT)
    payload = json.dumps(body).encode()
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
    await writer.drain()
    return reader, writer


async def _headers(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status_line = (await reader.readline()).decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise HttpError(0, f"not an HTTP answer: {status_line[:80]!r}")
    headers: dict[str, str] = {}
    while (line := (await reader.readline()).decode("latin-1").strip()):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


async def _chunks(reader: asyncio.StreamReader, headers: dict[str, str]) -> AsyncIterator[bytes]:
    """The body's pieces as they arrive."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                return
            data = await reader.readexactly(size)
            await reader.readexactly(2)
            yield data
    elif "content-length" in headers:
        yield await reader.readexactly(int(headers["content-length"]))
    else:
        yield await reader.read()


def _decode(status: int, body: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(body) if body.strip() else {}
    except ValueError:
        raise HttpError(status, f"not JSON: {body[:120]!r}") from None
    if status != 200:
        message = answer.get("message") or answer.get("error") if isinstance(answer, dict) else None
        raise HttpError(status, str(message or body[:200]))
    if not isinstance(answer, dict):
        raise HttpError(status, f"expected a JSON object, got {body[:120]!r}")
    return answer


async def post_json(address: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST `body` to http://address/path; the JSON object answered (a streaming endpoint's first
    message). Raises OSError, asyncio.IncompleteReadError or HttpError."""
    reader, writer = await _open(address, path, body)
    try:
        status, headers = await _headers(reader)
        data = b""
        async for chunk in _chunks(reader, headers):
            data += chunk
            if headers.get("transfer-encoding", "").lower() == "chunked" and data.rstrip().endswith(b"}"):
                with contextlib.suppress(ValueError):
                    json.loads(data)
                    break
        return _decode(status, data)
    finally:
        writer.close()


async def stream_json(address: str, path: str, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """POST `body` and yield each JSON message of the streamed answer (one per line)."""
    reader, writer = await _open(address, path, body)
    try:
        status, headers = await _headers(reader)
        pending = b""
        async for chunk in _chunks(reader, headers):
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line.strip():
                    yield _decode(status, line)
        if pending.strip():
            yield _decode(status, pending)
    finally:
        writer.close()
