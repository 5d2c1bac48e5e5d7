"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import Literal

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from app.db.queries import sql

_ping = sql("health/ping")
READY_TIMEOUT = 1.0


class Health(msgspec.Struct):
    status: Literal["ok", "ready", "unavailable"]


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
    async def ready(self, state: State) -> Response[Health]:
        """200 when a pooled connection answers within a second; 503 otherwise, and while the
        service is shutting down."""
        if not state.accepting:
            return Response(Health(status="unavailable"), status_code=503)
        try:
            await asyncio.wait_for(state.db.fetchval(_ping.sql), READY_TIMEOUT)
        except Exception:  # any failure to answer means "not ready"
            return Response(Health(status="unavailable"), status_code=503)
        return Response(Health(status="ready"), status_code=200)
