"""The baseline's GET /goals, written the way the seed documents write it: the goals and then, for
each goal, its entries since its first period loaded as ORM objects (food logs, water, activities,
weigh-ins) and summed in Python, per local day, week from Monday or month. It adds to the app of
bench/baseline.py (its engine, session per request, current user) without changing that file, and
answers with the same fields as the service's GET /goals. Run only by ``python -m bench fitness``:

    DATABASE_URL=postgresql://... APP_JWT_SECRET=... uvicorn bench.baseline_goals:app
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import BigInteger, Boolean, Date, DateTime, Integer, Numeric, String, select
from sqlalchemy.orm import Mapped, mapped_column

from bench.baseline import Base, CurrentUser, Db, app


class Profile(Base):
    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    weight_kg: Mapped[Decimal] = mapped_column(Numeric)
    time_zone: Mapped[str] = mapped_column(String)


class Goal(Base):
    __tablename__ = "goals"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    goal_type: Mapped[str] = mapped_column(String)
    target_value: Mapped[Decimal] = mapped_column(Numeric)
    period: Mapped[str] = mapped_column(String)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    start_value: Mapped[Decimal | None] = mapped_column(Numeric, nullable=True)
    is_completed: Mapped[bool] = mapped_column(Boolean)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(BigInteger)


class FoodLog(Base):
    __tablename__ = "food_logs"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    meal_type: Mapped[str] = mapped_column(String)
    eaten_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    local_date: Mapped[date] = mapped_column(Date)
    total_calories: Mapped[Decimal] = mapped_column(Numeric)
    total_protein: Mapped[Decimal] = mapped_column(Numeric)


class WaterLog(Base):
    __tablename__ = "water_logs"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ml: Mapped[int] = mapped_column(Integer)
    local_date: Mapped[date] = mapped_column(Date)


class ActivityLog(Base):
    __tablename__ = "activity_logs"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    duration_min: Mapped[int] = mapped_column(Integer)
    steps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    local_date: Mapped[date] = mapped_column(Date)


class WeightLog(Base):
    __tablename__ = "weight_logs"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    weight_kg: Mapped[Decimal] = mapped_column(Numeric)
    measured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GoalRead(BaseModel):
    id: int
    goal_type: str
    target_value: float
    period: str
    starts_on: date
    ends_on: date | None
    start_value: float | None
    is_completed: bool
    completed_at: datetime | None
    current_value: float
    progress: float
    periods_met: int | None
    periods_total: int | None
    version: int


class GoalPage(BaseModel):
    items: list[GoalRead]
    next_cursor: str | None


def _period_start(day: date, period: str) -> date:
    if period == "weekly":
        return day - timedelta(days=day.weekday())
    if period == "monthly":
        return day.replace(day=1)
    return day


# What each periodic goal sums, per entry: (the entries' model, the entry's amount).
SOURCES: dict[str, tuple[type[Any], Callable[[Any], float]]] = {
    "calories_max": (FoodLog, lambda f: float(f.total_calories)),
    "protein_min_g": (FoodLog, lambda f: float(f.total_protein)),
    "meals_logged": (FoodLog, lambda f: 1.0),
    "water_min_ml": (WaterLog, lambda w: float(w.ml)),
    "active_minutes": (ActivityLog, lambda a: float(a.duration_min)),
    "steps": (ActivityLog, lambda a: float(a.steps or 0)),
}


async def _periodic(db: Db, user_id: int, goal: Goal, today: date) -> GoalRead:
    on_day = min(today, goal.ends_on or today)
    first = _period_start(goal.starts_on, goal.period)
    model, amount = SOURCES[goal.goal_type]
    entries = (await db.execute(select(model).where(
        model.user_id == user_id, model.local_date >= first, model.local_date <= on_day))
    ).scalars().all()
    days: dict[date, float] = defaultdict(float)
    for entry in entries:
        days[entry.local_date] += amount(entry)
    periods: dict[date, list[float]] = defaultdict(list)
    for day, value in days.items():
        periods[_period_start(day, goal.period)].append(value)
    target = float(goal.target_value)
    if goal.goal_type == "calories_max":
        value_of = {start: max(values) for start, values in periods.items()}
        met = sum(1 for v in value_of.values() if v <= target)
    else:
        value_of = {start: sum(values) for start, values in periods.items()}
        met = sum(1 for v in value_of.values() if v >= target)
    current = _period_start(on_day, goal.period)
    if goal.period == "daily":
        total = (current - first).days + 1
    elif goal.period == "weekly":
        total = (current - first).days // 7 + 1
    else:
        total = (current.year - first.year) * 12 + current.month - first.month + 1
    value = value_of.get(current, 0.0)
    return GoalRead(id=goal.id, goal_type=goal.goal_type, target_value=target,
                    period=goal.period, starts_on=goal.starts_on, ends_on=goal.ends_on,
                    start_value=None, is_completed=goal.is_completed,
                    completed_at=goal.completed_at, current_value=value,
                    progress=round(min(1.0, value / target), 4), periods_met=met,
                    periods_total=total, version=goal.version)


async def _weight(db: Db, user_id: int, goal: Goal, profile: Profile | None) -> GoalRead:
    latest = (await db.execute(select(WeightLog).where(WeightLog.user_id == user_id)
                               .order_by(WeightLog.measured_at.desc(), WeightLog.id.desc())
                               .limit(1))).scalar_one_or_none()
    start = float(goal.start_value or 0)
    current = float(latest.weight_kg if latest is not None else
                    profile.weight_kg if profile is not None else start)
    target = float(goal.target_value)
    progress = 1.0 if goal.is_completed else max(0.0, min(1.0, (start - current)
                                                           / (start - target)))
    return GoalRead(id=goal.id, goal_type=goal.goal_type, target_value=target,
                    period=goal.period, starts_on=goal.starts_on, ends_on=goal.ends_on,
                    start_value=start, is_completed=goal.is_completed,
                    completed_at=goal.completed_at, current_value=current,
                    progress=round(progress, 4), periods_met=None, periods_total=None,
                    version=goal.version)


@app.get("/goals", response_model=GoalPage)
async def list_goals(user: CurrentUser, db: Db, limit: int = 20) -> GoalPage:
    profile = await db.get(Profile, user.id)
    today = datetime.now(ZoneInfo(profile.time_zone if profile else "UTC")).date()
    goals = (await db.execute(select(Goal).where(Goal.user_id == user.id)
                              .order_by(Goal.id.desc()).limit(limit))).scalars().all()
    items = [await (_weight(db, user.id, g, profile) if g.period == "once"
                    else _periodic(db, user.id, g, today)) for g in goals]
    return GoalPage(items=items, next_cursor=None)
