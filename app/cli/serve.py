"""``python -m app serve``: migrate once, then serve HTTP with uvicorn."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

import msgspec
import uvicorn

from app.cli.urls import migration_url, service_url
from app.config import Settings, ensure_jwt_secret
from app.db import migrations


def serve(args: argparse.Namespace, settings: Settings) -> int:
    overrides = {k: v for k in ("host", "port", "workers") if (v := getattr(args, k)) is not None}
    settings = msgspec.structs.replace(settings, **overrides)
    settings = ensure_jwt_secret(settings)
    owner = migration_url(settings)
    applied = migrations.apply(owner)
    logging.getLogger("app").info("migrations applied: %s", ", ".join(applied) or "none pending")
    url = service_url(settings, owner)
    # uvicorn re-raises SIGTERM once it has shut down gracefully; turning it into a normal exit
    # lets atexit stop the embedded PostgreSQL instead of leaving it running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Workers are separate processes that build the app from the environment.
    os.environ["DATABASE_URL"] = url
    os.environ["APP_JWT_SECRET"] = settings.jwt_secret or ""
    uvicorn.run(
        "app.server:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        access_log=settings.access_log,
        log_level=settings.log_level,
        timeout_graceful_shutdown=30,
    )
    return 0
