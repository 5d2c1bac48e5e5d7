"""The baseline: the same endpoints written the way the seed documents write them.

FastAPI, SQLAlchemy 2 async ORM with one session per request (commit at the end of the request,
rollback on error), pydantic models with ``from_attributes``, the current user loaded from the
database by a dependency, OFFSET pagination, and the seeds' pool settings (``pool_size=10,
max_overflow=20, pool_pre_ping=True, pool_recycle=3600``, ``expire_on_commit=False``). It maps the
tables our migrations create and verifies the same JWTs, so both services serve the same data to
the same clients. It is run only by ``python -m bench``, never by the service.

The NutriProfile endpoints as its seed writes them: a day's numbers from
``get_daily_calories(user_id, date)`` (here with the protein, carbs and fat summed in the same
query), one query per day, over ``func.date(...)`` of the meal's timestamp (UTC days; no index can
serve it), and a get-or-create of the day's ``daily_nutrition`` row for each day shown; a food log
with its totals summed in Python and its day got-or-created and updated in the session; a quota
reservation as get-or-create, compare and increment of the counter row (read, then write); the
home screen (GET /today) as one ORM query per part it shows.

    DATABASE_URL=postgresql://... APP_JWT_SECRET=... uvicorn bench.baseline:app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Identity,
    Integer,
    Numeric,
    String,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def _async_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


engine = create_async_engine(
    _async_url(os.environ["DATABASE_URL"]),
    echo=False,
    pool_size=10,
    max_overflow=20,
    pool_pre_ping=True,
    pool_recycle=3600,
)
SessionLocal = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
SECRET = os.environ["APP_JWT_SECRET"]


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    subscription_tier: Mapped[str] = mapped_column(String(20), default="free")


class Task(Base):
    __tablename__ = "tasks"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default="now()")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default="now()")
    version: Mapped[int] = mapped_column(BigInteger, server_default="1")


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    completed: bool | None = None


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime
    version: int


class TaskPage(BaseModel):
    items: list[TaskRead]
    next_cursor: str | None


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


bearer = HTTPBearer()
Db = Annotated[AsyncSession, Depends(get_db)]


async def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)], db: Db
) -> User:
    try:
        claims = jwt.decode(credentials.credentials, SECRET, algorithms=["HS256"],
                            options={"require": ["sub", "iat", "exp"]})
    except jwt.PyJWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token") from None
    user = await db.get(User, int(claims["sub"]))
    if user is None or not user.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
app = FastAPI(title="baseline")


async def _owned_task(db: AsyncSession, user: User, task_id: int) -> Task:
    result = await db.execute(select(Task).where(Task.user_id == user.id, Task.id == task_id))
    task = result.scalar_one_or_none()
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "task not found")
    return task


@app.get("/tasks/{task_id}", response_model=TaskRead)
async def get_task(task_id: int, user: CurrentUser, db: Db) -> Task:
    return await _owned_task(db, user, task_id)


@app.get("/tasks", response_model=TaskPage)
async def list_tasks(user: CurrentUser, db: Db, completed: bool | None = None,
                     skip: Annotated[int, Query(ge=0)] = 0,
                     limit: Annotated[int, Query(ge=1, le=100)] = 20) -> TaskPage:
    statement = select(Task).where(Task.user_id == user.id)
    if completed is not None:
        statement = statement.where(Task.completed == completed)
    statement = statement.order_by(Task.created_at.desc(), Task.id.desc())
    tasks = (await db.execute(statement.offset(skip).limit(limit))).scalars().all()
    next_cursor = str(skip + limit) if len(tasks) == limit else None
    return TaskPage(items=[TaskRead.model_validate(t) for t in tasks], next_cursor=next_cursor)


@app.post("/tasks", response_model=TaskRead, status_code=status.HTTP_201_CREATED)
async def create_task(data: TaskCreate, user: CurrentUser, db: Db) -> Task:
    task = Task(user_id=user.id, title=data.title.strip(), description=data.description)
    db.add(task)
    await db.commit()
    await db.refresh(task)
    return task


@app.patch("/tasks/{task_id}", response_model=TaskRead)
async def update_task(task_id: int, data: TaskUpdate, user: CurrentUser, db: Db) -> Task:
    task = await _owned_task(db, user, task_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(task, field, value)
    await db.commit()
    await db.refresh(task)
    return task


# NutriProfile, as its seed writes it.

KINDS = ("vision_analyses", "recipe_generations", "coach_messages")


def _limits(raw: str, default: tuple[int, int, int]) -> dict[str, int]:
    """``vision_analyses=3,recipe_generations=2,coach_messages=10``, as the service reads it."""
    if not raw:
        return dict(zip(KINDS, default, strict=True))
    return {kind.strip(): int(limit) for kind, _, limit in
            (item.partition("=") for item in raw.split(","))}


LIMITS = {
    "free": _limits(os.environ.get("APP_USAGE_LIMITS_FREE", ""), (3, 2, 10)),
    "premium": _limits(os.environ.get("APP_USAGE_LIMITS_PREMIUM", ""), (100, 50, 500)),
    "pro": _limits(os.environ.get("APP_USAGE_LIMITS_PRO", ""), (100, 50, 500)),
}


class Profile(Base):
    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    daily_calories: Mapped[int] = mapped_column(Integer)
    target_calories: Mapped[int] = mapped_column(Integer)
    target_protein_g: Mapped[int] = mapped_column(Integer)
    target_carbs_g: Mapped[int] = mapped_column(Integer)
    target_fat_g: Mapped[int] = mapped_column(Integer)
    water_target_ml: Mapped[int] = mapped_column(Integer)


class FoodLog(Base):
    __tablename__ = "food_logs"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    meal_type: Mapped[str] = mapped_column(String(20))
    eaten_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    local_date: Mapped[date] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20), default="manual")
    recipe_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    image_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    confidence_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    detected_items: Mapped[Any] = mapped_column(JSONB, nullable=True)
    user_corrections: Mapped[Any] = mapped_column(JSONB, nullable=True)
    items: Mapped[Any] = mapped_column(JSONB)
    total_calories: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    total_protein: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    total_carbs: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    total_fat: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    total_fiber: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default="now()")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default="now()")
    version: Mapped[int] = mapped_column(BigInteger, server_default="1")


class DailyNutrition(Base):
    __tablename__ = "daily_nutrition"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    calories: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    protein_g: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    carbs_g: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    fat_g: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    fiber_g: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    lunch_calories: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    food_logs: Mapped[int] = mapped_column(Integer, default=0)
    water_ml: Mapped[int] = mapped_column(Integer, default=0)


class UsageCounter(Base):
    __tablename__ = "usage_counters"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


class FoodItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    grams: float | None = Field(default=None, ge=0, le=10000)
    calories: float = Field(ge=0, le=20000)
    protein_g: float = Field(ge=0, le=5000)
    carbs_g: float = Field(ge=0, le=5000)
    fat_g: float = Field(ge=0, le=5000)
    fiber_g: float | None = Field(default=None, ge=0, le=5000)


class FoodLogCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meal_type: Literal["breakfast", "lunch", "dinner", "snack"]
    items: list[FoodItemIn] = Field(min_length=1, max_length=100)
    eaten_at: datetime | None = None
    source: Literal["manual", "photo", "barcode", "recipe"] = "manual"


class FoodLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    meal_type: str
    eaten_at: datetime
    local_date: date
    time_zone: str
    source: str
    items: list[dict[str, Any]]
    total_calories: float
    total_protein: float
    total_carbs: float
    total_fat: float
    total_fiber: float
    created_at: datetime
    updated_at: datetime
    version: int


class Targets(BaseModel):
    calories: int
    protein_g: int
    carbs_g: int
    fat_g: int
    water_ml: int


class DayRead(BaseModel):
    date: date
    calories: float
    protein_g: float
    carbs_g: float
    fat_g: float
    water_ml: int
    food_logs: int
    targets: Targets | None
    remaining_calories: float | None


class Summary(BaseModel):
    days_logged: int
    average_calories: float | None
    average_protein_g: float | None
    average_carbs_g: float | None
    average_fat_g: float | None


class DaysRead(BaseModel):
    days: list[DayRead]
    summary: Summary


class CounterRead(BaseModel):
    kind: str
    used: int
    limit: int
    remaining: int


async def get_daily_calories(db: AsyncSession, user_id: int, day: date
                             ) -> tuple[Decimal, Decimal, Decimal, Decimal, int]:
    """The seed's aggregation (calories, and the other totals in the same query)."""
    result = await db.execute(
        select(func.coalesce(func.sum(FoodLog.total_calories), 0),
               func.coalesce(func.sum(FoodLog.total_protein), 0),
               func.coalesce(func.sum(FoodLog.total_carbs), 0),
               func.coalesce(func.sum(FoodLog.total_fat), 0), func.count(FoodLog.id))
        .where(FoodLog.user_id == user_id, func.date(FoodLog.eaten_at) == day)
    )
    calories, protein, carbs, fat, count = result.one()
    return calories, protein, carbs, fat, count


async def get_or_create_daily(db: AsyncSession, user_id: int, day: date) -> DailyNutrition:
    daily = await db.get(DailyNutrition, (user_id, day))
    if daily is None:
        daily = DailyNutrition(user_id=user_id, date=day, calories=Decimal(0),
                               protein_g=Decimal(0), carbs_g=Decimal(0), fat_g=Decimal(0),
                               fiber_g=Decimal(0), lunch_calories=Decimal(0), food_logs=0,
                               water_ml=0)
        db.add(daily)
        await db.flush()
    return daily


def _targets(profile: Profile | None) -> Targets | None:
    if profile is None:
        return None
    return Targets(calories=profile.target_calories, protein_g=profile.target_protein_g,
                   carbs_g=profile.target_carbs_g, fat_g=profile.target_fat_g,
                   water_ml=profile.water_target_ml)


@app.get("/nutrition/days", response_model=DaysRead)
async def get_days(user: CurrentUser, db: Db, from_: Annotated[date, Query(alias="from")],
                   to: date) -> DaysRead:
    if not 1 <= (to - from_).days + 1 <= 366:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "bad range")
    profile = await db.get(Profile, user.id)
    targets = _targets(profile)
    days = []
    for n in range((to - from_).days + 1):
        day = from_ + timedelta(days=n)
        daily = await get_or_create_daily(db, user.id, day)
        calories, protein, carbs, fat, count = await get_daily_calories(db, user.id, day)
        daily.calories, daily.protein_g, daily.carbs_g, daily.fat_g = calories, protein, carbs, fat
        daily.food_logs = count
        days.append(DayRead(date=day, calories=float(calories), protein_g=float(protein),
                            carbs_g=float(carbs), fat_g=float(fat), water_ml=daily.water_ml,
                            food_logs=count, targets=targets,
                            remaining_calories=None if targets is None
                            else targets.calories - float(calories)))
    logged = [d for d in days if d.food_logs]

    def average(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 2) if values else None

    return DaysRead(days=days, summary=Summary(
        days_logged=len(logged), average_calories=average([d.calories for d in logged]),
        average_protein_g=average([d.protein_g for d in logged]),
        average_carbs_g=average([d.carbs_g for d in logged]),
        average_fat_g=average([d.fat_g for d in logged])))


@app.post("/food-logs", response_model=FoodLogRead, status_code=status.HTTP_201_CREATED)
async def create_food_log(data: FoodLogCreate, user: CurrentUser, db: Db) -> FoodLog:
    eaten = data.eaten_at or datetime.now(timezone.utc)
    calories = sum(Decimal(str(i.calories)) for i in data.items)
    protein = sum(Decimal(str(i.protein_g)) for i in data.items)
    carbs = sum(Decimal(str(i.carbs_g)) for i in data.items)
    fat = sum(Decimal(str(i.fat_g)) for i in data.items)
    fiber = sum(Decimal(str(i.fiber_g or 0)) for i in data.items)
    log = FoodLog(user_id=user.id, meal_type=data.meal_type, eaten_at=eaten,
                  local_date=eaten.date(), time_zone="UTC", source=data.source,
                  items=[i.model_dump() for i in data.items], total_calories=calories,
                  total_protein=protein, total_carbs=carbs, total_fat=fat, total_fiber=fiber)
    db.add(log)
    daily = await get_or_create_daily(db, user.id, eaten.date())
    daily.calories += calories
    daily.protein_g += protein
    daily.carbs_g += carbs
    daily.fat_g += fat
    daily.fiber_g += fiber
    if data.meal_type == "lunch":
        daily.lunch_calories += calories
    daily.food_logs += 1
    await db.commit()
    await db.refresh(log)
    return log


@app.post("/usage/{kind}/reserve", response_model=CounterRead)
async def reserve_usage(kind: Literal["vision_analyses", "recipe_generations", "coach_messages"],
                        user: CurrentUser, db: Db) -> CounterRead:
    today = datetime.now(timezone.utc).date()
    counter = await db.get(UsageCounter, (user.id, today, kind))
    if counter is None:
        counter = UsageCounter(user_id=user.id, local_date=today, kind=kind, used=0)
        db.add(counter)
    limit = LIMITS.get(user.subscription_tier, LIMITS["free"])[kind]
    if counter.used >= limit:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "quota used up")
    counter.used += 1
    await db.commit()
    return CounterRead(kind=kind, used=counter.used, limit=limit,
                       remaining=max(limit - counter.used, 0))


# NutriProfile's home screen, as its seed's services would build it: one ORM query per part.

class WaterLog(Base):
    __tablename__ = "water_logs"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    ml: Mapped[int] = mapped_column(Integer)
    drunk_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Streak(Base):
    __tablename__ = "streaks"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    current_count: Mapped[int] = mapped_column(Integer)
    longest_count: Mapped[int] = mapped_column(Integer)
    last_activity_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class UserStats(Base):
    __tablename__ = "user_stats"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    xp: Mapped[int] = mapped_column(BigInteger)


class Notification(Base):
    __tablename__ = "notifications"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    is_read: Mapped[bool] = mapped_column(Boolean)


class StreakRead(BaseModel):
    kind: str
    current_count: int
    longest_count: int
    last_activity_date: date | None


class TodayRead(BaseModel):
    date: date
    targets: Targets | None
    calories: float
    protein_g: float
    carbs_g: float
    fat_g: float
    meals: dict[str, float]
    food_logs: int
    water_ml: int
    calories_burned: float
    remaining_calories: float | None
    streaks: list[StreakRead]
    xp: int
    level: int
    unread_notifications: int
    usage: list[CounterRead]


@app.get("/today", response_model=TodayRead)
async def get_today(user: CurrentUser, db: Db) -> TodayRead:
    today = datetime.now(timezone.utc).date()
    profile = await db.get(Profile, user.id)
    targets = _targets(profile)
    calories, protein, carbs, fat, count = await get_daily_calories(db, user.id, today)
    meals = dict.fromkeys(("breakfast", "lunch", "dinner", "snack"), 0.0)
    for meal, total in await db.execute(
            select(FoodLog.meal_type, func.sum(FoodLog.total_calories))
            .where(FoodLog.user_id == user.id, func.date(FoodLog.eaten_at) == today)
            .group_by(FoodLog.meal_type)):
        meals[meal] = float(total)
    water = (await db.execute(
        select(func.coalesce(func.sum(WaterLog.ml), 0))
        .where(WaterLog.user_id == user.id, func.date(WaterLog.drunk_at) == today))).scalar_one()
    streaks = (await db.execute(select(Streak).where(Streak.user_id == user.id))).scalars().all()
    stats = await db.get(UserStats, user.id)
    xp = stats.xp if stats is not None else 0
    unread = (await db.execute(
        select(func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.is_read.is_(False)))).scalar_one()
    counters = {c.kind: c.used for c in (await db.execute(
        select(UsageCounter).where(UsageCounter.user_id == user.id,
                                   UsageCounter.local_date == today))).scalars().all()}
    limits = LIMITS.get(user.subscription_tier, LIMITS["free"])
    level = 1
    while 100 * (level + 1) * level // 2 <= xp:
        level += 1
    by_kind = {s.kind: s for s in streaks}
    return TodayRead(
        date=today, targets=targets, calories=float(calories), protein_g=float(protein),
        carbs_g=float(carbs), fat_g=float(fat), meals=meals, food_logs=count, water_ml=water,
        calories_burned=0.0,
        remaining_calories=None if targets is None else targets.calories - float(calories),
        streaks=[StreakRead(kind=kind, current_count=s.current_count if s is not None
                            and s.last_activity_date is not None
                            and s.last_activity_date >= today - timedelta(days=1) else 0,
                            longest_count=s.longest_count if s is not None else 0,
                            last_activity_date=s.last_activity_date if s is not None else None)
                 for kind in ("food_logging", "activity", "water_goal")
                 for s in [by_kind.get(kind)]],
        xp=xp, level=level, unread_notifications=unread,
        usage=[CounterRead(kind=kind, used=counters.get(kind, 0), limit=limits[kind],
                           remaining=max(limits[kind] - counters.get(kind, 0), 0))
               for kind in KINDS])
