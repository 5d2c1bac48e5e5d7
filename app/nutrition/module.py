"""The nutrition domain (the food diary, water, and the days they add up to), as the app wires
it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.kit.errors import AccountGone
from app.nutrition import repository
from app.nutrition.repository import DiaryRepository
from app.nutrition.routes import DaysController, FoodLogController, WaterController

module = Module(
    name="nutrition",
    controllers=[FoodLogController, WaterController, DaysController],
    queries=queries_in(repository),
    # A write racing the deletion of its account: 401, as for any gone account.
    constraints={**repository.CONSTRAINTS, "food_logs_user_fkey": AccountGone(),
                 "water_logs_user_fkey": AccountGone(), "daily_nutrition_user_fkey": AccountGone()},
    repositories={"diary": DiaryRepository},
)
