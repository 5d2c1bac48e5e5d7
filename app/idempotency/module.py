"""Idempotency keys, as the app wires them: their statements, what their constraint means, and
the pruning of expired keys. Domains use ``app.idempotency.keys`` in their create routes."""

from __future__ import annotations

from collections.abc import Mapping

from app.db.queries import queries_in
from app.db.repository import Repository
from app.idempotency import keys
from app.kit.domain import Module, Pruner, Setup


def _jobs(setup: Setup) -> Mapping[str, Pruner]:
    db = setup.repository(Repository).db
    return {"expired idempotency keys": lambda: keys.prune_expired(db)}


module = Module(
    name="idempotency",
    queries=queries_in(keys),
    constraints=keys.CONSTRAINTS,
    jobs=_jobs,
)
