"""Notifications made the way domains make them: ``NotificationRepository.notify`` on a
connection, as the service role."""

from __future__ import annotations

from typing import Any

import asyncpg

from app.db.pool import init_connection
from app.notifications.repository import NotificationRepository


async def notify(service_url: str, user_id: int, count: int = 1, **fields: Any) -> list[int]:
    """``count`` notifications for the user, oldest first; their ids."""
    conn = await asyncpg.connect(service_url)
    await init_connection(conn)
    try:
        repo = NotificationRepository(conn)
        made = []
        for i in range(count):
            notification = await repo.notify(
                user_id=user_id, kind=fields.get("kind", "streak_milestone"),
                title=fields.get("title", f"Milestone {i}"), body=fields.get("body", ""),
                data=fields.get("data", {"n": i}))
            assert notification is not None
            made.append(notification.id)
        return made
    finally:
        await conn.close()
