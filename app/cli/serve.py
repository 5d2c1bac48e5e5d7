"""``python -m app serve``: migrate once (unless told not to), then serve HTTP with uvicorn.

Stopping. On SIGTERM (or SIGINT) each worker turns readiness to 503 at once and goes on serving
for ``APP_DRAIN_SECONDS``, so that load balancers stop sending it requests; then it stops
accepting connections and gives the requests in flight up to ``APP_SHUTDOWN_TIMEOUT_SECONDS``
to finish. A second signal stops it without the drain.

Exit status: 0 after a stop, 3 when the app failed to start (in any worker: the others are then
stopped), 2 for bad settings.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import logging
import logging.config
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from types import FrameType
from typing import Any

import msgspec
import uvicorn
from litestar import Litestar
from uvicorn.supervisors import Multiprocess

from app.cli.urls import migration_url, service_url
from app.config import Settings, ensure_jwt_secret, load_settings
from app.db import migrations
from app.kit.lifecycle import draining
from app.kit.logs import log_config
from app.server import create_app

STARTUP_FAILURE = 3  # uvicorn's own status for an app that failed to start


def served_app() -> Litestar:
    """The uvicorn factory of ``serve``: the app (settings from the environment), draining on
    SIGTERM or SIGINT."""
    app = create_app(load_settings())
    app.on_startup.append(_drain_on_signals)
    return app


def _drain_on_signals(app: Litestar) -> None:
    """Once uvicorn's own signal handlers are in place (the app starts inside them): the first
    SIGTERM or SIGINT turns readiness to 503 and hands the signal to uvicorn APP_DRAIN_SECONDS
    later; a second one is handed over at once."""
    seconds = load_settings().drain_seconds
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        uvicorns = signal.getsignal(signum)
        if not callable(uvicorns):
            continue

        def drain(sig: int, frame: FrameType | None, stop: Callable[..., Any] = uvicorns) -> None:
            if draining.is_set() or seconds <= 0:
                draining.set()
                stop(sig, frame)
                return
            draining.set()
            logging.getLogger("app").info("draining for %s s before stopping", seconds)
            loop.call_soon_threadsafe(loop.call_later, seconds, stop, sig, None)

        signal.signal(signum, drain)


def _metrics_directory(settings: Settings) -> None:
    """Several workers share their Prometheus metrics through files in PROMETHEUS_MULTIPROC_DIR
    (prometheus-client's multiprocess mode): a new empty directory, unless one is given, which
    is emptied (the metrics of a previous run would add up with this one's)."""
    if not settings.metrics or settings.workers == 1:
        return
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        shutil.rmtree(given, ignore_errors=True)
        os.makedirs(given, exist_ok=True)
        return
    path = tempfile.mkdtemp(prefix="pgapi-metrics-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path


def serve(args: argparse.Namespace, settings: Settings) -> int:
    overrides = {k: v for k in ("host", "port", "workers") if (v := getattr(args, k)) is not None}
    if args.no_migrate:
        overrides["migrate_on_start"] = False
    settings = msgspec.structs.replace(settings, **overrides)
    settings = ensure_jwt_secret(settings)
    logging.config.dictConfig(log_config(settings))
    if settings.migrate_on_start or settings.embedded:
        owner = migration_url(settings)  # (starts the embedded server)
        if settings.migrate_on_start:
            applied = migrations.apply(owner)
            logging.getLogger("app").info("migrations applied: %s",
                                          ", ".join(applied) or "none pending")
        url = service_url(settings, owner)
    else:  # the service holds only its own role's URL
        assert settings.database_url is not None
        url = settings.database_url
    # uvicorn re-raises SIGTERM once it has shut down gracefully; turning it into a normal exit
    # lets atexit stop the embedded PostgreSQL instead of leaving it running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Workers are separate processes that build the app from the environment.
    os.environ["DATABASE_URL"] = url
    os.environ["APP_JWT_SECRET"] = settings.jwt_secret or ""
    _metrics_directory(settings)
    config = uvicorn.Config(
        "app.cli.serve:served_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        access_log=settings.access_log,
        log_config=log_config(settings),
        log_level=settings.log_level,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds),
        # What uvicorn bounds itself (the proxy in front bounds the rest: README, Running in
        # production): connections at once per worker (more are answered 503), and how long an
        # idle keep-alive connection stays open.
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=settings.keep_alive_seconds,
        # A worker that does not answer the supervisor's ping for this long is killed as hung
        # and replaced; uvicorn's 5 s is shorter than a start on a busy machine takes.
        timeout_worker_healthcheck=30,
    )
    if settings.workers == 1:
        server = uvicorn.Server(config)
        server.run()
        return 0 if server.started else STARTUP_FAILURE
    # uvicorn.run's own supervisor, kept here to read its workers' exit statuses: uvicorn.run
    # returns normally when a worker failed to start and it stopped the others.
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    failed = any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)
    return STARTUP_FAILURE if failed else 0
