"""The activity domain (the activity diary and the calories it burns), as the app wires it."""

from __future__ import annotations

from app.activity import repository
from app.activity.repository import ActivityRepository
from app.activity.routes import ActivityController
from app.db.queries import queries_in
from app.kit.domain import Module

module = Module(
    name="activity",
    controllers=[ActivityController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"activities": ActivityRepository},
)
