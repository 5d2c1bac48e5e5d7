"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import Literal

import msgspec
from litestar import Controller, Response, get, head
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from app.db.queries import sql
from app.db.repository import Repository

_ping = sql("health/ping")
READY_TIMEOUT = 1.0


class Health(msgspec.Struct):
    status: Literal["ok", "ready", "unavailable"]


class Readiness(Repository):
    """Whether this worker can serve: it has started and is not shutting down, and a pooled
    connection answers."""

    __slots__ = ()

    async def ready(self) -> bool:
        if self.ctx.database is None or not self.ctx.database.serving:
            return False
        try:
            await asyncio.wait_for(self.value(_ping), READY_TIMEOUT)
        except Exception:  # any failure to answer means "not ready"
            return False
        return True


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
        """200 when a pooled connection answers within a second; 503 otherwise, and while the
        service is starting or shutting down."""
        if await readiness.ready():
            return Response(Health(status="ready"), status_code=200)
        return Response(Health(status="unavailable"), status_code=503)

    @head("/ready", operation_id="readyHead",
          responses={503: ResponseSpec(data_container=None, description="Not ready")})
    async def ready_head(self, readiness: ReadinessCheck) -> Response[None]:
        """As GET, without a body."""
        return Response(None, status_code=200 if await readiness.ready() else 503)
