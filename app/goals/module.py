"""The goals domain (goals and their progress, computed when read), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.goals import repository
from app.goals.repository import GoalRepository
from app.goals.routes import GoalController
from app.kit.domain import Module

module = Module(
    name="goals",
    controllers=[GoalController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"goals": GoalRepository},
)
