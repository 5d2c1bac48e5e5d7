"""Prometheus metrics (prometheus-client), on ``GET /metrics``.

Litestar's Prometheus middleware counts requests and times them per route template, method and
status (``pgapi_requests_total``, ``pgapi_request_duration_seconds``,
``pgapi_requests_in_progress``, ``pgapi_requests_error_total``); this module adds each pool's
connections (``pgapi_db_pool_size``, ``pgapi_db_pool_in_use``, ``pgapi_db_pool_waiting``, by pool:
``primary``, ``replica-1``, ...) and driver errors by SQLSTATE class (``pgapi_db_errors_total``: ``23``, ``57``, ``08``, or
``connection`` and ``timeout`` for errors without one). With several workers, ``serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a directory the workers share, so every scrape, whichever worker
answers it, sums all of them (gauges: of the live workers).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

import asyncpg
from prometheus_client import Counter, Gauge, multiprocess

PREFIX = "pgapi"
POOL_INTERVAL = 1.0  # seconds between two updates of the pool gauges, in each worker

_errors = Counter(f"{PREFIX}_db_errors_total", "Database errors by SQLSTATE class", ["class"])
_pool = {
    what: Gauge(f"{PREFIX}_db_pool_{what}", help, ["pool"], multiprocess_mode="livesum")
    for what, help in (("size", "Connections open"),
                       ("in_use", "Connections running a statement"),
                       ("waiting", "Statements waiting for a connection"))
}


_CONNECTION = (asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError, OSError)


def database_error(exc: BaseException) -> None:
    """Count a driver's or connection's error (anything else is not the database's)."""
    if isinstance(exc, asyncpg.PostgresError):
        kind = (exc.sqlstate or "")[:2] or "unknown"
    elif isinstance(exc, TimeoutError):
        kind = "timeout"
    elif isinstance(exc, _CONNECTION):
        kind = "connection"
    else:
        return
    _errors.labels(kind).inc()


Usage = Callable[[], tuple[int, int, int]]


async def publish_pools(pools: Callable[[], dict[str, Usage]]) -> None:
    """Every POOL_INTERVAL, set the pool gauges from each pool's (open, in use, waiting)."""
    while True:
        for name, usage in pools().items():
            size, in_use, waiting = usage()
            _pool["size"].labels(name).set(size)
            _pool["in_use"].labels(name).set(in_use)
            _pool["waiting"].labels(name).set(waiting)
        await asyncio.sleep(POOL_INTERVAL)


def worker_stopped() -> None:
    """In multiprocess mode, leave this worker out of the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
