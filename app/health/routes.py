"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import Literal

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from app.db.queries import sql
from app.db.repository import Repository
from app.db.servers import Reads
from app.kit.lifecycle import draining

_ping = sql("health/ping")
READY_TIMEOUT = 1.0


PoolState = Literal["ok", "lagging", "down"]


class Health(msgspec.Struct, omit_defaults=True):
    status: Literal["ok", "ready", "unavailable"]
    # Readiness: each pool's state ("primary", "replica-1", ...). Only the primary decides
    # readiness: while no replica is usable, reads go to the primary.
    pools: dict[str, PoolState] = msgspec.field(default_factory=dict)


class Readiness(Repository):
    """Whether this worker can serve: it has started and is not shutting down, and a pooled
    connection answers."""

    __slots__ = ()

    async def ready(self) -> tuple[bool, PoolState]:
        """Whether this worker may take requests, and the state of the primary's pool."""
        database = self.ctx.database
        if database is None or not database.serving:
            return False, "down"
        try:
            await asyncio.wait_for(self.value(_ping), READY_TIMEOUT)
        except Exception:  # any failure to answer means "not ready"
            return False, "down"
        return not draining.is_set(), "ok"

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

    @get(
        "/ready",
        operation_id="ready",
        responses={503: ResponseSpec(data_container=Health, description="Not ready")},
    )
    async def ready(self, readiness: ReadinessCheck) -> Response[Health]:
        """200 when a pooled connection of the primary answers within a second; 503 otherwise,
        and while the service is starting, draining or shutting down. Names each pool's
        state."""
        ready, primary = await readiness.ready()
        pools: dict[str, PoolState] = {"primary": primary, **readiness.replicas()}
        if ready:
            return Response(Health(status="ready", pools=pools), status_code=200)
        return Response(Health(status="unavailable", pools=pools), status_code=503)
