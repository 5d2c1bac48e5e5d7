"""Goal Structs: what a client sends (POST, PATCH) and the goal it gets back, with its progress
as computed when read (sql/goals/get_goals.sql)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from app.http.validation import invalid

GoalType = Literal["weight_kg", "calories_max", "protein_min_g", "water_min_ml", "active_minutes",
                   "steps", "meals_logged"]
Period = Literal["daily", "weekly", "monthly", "once"]
Direction = Literal["down", "up"]
Target = Annotated[float, msgspec.Meta(
    gt=0, le=10_000_000, description="kg for weight_kg (25-400), kcal per day for calories_max "
    "(500-10000), else the amount per period (1-10000000); kept to 0.1.")]
GoalDate = Annotated[date, msgspec.Meta(description="A local date of the user, 1900-2999.")]

# The bounds of target_value by goal type (goals_target_range).
TARGET_RANGES: dict[str, tuple[float, float]] = {"weight_kg": (25, 400),
                                                 "calories_max": (500, 10000)}
OTHER_TARGETS = (1, 10_000_000)
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def _check_dates(starts_on: date | None | UnsetType, ends_on: date | None | UnsetType) -> None:
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if isinstance(day, date) and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise invalid((name,), f"must be from {EARLIEST_DAY} to {LATEST_DAY}")
    if isinstance(starts_on, date) and isinstance(ends_on, date) and ends_on < starts_on:
        raise invalid(("ends_on",), "must not be before starts_on")


class GoalCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A weight_kg goal is reached once (period once, from the current weight); every other goal
    is an amount per day, week or month."""

    goal_type: GoalType
    target_value: Target
    period: Period
    starts_on: GoalDate | None = None
    ends_on: GoalDate | None = None

    def __post_init__(self) -> None:
        if (self.goal_type == "weight_kg") != (self.period == "once"):
            raise invalid(("period",), "must be once for a weight_kg goal, and daily, weekly or "
                          "monthly for any other")
        low, high = TARGET_RANGES.get(self.goal_type, OTHER_TARGETS)
        if not low <= self.target_value <= high:
            raise invalid(("target_value",), f"must be {low:g}-{high:g} for {self.goal_type}",
                          minimum=low, maximum=high)
        self.target_value = round(self.target_value, 1)
        _check_dates(self.starts_on, self.ends_on)


class GoalUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields not sent stay; ``ends_on: null`` makes the goal open-ended."""

    target_value: Target | UnsetType = UNSET
    ends_on: GoalDate | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        if isinstance(self.target_value, float):
            self.target_value = round(self.target_value, 1)
        _check_dates(UNSET, self.ends_on)


class Goal(msgspec.Struct):
    """A goal with its progress as of now: current_value for the current period (period_start to
    period_end) and progress (0-1); for periodic goals, periods_met of periods_total since the
    period holding starts_on; for a weight goal, start_value, direction and completion."""

    id: int
    goal_type: GoalType
    target_value: float
    period: Period
    starts_on: date
    ends_on: date | None
    start_value: float | None
    direction: Direction | None
    is_completed: bool
    completed_at: datetime | None
    current_value: float
    progress: float
    period_start: date | None
    period_end: date | None
    periods_met: int | None
    periods_total: int | None
    created_at: datetime
    updated_at: datetime
    version: int
