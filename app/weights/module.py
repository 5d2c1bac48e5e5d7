"""The weights domain (weigh-ins, the profile weight they keep, and their trend), as the app
wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.weights import repository
from app.weights.repository import WeightRepository
from app.weights.routes import WeightController

module = Module(
    name="weights",
    controllers=[WeightController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"weights": WeightRepository},
)
