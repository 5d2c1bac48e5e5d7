"""The tasks domain, as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.tasks import repository
from app.tasks.repository import TaskRepository
from app.tasks.routes import TaskController

module = Module(
    name="tasks",
    controllers=[TaskController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"tasks": TaskRepository},
)
