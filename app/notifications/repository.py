"""Notifications data access. ``notify`` is how every domain tells a user something: on the
connection of its own transaction, so the notification commits (or not) with the write that
causes it::

    async with achievements.transaction() as tx:
        ...
        await NotificationRepository(tx.db, tx.ctx).notify(
            user_id=user_id, kind="achievement_unlocked", title="First meal logged",
            data={"achievement": "first_meal"})
"""

from __future__ import annotations

from typing import Any

from app.db.queries import sql
from app.db.repository import Repository
from app.kit.errors import AccountGone, InvalidInput
from app.kit.limits import MAX_BIGINT
from app.kit.pages import Keyset
from app.notifications.models import (
    Kind,
    ListedNotification,
    Notification,
    NotificationPage,
    ReadAllResult,
)

CONSTRAINTS = {
    "notifications_kind_valid": InvalidInput("unknown notification kind"),
    "notifications_title_length": InvalidInput("a notification's title is 1-200 characters"),
    "notifications_title_not_blank": InvalidInput("a notification's title must not be blank"),
    "notifications_body_length": InvalidInput("a notification's body is at most 2000 characters"),
    "notifications_data_object": InvalidInput("a notification's data is a JSON object"),
    "notifications_data_size": InvalidInput("a notification's data is at most 8192 bytes"),
}

_create = sql("notifications/create_notification", "user_id", "kind", "title", "body", "data",
              row=Notification)
_list = sql("notifications/list_notifications", "user_id", "after_id", "limit",
            row=ListedNotification)
_list_by_read = sql("notifications/list_notifications_by_read", "user_id", "is_read", "after_id",
                    "limit", row=ListedNotification)
_update = sql("notifications/update_notification", "user_id", "notification_id", "is_read",
              "if_match", row=Notification)
_version = sql("notifications/get_notification_version", "user_id", "notification_id")
_delete = sql("notifications/delete_notification", "user_id", "notification_id", "if_match")
_read_all = sql("notifications/read_all_notifications", "user_id", "before", row=ReadAllResult)

# Newest first: id descending, as notifications_pkey (user_id, id) and notifications_user_read_idx
# (user_id, is_read, id DESC).
_NEWEST: Keyset[ListedNotification, tuple[int]] = Keyset(
    "notifications", tuple[int], (MAX_BIGINT,), ("after_id",), lambda n: (n.id,))


class NotificationRepository(Repository):
    __slots__ = ()

    async def notify(self, *, user_id: int, kind: Kind, title: str, body: str = "",
                     data: dict[str, Any] | None = None) -> Notification | None:
        """Tell the user something; None when the account is gone or deactivated."""
        return await self.one(_create, user_id=user_id, kind=kind, title=title, body=body,
                              data=data or {})

    async def list_notifications(self, *, user_id: int, unread: bool | None, cursor: str | None,
                                 limit: int) -> NotificationPage:
        """A page, newest first, with the unread count of all the user's notifications;
        AccountGone when the account is gone or deactivated. Every row of the statement carries
        the count, and an empty page is one row of NULLs but for it: so the page is read as a
        page of its own rows (``user_row=False``) and the NULL row taken apart here."""
        if unread is None:
            page = await self.page(_list, _NEWEST, cursor=cursor, limit=limit, user_row=False,
                                   user_id=user_id)
        else:
            page = await self.page(_list_by_read, _NEWEST, cursor=cursor, limit=limit,
                                   user_row=False, scope=(unread,), user_id=user_id,
                                   is_read=not unread)
        if not page.items:
            raise AccountGone()
        return NotificationPage(
            items=[row.notification() for row in page.items if row.id is not None],
            next_cursor=page.next_cursor, unread_count=page.items[0].unread_count)

    async def update(self, *, user_id: int, notification_id: int, is_read: bool,
                     if_match: list[int] | None) -> Notification | None:
        return await self.one(_update, user_id=user_id, notification_id=notification_id,
                              is_read=is_read, if_match=if_match)

    async def version(self, *, user_id: int, notification_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id,
                                               notification_id=notification_id)
        return version

    async def delete(self, *, user_id: int, notification_id: int,
                     if_match: list[int] | None) -> bool:
        return await self.execute(_delete, user_id=user_id, notification_id=notification_id,
                                  if_match=if_match) == 1

    async def read_all(self, *, user_id: int, before: int | None) -> ReadAllResult | None:
        """None when the account is gone or deactivated."""
        return await self.one(_read_all, user_id=user_id, before=before)
