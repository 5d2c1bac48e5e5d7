"""The weights domain (weigh-ins, the profile weight they keep, and their trend), as the app
wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.kit.errors import AccountGone
from app.weights import repository
from app.weights.repository import WeightRepository
from app.weights.routes import WeightController

module = Module(
    name="weights",
    controllers=[WeightController],
    queries=queries_in(repository),
    # A write racing the deletion of its account: 401, as for any gone account.
    constraints={**repository.CONSTRAINTS, "weight_logs_user_fkey": AccountGone()},
    repositories={"weights": WeightRepository},
)
