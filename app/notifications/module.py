"""The notifications domain, as the app wires it. Other domains create notifications with
``NotificationRepository.notify`` in their own transactions."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.kit.errors import AccountGone
from app.notifications import repository
from app.notifications.repository import NotificationRepository
from app.notifications.routes import NotificationController

module = Module(
    name="notifications",
    controllers=[NotificationController],
    queries=queries_in(repository),
    # A write racing the deletion of its account: 401, as for any gone account.
    constraints={**repository.CONSTRAINTS, "notifications_user_fkey": AccountGone()},
    repositories={"notifications": NotificationRepository},
)
