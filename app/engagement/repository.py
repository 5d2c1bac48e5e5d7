"""Engagement data access: reads only. Streaks, the XP ledger, user_stats and achievements are
written by the database itself, in the transaction of each rewarded write (the triggers and
functions of migrations/0050_engagement.sql); each read here is one statement."""

from __future__ import annotations

from app.config import USAGE_KINDS
from app.db.queries import sql
from app.engagement.models import (
    STREAK_KINDS,
    Achievement,
    Achievements,
    Stats,
    StreakRow,
    Streaks,
    Today,
    TodayRow,
)
from app.usage.repository import TierLimited

_streaks = sql("engagement/get_streaks", "user_id", "streak_kinds", row=StreakRow)
_stats = sql("engagement/get_stats", "user_id", row=Stats)
_achievements = sql("engagement/list_achievements", "user_id", row=Achievement)
_today = sql("engagement/get_today", "user_id", "streak_kinds", "usage_kinds", "limits",
             row=TodayRow)


class EngagementRepository(TierLimited):
    """Each read is None (or empty) when the account is gone or deactivated."""

    __slots__ = ()

    async def streaks(self, *, user_id: int) -> Streaks | None:
        rows = await self.all(_streaks, user_id=user_id, streak_kinds=list(STREAK_KINDS))
        if not rows:
            return None
        return Streaks(rows[0].today, [row.streak() for row in rows])

    async def stats(self, *, user_id: int) -> Stats | None:
        return await self.one(_stats, user_id=user_id)

    async def achievements(self, *, user_id: int) -> Achievements | None:
        rows = await self.all(_achievements, user_id=user_id)
        return Achievements(rows) if rows else None

    async def today(self, *, user_id: int) -> Today | None:
        row = await self.one(_today, user_id=user_id, streak_kinds=list(STREAK_KINDS),
                             usage_kinds=list(USAGE_KINDS), limits=self.limits)
        return None if row is None else row.today()
