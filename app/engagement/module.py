"""The engagement domain (streaks, XP and levels, achievements, today), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.engagement import repository
from app.engagement.repository import EngagementRepository
from app.engagement.routes import EngagementController
from app.kit.domain import Module
from app.kit.errors import AccountGone

module = Module(
    name="engagement",
    controllers=[EngagementController],
    queries=queries_in(repository),
    # The triggers write these for an entry's write; an account deleted meanwhile: 401.
    constraints={name: AccountGone() for name in (
        "streak_days_user_fkey", "streaks_user_fkey", "streak_milestones_user_fkey",
        "xp_events_user_fkey", "user_stats_user_fkey", "user_achievements_user_fkey")},
    repositories={"engagement": EngagementRepository.of},
)
