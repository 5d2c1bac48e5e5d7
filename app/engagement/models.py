"""Engagement Structs: streaks, XP and level, achievements, and the home screen's today."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import msgspec

from app.nutrition.models import Day, DayRow
from app.usage.models import Counter

StreakKind = Literal["food_logging", "activity", "water_goal"]
STREAK_KINDS: tuple[StreakKind, ...] = ("food_logging", "activity", "water_goal")


class Streak(msgspec.Struct):
    """Consecutive local days of one kind: a day with a food log (food_logging), with an activity
    (activity), or whose water reached the day's target (water_goal). ``current_count`` is as of
    the user's local today (0 once its last day is before yesterday)."""

    kind: StreakKind
    current_count: int
    longest_count: int
    last_activity_date: date | None


class StreakRow(msgspec.Struct):
    kind: StreakKind
    current_count: int
    longest_count: int
    last_activity_date: date | None
    today: date

    def streak(self) -> Streak:
        return Streak(self.kind, self.current_count, self.longest_count, self.last_activity_date)


class Streaks(msgspec.Struct):
    date: date
    streaks: list[Streak]


class Stats(msgspec.Struct):
    """XP (the sum of the ledger), level L (reached at 100 x L x (L - 1) / 2 XP), the XP still
    needed for level L + 1, and the counts of the user's entries."""

    xp: int
    level: int
    xp_to_next_level: int
    total_meals_logged: int
    total_activities_logged: int
    total_recipes_generated: int
    total_weigh_ins: int


class Achievement(msgspec.Struct):
    """One of the catalogue: ``unlocked_at`` is null while locked; ``progress`` and ``target``
    are counts (null for one unlocked by an event, as reaching the goal weight)."""

    code: str
    title: str
    description: str
    xp: int
    unlocked_at: datetime | None
    progress: int | None
    target: int | None


class Achievements(msgspec.Struct):
    achievements: list[Achievement]


class Level(msgspec.Struct):
    xp: int
    level: int
    xp_to_next_level: int


class Today(msgspec.Struct):
    """The home screen, from one statement: the local today as /nutrition/days/{date} has it
    (totals, per meal, water, activities, targets), the calories burned by the day's activities,
    ``remaining_calories`` counting them (the target, less what was eaten, plus what was burned;
    null without a profile), the
    streaks, XP and level, the unread notifications and today's quota counters."""

    date: date
    time_zone: str
    day: Day
    calories_burned: float
    remaining_calories: float | None
    streaks: list[Streak]
    stats: Level
    unread_notifications: int
    usage: list[Counter]


class TodayRow(DayRow):
    """get_today's row: the day as get_day's, then the rest (streaks and counters as JSON)."""

    time_zone: str
    streaks: Any
    xp: int
    level: int
    xp_to_next_level: int
    unread_notifications: int
    usage: Any

    def today(self) -> Today:
        return Today(self.date, self.time_zone, self.day(), float(self.calories_burned),
                     self.remaining_calories, msgspec.convert(self.streaks, list[Streak]),
                     Level(self.xp, self.level, self.xp_to_next_level),
                     self.unread_notifications, msgspec.convert(self.usage, list[Counter]))
