"""The activity domain (the activity diary and the calories it burns), as the app wires it."""

from __future__ import annotations

from app.activity import repository
from app.activity.repository import ActivityRepository
from app.activity.routes import ActivityController
from app.db.queries import queries_in
from app.kit.domain import Module
from app.kit.errors import AccountGone

module = Module(
    name="activity",
    controllers=[ActivityController],
    queries=queries_in(repository),
    # A write racing the deletion of its account: 401, as for any gone account.
    constraints={**repository.CONSTRAINTS, "activity_logs_user_fkey": AccountGone()},
    repositories={"activities": ActivityRepository},
)
