"""Engagement Structs: streaks, XP and level, achievements, and the home screen's today."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import msgspec

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


class Meals(msgspec.Struct):
    breakfast: float
    lunch: float
    dinner: float
    snack: float


class Targets(msgspec.Struct):
    """Today's targets: the profile's (as the day took them once it has entries); null without
    a profile."""

    calories: int | None
    protein_g: int | None
    carbs_g: int | None
    fat_g: int | None
    water_ml: int | None


class Level(msgspec.Struct):
    xp: int
    level: int
    xp_to_next_level: int


class Today(msgspec.Struct):
    """The home screen, from one statement. ``calories_burned`` counts the day's activities (0
    until the activity log exists); ``remaining_calories`` is the target, less what was eaten,
    plus what was burned (null without a profile)."""

    date: date
    time_zone: str
    targets: Targets
    calories: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fiber_g: float
    meals: Meals
    food_logs: int
    water_ml: int
    calories_burned: float
    remaining_calories: float | None
    streaks: list[Streak]
    stats: Level
    unread_notifications: int
    usage: list[Counter]


class TodayRow(msgspec.Struct):
    date: date
    time_zone: str
    target_calories: int | None
    target_protein_g: int | None
    target_carbs_g: int | None
    target_fat_g: int | None
    target_water_ml: int | None
    calories: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fiber_g: float
    breakfast_calories: float
    lunch_calories: float
    dinner_calories: float
    snack_calories: float
    food_logs: int
    water_ml: int
    calories_burned: float
    remaining_calories: float | None
    streaks: Any  # JSON arrays, decoded by today()
    xp: int
    level: int
    xp_to_next_level: int
    unread_notifications: int
    usage: Any

    def today(self) -> Today:
        return Today(
            self.date, self.time_zone,
            Targets(self.target_calories, self.target_protein_g, self.target_carbs_g,
                    self.target_fat_g, self.target_water_ml),
            self.calories, self.protein_g, self.carbs_g, self.fat_g, self.fiber_g,
            Meals(self.breakfast_calories, self.lunch_calories, self.dinner_calories,
                  self.snack_calories),
            self.food_logs, self.water_ml, self.calories_burned, self.remaining_calories,
            msgspec.convert(self.streaks, list[Streak]),
            Level(self.xp, self.level, self.xp_to_next_level), self.unread_notifications,
            msgspec.convert(self.usage, list[Counter]))
