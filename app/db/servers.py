"""The servers behind the service: the primary, which takes every write and every read that must
see the caller's own writes, and the replicas (``APP_READ_DATABASE_URL``), which answer reads that
may lag.

A query declared with ``replica=True`` (a list, a search, stats, ``GET`` of one row) runs through
``Reads``: on a usable replica, in turn, unless the request is pinned to the primary (a write, or a
read by a client that wrote within ``APP_READ_YOUR_WRITES_SECONDS``: ``app.http.consistency``), and
on the primary when no replica is usable. A replica is usable while it answers and replays within
``APP_READ_MAX_LAG_SECONDS`` of what it received; each worker checks every second. A read that
fails on a replica for a reason of the server's (unreachable, connection lost, shutting down, a
conflict with its replay) sets the replica aside until the next check finds it well, and runs
again on the primary: reads are safe to repeat. One that gets no answer in time sets it aside
too, but is not run again: the caller would wait twice its bound. Everything else (writes, transactions, conditional writes and the version
lookups behind their 412, idempotency keys, logins) runs on the primary only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg

from app.config import Settings
from app.db.pool import Database, Reading, create_pool, session_settings
from app.db.queries import sql

log = logging.getLogger("app.db")

_session_settings = sql("health/session_settings")
_replica_lag = sql("health/replica_lag")
QUERIES = (_session_settings, _replica_lag)

CHECK_INTERVAL = 1.0  # seconds between two checks of each replica, in each worker
CHECK_TIMEOUT = 1.0

# True while the current request must read from the primary.
_pinned: ContextVar[bool] = ContextVar("pgapi_pinned_to_primary", default=False)


@contextmanager
def pinned_to_primary() -> Iterator[None]:
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class SessionSettingsMissing(Exception):
    """APP_SESSION_SETTINGS=check, and a timeout in force is not the configured one."""


async def check_session_settings(pool: asyncpg.Pool, settings: Settings) -> None:
    """With APP_SESSION_SETTINGS=check: raise SessionSettingsMissing unless every timeout in
    force on the pool's connections is the configured one."""
    if settings.session_settings != "check":
        return
    wanted = session_settings(settings)
    found = {name: value for name, value in await pool.fetch(_session_settings.sql)}
    wrong = [name for name, value in wanted.items() if found.get(name) != value]
    if wrong:
        raise SessionSettingsMissing(
            "APP_SESSION_SETTINGS=check, but " + ", ".join(
                f"{name} is {found.get(name)!r}, not {wanted[name]!r}" for name in wrong)
            + ": set them on the service's login role, one statement each: "
            + "; ".join(f"ALTER ROLE <role> SET {name} = '{wanted[name]}'" for name in wrong))


def _replica_failed(exc: BaseException) -> bool:
    """Whether ``exc`` says the replica cannot answer now (unreachable, connection lost, shutting
    down, a conflict with the replay it runs), so the read may run again on the primary."""
    if isinstance(exc, asyncpg.PostgresError):
        state = exc.sqlstate or ""
        return state.startswith("08") or state in ("57P01", "57P02", "57P03", "40001")
    return isinstance(exc, (asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError,
                            OSError))


class Replica:
    """One replica: its pool (opened by the first check that reaches it) and whether reads may
    go to it now."""

    __slots__ = ("name", "dsn", "db", "usable", "state", "pool")

    def __init__(self, name: str, dsn: str, acquire_timeout: float, timeout: float):
        self.name, self.dsn = name, dsn
        # No fault_hold: a replica that fails is set aside (reads go to the primary); it does
        # not make the worker unready.
        self.db = Database(None, acquire_timeout, timeout=timeout)
        self.pool: asyncpg.Pool | None = None
        self.usable = False
        self.state = "down"  # ok | lagging | down

    def set_aside(self, exc: BaseException) -> None:
        if self.usable:
            log.warning("replica %s set aside, reads go to the primary: %r", self.name, exc)
        self.usable, self.state = False, "down"


class Reads(Reading):
    """Where reads that may lag run: a usable replica in turn, else the primary. Same methods as
    ``Database`` for reads."""

    __slots__ = ("primary", "replicas", "_turn", "_settings", "_checker")

    def __init__(self, primary: Database, settings: Settings):
        self.primary = primary
        self._settings = settings
        self.replicas = [Replica(f"replica-{n}", url, settings.pool_acquire_timeout,
                                 settings.database_timeout)
                         for n, url in enumerate(settings.read_database_urls, 1)]
        self._turn = 0
        self._checker: asyncio.Task[None] | None = None

    def _pick(self) -> Replica | None:
        if _pinned.get():
            return None
        replicas = self.replicas
        for _ in range(len(replicas)):
            self._turn = (self._turn + 1) % len(replicas)
            replica = replicas[self._turn]
            if replica.usable:
                return replica
        return None

    async def _run(self, method: str, query: str, args: tuple[Any, ...]) -> Any:
        replica = self._pick()
        if replica is not None:
            try:
                return await getattr(replica.db, method)(query, *args)
            except TimeoutError as exc:  # no answer in time: not again, and not from it for now
                replica.set_aside(exc)
                raise
            except Exception as exc:
                if not _replica_failed(exc):
                    raise  # the read itself failed: it would on the primary too
                replica.set_aside(exc)
        return await getattr(self.primary, method)(query, *args)

    def transaction(self) -> Any:
        """A read-only use case of several statements (a search after SET LOCAL), on a usable
        replica or the primary; it does not fall back once it has begun."""
        replica = self._pick()
        return (self.primary if replica is None else replica.db).transaction()

    # Checks: each worker, every second.

    async def start(self) -> None:
        if self.replicas:
            await self.check()
            self._checker = asyncio.create_task(self._check_periodically())

    async def _check_periodically(self) -> None:
        while True:
            await asyncio.sleep(CHECK_INTERVAL)
            await self.check()

    async def check(self) -> None:
        await asyncio.gather(*(self._check(r) for r in self.replicas))

    async def _check(self, replica: Replica) -> None:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT * 3):
                if replica.pool is None:
                    replica.pool = await create_pool(self._settings, replica.dsn, min_size=0)
                    await check_session_settings(replica.pool, self._settings)
                    replica.db.attach(replica.pool)
                    replica.db.serving = True
            async with asyncio.timeout(CHECK_TIMEOUT):
                row = await replica.db.fetchrow(_replica_lag.sql)
        except Exception as exc:  # unreachable, refusing, too slow: reads go elsewhere
            replica.set_aside(exc)
            return
        assert row is not None
        lagging = row["lag_seconds"] > self._settings.read_max_lag_seconds
        if lagging and replica.usable:
            log.warning("replica %s is %.1f s behind, reads go elsewhere", replica.name,
                        row["lag_seconds"])
        if not lagging and not replica.usable:
            log.info("replica %s takes reads", replica.name)
        replica.usable = not lagging
        replica.state = "lagging" if lagging else "ok"

    def states(self) -> dict[str, str]:
        return {r.name: r.state for r in self.replicas}

    async def close(self) -> None:
        if self._checker is not None:
            self._checker.cancel()
        for replica in self.replicas:
            replica.usable = False
            replica.db.serving = False
            if replica.pool is not None:
                await replica.db.close()
                await replica.pool.close()

