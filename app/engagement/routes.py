"""Engagement over HTTP: /streaks, /stats, /achievements and /today."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from app.engagement.models import Achievements, Stats, Streaks, Today
from app.engagement.repository import EngagementRepository
from app.http.auth import UserController, UserId
from app.http.etag import found
from app.http.openapi import errors
from app.kit.errors import AccountGone

Engagement = NamedDependency[EngagementRepository]


class EngagementController(UserController):
    path = "/"
    tags = ["engagement"]

    @get("/streaks", operation_id="getStreaks", responses=errors(401))
    async def get_streaks(self, user_id: UserId, engagement: Engagement) -> Streaks:
        """The caller's streaks (food_logging, activity, water_goal) on their local dates, with
        current_count as of their local today: a streak whose last day is before yesterday
        reads 0. Kept by every write that adds or removes a day, backdated ones included."""
        return found(await engagement.streaks(user_id=user_id), AccountGone)

    @get("/stats", operation_id="getStats", responses=errors(401))
    async def get_stats(self, user_id: UserId, engagement: Engagement) -> Stats:
        """XP (food log 10, activity 15, weigh-in 5, recipe history entry 5, an achievement its
        own; a deleted entry takes its XP back), level L from 100 x L x (L - 1) / 2 XP, and the
        counts of the caller's entries."""
        return found(await engagement.stats(user_id=user_id), AccountGone)

    @get("/achievements", operation_id="listAchievements", responses=errors(401))
    async def list_achievements(self, user_id: UserId, engagement: Engagement
                                ) -> Achievements:
        """The catalogue, with unlocked_at (null while locked) and, where it counts something,
        progress towards target. Each unlocks at most once, in the write that earns it, with
        its XP and a notification."""
        return found(await engagement.achievements(user_id=user_id), AccountGone)

    @get("/today", operation_id="getToday", responses=errors(401))
    async def get_today(self, user_id: UserId, engagement: Engagement) -> Today:
        """The home screen in one statement: the local date, targets, today's totals per meal,
        water, calories burned (0 until activities are logged), remaining calories, streaks, XP
        and level, unread notifications and today's quota counters."""
        return found(await engagement.today(user_id=user_id), AccountGone)
