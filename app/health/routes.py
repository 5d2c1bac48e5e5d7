"""Liveness and readiness probes."""

from __future__ import annotations

import logging
from typing import Literal

import asyncpg
import msgspec
from litestar import Controller, Response, get, head
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from app.db import migrations
from app.db.queries import sql
from app.db.repository import Context, Executor, Repository
from app.db.servers import Reads
from app.kit.lifecycle import draining

log = logging.getLogger("app.health")

_ready = sql("health/ready", "migrations")
READY_TIMEOUT = 1.0
DRAINING = "the service is draining before it stops"


PoolState = Literal["ok", "lagging", "down"]


class Health(msgspec.Struct, omit_defaults=True):
    status: Literal["ok", "ready", "unavailable"]
    detail: str | None = None  # why it is unavailable
    # Readiness: each pool's state ("primary", "replica-1", ...). Only the primary decides
    # readiness: while no replica is usable, reads go to the primary.
    pools: dict[str, PoolState] = msgspec.field(default_factory=dict)


class Readiness(Repository):
    """Whether this worker can serve: it has started and is not shutting down, no request met a
    fault of the database lately (``Database.recent_fault``), and a pooled connection answers
    within a second that it can write and that the schema has every migration this version of
    the code has (a newer schema, during a rolling deployment, is fine)."""

    __slots__ = ("_migrations",)

    def __init__(self, db: Executor, ctx: Context | None = None):
        super().__init__(db, ctx)
        self._migrations = migrations.expected()

    async def problem(self) -> str | None:
        """Why this worker cannot serve now, or None when it can."""
        database = self.ctx.database
        if database is None or not database.serving:
            return "the service is starting or shutting down"
        fault = database.recent_fault()
        if fault is not None:
            return fault
        try:
            async with database.connection() as conn:
                row = await conn.fetchrow(_ready.sql, *_ready.args({"migrations": self._migrations}),
                                          timeout=READY_TIMEOUT)
                assert row is not None
                if row["read_only"]:
                    # As a write would fail: the connection is closed (a new one may reach a
                    # writable server) and the fault remembered.
                    raise asyncpg.ReadOnlySQLTransactionError("the transaction is read-only")
        except Exception as exc:  # any failure to answer means "not ready"
            known = self.ctx.errors.translate(exc)
            if known is not None:
                return known.detail
            log.warning("the readiness check failed: %r", exc)
            return "the readiness check failed"
        if row["missing"]:
            return ("the database's schema lacks migrations this version of the service needs: "
                    f"{', '.join(row['missing'])} (python -m app migrate apply)")
        return DRAINING if draining.is_set() else None

    def replicas(self) -> dict[str, PoolState]:
        reads = self.ctx.reads
        return reads.states() if isinstance(reads, Reads) else {}  # type: ignore[return-value]


ReadinessCheck = NamedDependency[Readiness]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", operation_id="live")
    async def live(self) -> Health:
        """The process is up."""
        return Health(status="ok")

    @head("/live", operation_id="liveHead")
    async def live_head(self) -> None:
        """The process is up (as GET, without a body: probes often send HEAD)."""

    @get(
        "/ready",
        operation_id="ready",
        responses={503: ResponseSpec(data_container=Health, description="Not ready")},
    )
    async def ready(self, readiness: ReadinessCheck) -> Response[Health]:
        """200 when this worker can serve: a pooled connection answers within a second, it can
        write, the schema has every migration this version needs, and no request met a fault of
        the database (timed out, connection lost, read-only, prepared statements lost, schema not
        as expected) in the last ``APP_READY_HOLD_SECONDS``; 503 otherwise, saying why, and while
        the service is starting, draining or shutting down. Names each pool's state."""
        problem = await readiness.problem()
        pools: dict[str, PoolState] = {"primary": "ok" if problem in (None, DRAINING) else "down",
                                       **readiness.replicas()}
        if problem is None:
            return Response(Health(status="ready", pools=pools), status_code=200)
        return Response(Health(status="unavailable", detail=problem, pools=pools),
                        status_code=503)

    @head("/ready", operation_id="readyHead",
          responses={503: ResponseSpec(data_container=None, description="Not ready")})
    async def ready_head(self, readiness: ReadinessCheck) -> Response[None]:
        """As GET, without a body."""
        return Response(None, status_code=200 if await readiness.problem() is None else 503)
