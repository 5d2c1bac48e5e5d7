"""The goals domain (goals and their progress, computed when read), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.goals import repository
from app.goals.repository import GoalRepository
from app.goals.routes import GoalController
from app.kit.domain import Module
from app.kit.errors import AccountGone

module = Module(
    name="goals",
    controllers=[GoalController],
    queries=queries_in(repository),
    # A write racing the deletion of its account: 401, as for any gone account.
    constraints={**repository.CONSTRAINTS, "goals_user_fkey": AccountGone()},
    repositories={"goals": GoalRepository},
)
