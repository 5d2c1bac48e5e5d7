"""The notifications domain, as the app wires it. Other domains create notifications with
``NotificationRepository.notify`` in their own transactions."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.notifications import repository
from app.notifications.repository import NotificationRepository
from app.notifications.routes import NotificationController

module = Module(
    name="notifications",
    controllers=[NotificationController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"notifications": NotificationRepository},
)
