"""The nutrition domain (the food diary, water, and the days they add up to), as the app wires
it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.nutrition import repository
from app.nutrition.repository import DiaryRepository
from app.nutrition.routes import DaysController, FoodLogController, WaterController

module = Module(
    name="nutrition",
    controllers=[FoodLogController, WaterController, DaysController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"diary": DiaryRepository},
)
