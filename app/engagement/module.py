"""The engagement domain (streaks, XP and levels, achievements, today), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.engagement import repository
from app.engagement.repository import EngagementRepository
from app.engagement.routes import EngagementController
from app.kit.domain import Module

module = Module(
    name="engagement",
    controllers=[EngagementController],
    queries=queries_in(repository),
    repositories={"engagement": EngagementRepository.of},
)
