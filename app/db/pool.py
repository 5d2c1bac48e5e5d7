"""The asyncpg pool, its codecs, and the two ways repositories reach PostgreSQL.

``Database`` wraps the pool: every acquire has a timeout (running out of connections is a 503 with
Retry-After, never a hang), and ``transaction()`` gives one connection inside one transaction for use
cases of several statements. Repositories take either a ``Database`` or a connection, since both have
``fetchrow``/``fetch``/``fetchval``/``execute``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec

from app.config import Settings

_json_encode = msgspec.json.Encoder().encode
_json_decode = msgspec.json.Decoder().decode


def _encode_jsonb(value: Any) -> bytes:
    return b"\x01" + _json_encode(value)


def _decode_jsonb(data: bytes) -> Any:
    return _json_decode(data[1:])


async def init_connection(conn: asyncpg.Connection) -> None:
    """Run once per new connection: json and jsonb go through msgspec, in binary format."""
    await conn.set_type_codec(
        "jsonb", schema="pg_catalog", format="binary", encoder=_encode_jsonb, decoder=_decode_jsonb
    )
    await conn.set_type_codec(
        "json", schema="pg_catalog", format="text",
        encoder=lambda v: _json_encode(v).decode(), decoder=_json_decode,
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without the default reset query (a round trip per request).

    asyncpg still rolls back a transaction left open before calling this. The service never changes
    session state (SET, LISTEN, session advisory locks, cursors outside transactions), so there is
    nothing else to reset.
    """


async def create_pool(settings: Settings, dsn: str) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn,
        min_size=settings.pool_min_size,
        max_size=settings.pool_size,
        init=init_connection,
        reset=_keep_session,
        statement_cache_size=512,
        max_inactive_connection_lifetime=300.0,
        server_settings={
            "application_name": "pgapi",
            "statement_timeout": str(settings.statement_timeout_ms),
            "lock_timeout": str(settings.lock_timeout_ms),
            "idle_in_transaction_session_timeout": str(settings.idle_in_transaction_timeout_ms),
        },
    )


class Database:
    """The pool, with an acquire timeout on every use.

    The timeout is an ``asyncio.timeout`` around a plain ``pool.acquire()``: asyncpg's own
    ``acquire(timeout=...)`` wraps the wait in ``wait_for`` and ``shield`` (an extra task per
    request) and then applies the same timeout again to the release; measured on GET /tasks/{id},
    that was about 5% of the request's CPU time. Cancelling a plain acquire is safe: asyncpg puts
    the connection holder back when it is interrupted.
    """

    __slots__ = ("pool", "acquire_timeout")

    def __init__(self, pool: asyncpg.Pool, acquire_timeout: float):
        self.pool = pool
        self.acquire_timeout = acquire_timeout

    async def _acquire(self) -> asyncpg.Connection:
        """A pooled connection, waiting at most ``acquire_timeout`` for one (TimeoutError)."""
        async with asyncio.timeout(self.acquire_timeout):
            return await self.pool.acquire()

    # The four single-statement methods acquire and release inline rather than through
    # ``connection()``: a generator-based context manager costs more than the rest of the wrapper.
    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        conn = await self._acquire()
        try:
            return await conn.fetchrow(query, *args)
        finally:
            await self.pool.release(conn)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await self._acquire()
        try:
            return await conn.fetch(query, *args)
        finally:
            await self.pool.release(conn)

    async def fetchval(self, query: str, *args: Any) -> Any:
        conn = await self._acquire()
        try:
            return await conn.fetchval(query, *args)
        finally:
            await self.pool.release(conn)

    async def execute(self, query: str, *args: Any) -> str:
        conn = await self._acquire()
        try:
            return await conn.execute(query, *args)
        finally:
            await self.pool.release(conn)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        conn = await self._acquire()
        try:
            yield conn
        finally:
            await self.pool.release(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """One connection, one transaction: commit when the block ends, roll back on error."""
        async with self.connection() as conn:
            async with conn.transaction():
                yield conn
