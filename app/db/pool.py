"""The asyncpg pool, its codecs, and the two ways repositories reach PostgreSQL.

``Database`` wraps the pool: every acquire has a timeout (running out of connections is a 503 with
Retry-After, never a hang), and ``transaction()`` gives one connection inside one transaction for use
cases of several statements. Repositories take either a ``Database`` or a connection, since both have
``fetchrow``/``fetch``/``fetchval``/``execute``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec

from app.config import Settings

log = logging.getLogger("app.db")

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
    """The pool, with an acquire timeout on every use, and releases that do not hold up the
    request.

    Two measured costs of asyncpg's pool on the hot path (GET /tasks/{id}, CPU per request):

    - ``acquire(timeout=...)`` wraps the wait in ``wait_for`` and ``shield`` (an extra task per
      request) and applies the timeout again to the release: about 5%. Here an ``asyncio.timeout``
      wraps a plain ``pool.acquire()`` instead; cancelling that is safe, asyncpg puts the connection
      holder back when it is interrupted.
    - ``await pool.release(conn)`` shields the release in a task of its own and suspends the
      request until that task has run, one more trip through the event loop for every request:
      about 7%. Here the release is started as a task and the request goes on with its response;
      the connection is back in the pool on the loop's next iteration, as it would have been. The
      tasks are referenced until they finish (asyncio keeps only weak references) and their errors
      are logged; ``pool.close()`` waits for every connection to be released, so shutdown still
      waits for them.
    """

    __slots__ = ("pool", "acquire_timeout", "_releasing")

    def __init__(self, pool: asyncpg.Pool, acquire_timeout: float):
        self.pool = pool
        self.acquire_timeout = acquire_timeout
        self._releasing: set[asyncio.Task] = set()

    async def _acquire(self) -> asyncpg.Connection:
        """A pooled connection, waiting at most ``acquire_timeout`` for one (TimeoutError)."""
        async with asyncio.timeout(self.acquire_timeout):
            return await self.pool.acquire()

    def _release(self, conn: asyncpg.Connection) -> None:
        task = asyncio.get_running_loop().create_task(self.pool.release(conn))
        self._releasing.add(task)
        task.add_done_callback(self._released)

    def _released(self, task: asyncio.Task) -> None:
        self._releasing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("releasing a connection failed: %r", task.exception())

    # The four single-statement methods acquire and release inline rather than through
    # ``connection()``: a generator-based context manager costs more than the rest of the wrapper.
    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        conn = await self._acquire()
        try:
            return await conn.fetchrow(query, *args)
        finally:
            self._release(conn)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await self._acquire()
        try:
            return await conn.fetch(query, *args)
        finally:
            self._release(conn)

    async def fetchval(self, query: str, *args: Any) -> Any:
        conn = await self._acquire()
        try:
            return await conn.fetchval(query, *args)
        finally:
            self._release(conn)

    async def execute(self, query: str, *args: Any) -> str:
        conn = await self._acquire()
        try:
            return await conn.execute(query, *args)
        finally:
            self._release(conn)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        conn = await self._acquire()
        try:
            yield conn
        finally:
            self._release(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """One connection, one transaction: commit when the block ends, roll back on error."""
        async with self.connection() as conn:
            async with conn.transaction():
                yield conn
