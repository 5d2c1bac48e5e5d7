"""Health probes, as the app wires them."""

from __future__ import annotations

from collections.abc import Mapping

from app.db import servers
from app.db.queries import queries_in
from app.health import routes
from app.health.routes import HealthController, Readiness
from app.kit.domain import Module, Setup


def _services(setup: Setup) -> Mapping[str, object]:
    return {"readiness": setup.repository(Readiness)}


module = Module(
    name="health",
    controllers=[HealthController],
    queries=(*queries_in(routes), *servers.QUERIES),
    services=_services,
)
