"""Notifications over HTTP: /notifications."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.kit.errors import AccountGone, not_found
from app.notifications.models import (
    Notification,
    NotificationPage,
    NotificationUpdate,
    ReadAll,
    ReadAllResult,
)
from app.notifications.repository import NotificationRepository

Notifications = NamedDependency[NotificationRepository]
NotificationIdParam = Annotated[int, path_id("notification")]
Unread = Annotated[
    bool | None,
    QueryParameter(description="Only unread (true) or only read (false) notifications."),
]

_not_found = not_found("notification")


class NotificationController(UserController):
    path = "/notifications"
    tags = ["notifications"]

    @get("/", operation_id="listNotifications", responses=errors(401))
    async def list_notifications(
        self, user_id: UserId, notifications: Notifications, unread: Unread = None,
        limit: Limit = 20, cursor: Cursor = None,
    ) -> NotificationPage:
        """The caller's notifications, newest first, a page at a time, with how many of all of
        them are unread (counted in the same statement as the page)."""
        return await notifications.list_notifications(user_id=user_id, unread=unread,
                                                      cursor=cursor, limit=limit)

    @patch("/{notification_id:int}", operation_id="updateNotification",
           responses=errors(401, 404, 412), response_headers=ETAG_HEADER)
    async def update_notification(
        self, notification_id: NotificationIdParam, data: JSONBody[NotificationUpdate],
        user_id: UserId, notifications: Notifications, if_match: IfMatch = None,
    ) -> Response[Notification]:
        """Mark a notification read (or unread again); with If-Match, only at that version."""
        notification = await conditionally(
            if_match,
            lambda versions: notifications.update(user_id=user_id, notification_id=notification_id,
                                                  is_read=data.is_read, if_match=versions),
            lambda: notifications.version(user_id=user_id, notification_id=notification_id),
            _not_found,
        )
        return with_etag(notification)

    @post("/read-all", operation_id="readAllNotifications", status_code=200,
          responses=errors(401))
    async def read_all(self, user_id: UserId, notifications: Notifications,
                       data: JSONBody[ReadAll | None] = None) -> ReadAllResult:
        """Mark every unread notification read, or only those up to and including ``before``
        (the newest one the client has shown, so that one arriving meanwhile stays unread); how
        many were marked and how many stay unread. The body may be left out."""
        before = None if data is None else data.before
        return found(await notifications.read_all(user_id=user_id, before=before), AccountGone)

    @delete("/{notification_id:int}", operation_id="deleteNotification",
            responses=errors(401, 404, 412))
    async def delete_notification(
        self, notification_id: NotificationIdParam, user_id: UserId,
        notifications: Notifications, if_match: IfMatch = None,
    ) -> None:
        """Delete a notification; with If-Match, only at that version."""
        await conditionally(
            if_match,
            lambda versions: notifications.delete(user_id=user_id, notification_id=notification_id,
                                                  if_match=versions),
            lambda: notifications.version(user_id=user_id, notification_id=notification_id),
            _not_found,
        )
