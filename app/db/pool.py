"""The asyncpg pool, its codecs, and the two ways repositories reach PostgreSQL.

``Database`` wraps the pool: every acquire has a timeout (running out of connections is a 503 with
Retry-After, never a hang), and ``transaction()`` gives one connection inside one transaction for use
cases of several statements. Repositories take either a ``Database`` or a connection, since both have
``fetchrow``/``fetch``/``fetchval``/``execute``.

Once it has a connection, a request waits on the database for at most ``APP_DATABASE_TIMEOUT``:
every statement has it as asyncpg's ``command_timeout`` (which holds when the server cannot even
cancel, frozen or behind a network black hole, where ``statement_timeout`` never fires), and a
transaction has it as a deadline for the whole of it, commit included. A connection that timed
out is closed, never used again. Connections over TCP send keepalives, so one whose server
vanished is found dead while it sits in the pool.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from app.config import Settings
from app.db.errors import NoFreeConnection, fault_of

log = logging.getLogger("app.db")

# A connection taken from asyncpg's pool (a proxy of the connection, which the pool may replace).
if TYPE_CHECKING:
    Pooled: TypeAlias = PoolConnectionProxy[asyncpg.Record]
else:
    Pooled = PoolConnectionProxy

_json_encode = msgspec.json.Encoder().encode
_json_decode = msgspec.json.Decoder().decode


def _encode_jsonb(value: Any) -> bytes:
    return b"\x01" + _json_encode(value)


def _decode_jsonb(data: bytes) -> Any:
    return _json_decode(data[1:])


# TCP keepalives: a connection whose server vanished without a word (a crashed host, a network black
# hole) is found dead after about a minute of silence (probes after 30 s idle, three 10 s apart),
# not after the system's default of over two hours. The options each platform has.
KEEPALIVE: dict[int, int] = {
    option: value
    for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3))
    if (option := getattr(socket, name, None)) is not None
}


def _keep_alive(conn: asyncpg.Connection) -> None:
    """Turn keepalives on for a connection over TCP. asyncpg has no option for it
    (MagicStack/asyncpg#606); its transport's socket takes the options."""
    sock = conn._transport.get_extra_info("socket")  # type: ignore[attr-defined]
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # a unix socket: nothing between us and the server to vanish
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in KEEPALIVE.items():
        sock.setsockopt(socket.IPPROTO_TCP, option, value)


async def init_connection(conn: asyncpg.Connection) -> None:
    """Run once per new connection: keepalives on, and json and jsonb go through msgspec, in
    binary format."""
    _keep_alive(conn)
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


# What the service's connections must have in force, by setting name.
def session_settings(settings: Settings) -> dict[str, str]:
    return {
        "statement_timeout": f"{settings.statement_timeout_ms}ms",
        "lock_timeout": f"{settings.lock_timeout_ms}ms",
        "idle_in_transaction_session_timeout": f"{settings.idle_in_transaction_timeout_ms}ms",
    }


async def create_pool(settings: Settings, dsn: str, *, min_size: int | None = None
                      ) -> asyncpg.Pool:
    """The pool of one server (the primary, or one replica).

    ``APP_SESSION_SETTINGS=send`` sends the timeouts as startup parameters of each connection (no
    round trip). A pooler in transaction mode cannot keep them (PgBouncer refuses them; a SET
    would stay on whichever server connection ran it), so with ``check`` they are set where every
    server connection gets them (``ALTER ROLE ... SET``) and the pool only checks, once, that they
    are in force (``app.db.servers``). ``APP_STATEMENT_CACHE_SIZE=0`` makes asyncpg use unnamed
    statements only, for poolers that do not keep prepared statements (PgBouncer before 1.21, or without
    ``max_prepared_statements``); asyncpg sends an unnamed statement's Parse and its Execute
    without a Sync between them, so one server connection runs both.
    """
    server_settings = {"application_name": "pgapi"}
    if settings.session_settings == "send":
        server_settings.update(session_settings(settings))
    return await asyncpg.create_pool(
        dsn,
        min_size=settings.pool_min_size if min_size is None else min_size,
        max_size=settings.pool_size,
        init=init_connection,
        reset=_keep_session,
        statement_cache_size=settings.statement_cache_size,
        max_inactive_connection_lifetime=300.0,
        command_timeout=settings.database_timeout,
        server_settings=server_settings,
    )


class Reading:
    """The read methods, over ``_run(method, query, args)``: shared by ``Database`` and the
    replicas' router (``app.db.servers.Reads``)."""

    __slots__ = ()

    async def _run(self, method: str, query: str, args: tuple[Any, ...]) -> Any:
        raise NotImplementedError

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self._run("fetchrow", query, args)
        return row

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._run("fetch", query, args)
        return rows

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._run("fetchval", query, args)


class Database(Reading):
    """Connections for requests, with a time limit on waiting for one and on using it.

    asyncpg's pool connects, initializes and replaces connections; going through its ``acquire``
    and ``release`` for every statement cost 17% of the CPU time of GET /tasks/{id} (py-spy, see
    BENCHMARKS.md): a timeout, a holder and proxy per acquire, and per release a shielded task and
    an inactivity timer. So the Database keeps the connections it has taken from the pool in a
    free list. A statement pops one (no await when one is free), takes a new one from the pool
    while fewer than the pool's size are out, or waits in line, for at most ``acquire_timeout``
    (then NoFreeConnection, which the API answers with 503). When the statement succeeded, the
    connection goes to the next in line or back on the free list: the same connection, in the
    state the statement left it, which for a statement that succeeded outside a transaction, or
    a transaction that ended, is as good as new (the service never changes session state). When
    anything went wrong (an error, a cancellation, a lost connection) it goes back to asyncpg's
    pool instead, in a task of its own: the pool rolls back, waits out a cancelled query, or
    replaces a broken connection, and the next statement takes a connection from the pool again.
    When the failure says the database cannot serve (``app.db.errors.fault_of``: it timed out,
    the connection broke, it is read-only, it lost a prepared statement, its schema is not the
    expected one), the connection is closed first, so the pool replaces it with a new one rather
    than cleaning it up (a frozen server would not even answer the cancellation), and the fault
    is remembered for ``fault_hold`` seconds: readiness fails meanwhile (``recent_fault``).
    ``close()`` gives every connection back before the pool closes.
    """

    __slots__ = ("pool", "acquire_timeout", "timeout", "fault_hold", "serving", "_free",
                 "_waiting", "_out", "_limit", "_releasing", "_fault", "_fault_until")

    pool: asyncpg.Pool

    def __init__(self, pool: asyncpg.Pool | None, acquire_timeout: float, *,
                 timeout: float | None = None, fault_hold: float = 0.0):
        """``timeout``: the deadline of a whole transaction (each statement has the pool's
        ``command_timeout``); ``fault_hold``: how long a fault is remembered."""
        self.acquire_timeout = acquire_timeout
        self.timeout = timeout
        self.fault_hold = fault_hold
        self.serving = False  # between the app's startup and the start of its shutdown
        self._free: list[Pooled] = []
        self._waiting: deque[asyncio.Future[Pooled | None]] = deque()
        self._out = 0  # connections taken from the pool and not given back
        self._releasing: set[asyncio.Task[None]] = set()
        self._limit = 0
        self._fault: str | None = None
        self._fault_until = 0.0  # time.monotonic()
        if pool is not None:
            self.attach(pool)

    def attach(self, pool: asyncpg.Pool) -> None:
        """Serve from ``pool`` (the app builds its Database before its lifespan opens the
        pool)."""
        self.pool = pool
        self._limit = pool.get_max_size()

    async def _acquire(self) -> Pooled:
        if self._free:
            return self._free.pop()
        try:
            async with asyncio.timeout(self.acquire_timeout):
                return await self._wait_for_connection()
        except TimeoutError:
            raise NoFreeConnection() from None

    async def _wait_for_connection(self) -> Pooled:
        while True:
            if self._free:
                return self._free.pop()
            if self._out < self._limit:
                self._out += 1
                try:
                    conn: Pooled = await self.pool.acquire()
                    return conn
                except BaseException:
                    self._out -= 1
                    raise
            waiter: asyncio.Future[Pooled | None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                handed = await waiter
            except BaseException:
                # Handed a connection (or a place in the pool) at the very moment the wait
                # ended: pass it on to the next in line.
                if waiter.done() and not waiter.cancelled():
                    given = waiter.result()
                    if given is None:
                        self._hand_on(None)
                    else:
                        self._reuse(given)
                raise
            if handed is not None:
                return handed
            # None: a connection went back to the pool, so there is room to take one.

    def usage(self) -> tuple[int, int, int]:
        """(connections open, in use by a statement, statements waiting for one)."""
        size = self.pool.get_size() if self._limit else 0
        return size, self._out - len(self._free), len(self._waiting)

    def _hand_on(self, conn: Pooled | None) -> bool:
        """Give the first one still waiting in line ``conn`` (None: room to take one from the
        pool); False when nobody waits."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def _reuse(self, conn: Pooled) -> None:
        """After success: to the next in line, else onto the free list."""
        if not self._hand_on(conn):
            self._free.append(conn)

    def _give_back(self, conn: Pooled) -> None:
        """After a failure: back to asyncpg's pool, which cleans it up or replaces it; the next
        in line may take a connection from the pool in its place."""
        self._out -= 1
        task = asyncio.get_running_loop().create_task(self.pool.release(conn))
        self._releasing.add(task)
        task.add_done_callback(self._released)
        self._hand_on(None)

    def _failed(self, conn: Pooled, exc: BaseException) -> None:
        """After ``exc``: when it is a fault of the database, close the connection (the pool
        replaces it) and remember the fault; give the connection back either way."""
        fault = fault_of(exc)
        if fault is not None:
            self._remember(fault)
            # A connection the server closed was released by asyncpg's pool already (it may
            # still have been on the free list), and then there is nothing left to close.
            with suppress(asyncpg.InterfaceError):
                conn.terminate()
        self._give_back(conn)

    def _remember(self, fault: str) -> None:
        now = time.monotonic()
        if self._fault_until <= now:
            log.warning("the database cannot serve: %s; /health/ready fails for %g s after the "
                        "last such failure", fault, self.fault_hold)
        self._fault, self._fault_until = fault, now + self.fault_hold

    def recent_fault(self) -> str | None:
        """The last fault of the database, if it was met less than ``fault_hold`` seconds ago."""
        return self._fault if time.monotonic() < self._fault_until else None

    def _released(self, task: asyncio.Task[None]) -> None:
        self._releasing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("releasing a connection failed: %r", task.exception())

    async def close(self) -> None:
        """Give every free connection back to the pool (call when no request is running)."""
        free, self._free = self._free, []
        for conn in free:
            self._out -= 1
            await self.pool.release(conn)
        if self._releasing:
            await asyncio.gather(*self._releasing, return_exceptions=True)

    # A statement on a connection of its own, without ``connection()``: a generator-based context
    # manager costs more than the rest of the wrapper.
    async def _run(self, method: str, query: str, args: tuple[Any, ...]) -> Any:
        conn = await self._acquire()
        try:
            result = await getattr(conn, method)(query, *args)
        except BaseException as exc:
            self._failed(conn, exc)
            raise
        self._reuse(conn)
        return result

    async def execute(self, query: str, *args: Any) -> str:
        status: str = await self._run("execute", query, args)
        return status

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Pooled]:
        conn = await self._acquire()
        try:
            yield conn
        except BaseException as exc:
            self._failed(conn, exc)
            raise
        if conn.is_in_transaction():  # left open by the caller: let the pool roll it back
            self._give_back(conn)
        else:
            self._reuse(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Pooled]:
        """One connection, one transaction: commit when the block ends, roll back on error. The
        whole of it, commit included, has ``timeout`` (then TimeoutError, and the connection is
        closed: the server rolls back what it had)."""
        async with self.connection() as conn:
            transaction = conn.transaction()
            async with asyncio.timeout(self.timeout) as deadline:
                await transaction.start()
                try:
                    yield conn
                except BaseException as exc:
                    # Not on a connection about to be closed: a rollback there waits once more.
                    if not deadline.expired() and fault_of(exc) is None:
                        await transaction.rollback()
                    raise
                await transaction.commit()
