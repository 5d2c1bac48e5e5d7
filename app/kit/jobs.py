"""Housekeeping every worker of the service runs in the background: deleting rows that no longer
mean anything (expired idempotency keys, login failures outside their window, login addresses no
longer trusted), at startup and then every ``PRUNE_INTERVAL_SECONDS``; each domain's module names
its pruners. Each pruner deletes in
batches with ``SKIP LOCKED``, so workers pruning at once do not wait on each other."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from app.db.queries import Query
from app.db.repository import Repository
from app.kit.errors import AppError

log = logging.getLogger("app.kit.jobs")

PRUNE_INTERVAL_SECONDS = 3600.0
PRUNE_BATCH = 1000

Pruner = Callable[[], Awaitable[int]]


async def prune_periodically(pruners: Mapping[str, Pruner],
                             interval: float = PRUNE_INTERVAL_SECONDS) -> None:
    """Run every pruner (what it deletes -> a call returning how many rows went) now and then
    every ``interval`` seconds until cancelled; a failure (the database away) is logged and tried
    again next time."""
    while True:
        for what, prune in pruners.items():
            try:
                deleted = await prune()
                if deleted:
                    log.info("pruned %d %s", deleted, what)
            except AppError as exc:
                log.warning("pruning %s failed: %s", what, exc.detail)
            except Exception:  # a bug must not end the loop silently; log it and try again later
                log.exception("pruning %s failed", what)
        await asyncio.sleep(interval)


async def prune_in_batches(repo: Repository, query: Query[object], *, batch_size: int = PRUNE_BATCH,
                           **values: object) -> int:
    """Run a pruning statement (it deletes at most ``batch_size`` rows and returns how many it
    deleted) until a batch comes back short; how many rows went in all."""
    total = 0
    while True:
        deleted: int = await repo.value(query, batch_size=batch_size, **values)
        total += deleted
        if deleted < batch_size:
            return total
