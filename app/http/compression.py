"""Response compression: brotli when the client accepts it, else gzip, for bodies of at least
``minimum_size`` bytes.

Litestar's own CompressionMiddleware builds a compressor (and parses the request's headers) for
every request whose client accepts an encoding, before it knows the body's size: measured in CPU
time on ``GET /health/live`` through the whole app, it took a request from 76 to 111 us (median
of 20 runs of 2,000), where this one takes it to 89 and a middleware that does nothing to 85. This
one compresses only a body it has decided to compress, in one call, and leaves everything else as
it was: a small body, a body already encoded, one sent in several parts (the service sends none),
and responses to clients that accept neither encoding.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import brotli
from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import (
        ASGIApp,
        HTTPResponseStartEvent,
        Message,
        Receive,
        Scope,
        Send,
    )

_BROTLI_QUALITY = 5  # Litestar's default for brotli: a body is compressed on each request
_GZIP_LEVEL = 6  # zlib's default (Litestar's, 9, costs more time for little)


def accepted_encoding(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """``b"br"``, ``b"gzip"`` or None, from the request's Accept-Encoding."""
    value = b",".join(v for k, v in headers if k.lower() == b"accept-encoding")
    return _preferred(value) if value else None


@lru_cache(maxsize=256)  # clients send a handful of distinct values, again and again
def _preferred(value: bytes) -> bytes | None:
    """RFC 9110, 12.5.3: a coding with ``q=0`` is refused, ``*`` stands for any other."""
    allowed: dict[bytes, bool] = {}
    for item in value.lower().split(b","):
        name, _, params = item.partition(b";")
        q = 1.0
        for param in params.split(b";"):
            key, _, number = param.strip().partition(b"=")
            if key == b"q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        allowed[name.strip()] = q > 0
    for coding in (b"br", b"gzip"):
        if allowed.get(coding, allowed.get(b"*", False)):
            return coding
    return None


def _compress(body: bytes, coding: bytes) -> bytes:
    if coding == b"br":
        return cast(bytes, brotli.compress(body, quality=_BROTLI_QUALITY))
    return gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)


def _compressed_headers(headers: list[tuple[bytes, bytes]], coding: bytes, length: int
                        ) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"vary")]
    vary = [v for k, v in headers if k.lower() == b"vary"]
    return [*kept, (b"content-encoding", coding), (b"content-length", str(length).encode()),
            (b"vary", b", ".join([*vary, b"Accept-Encoding"]))]


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        coding = accepted_encoding(scope["headers"]) if scope["type"] == ScopeType.HTTP else None
        if coding is None:
            await self.app(scope, receive, send)
            return
        start: HTTPResponseStartEvent | None = None
        decided = False

        async def compressing(message: Message) -> None:
            nonlocal start, decided
            if decided:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                return
            decided = True
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body = message["body"]
            headers = list(start.get("headers", ()))
            if (message.get("more_body") or len(body) < self.minimum_size
                    or any(k.lower() == b"content-encoding" for k, _ in headers)):
                await send(start)
                await send(message)
                return
            compressed = _compress(body, coding)
            start["headers"] = _compressed_headers(headers, coding, len(compressed))
            await send(start)
            message["body"] = compressed
            await send(message)

        await self.app(scope, receive, compressing)
