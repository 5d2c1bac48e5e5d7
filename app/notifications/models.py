"""Notification Structs: the row, the list page with its unread count, and what a client sends."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from app.kit.limits import MAX_BIGINT

# What a notification is about; notifications_kind_valid holds the same list.
Kind = Literal["achievement_unlocked", "streak_milestone", "daily_quota_reached",
               "subscription_changed"]

NotificationId = Annotated[int, msgspec.Meta(ge=1, le=MAX_BIGINT)]


class Notification(msgspec.Struct):
    id: int
    kind: Kind
    title: str
    body: str
    data: dict[str, Any]
    is_read: bool
    created_at: datetime
    updated_at: datetime
    version: int


class ListedNotification(Notification):
    """A row of the list statements: a notification and the user's unread count. On an empty
    page the statement's one row is NULL but for the count (its ``id`` is None)."""

    unread_count: int

    def notification(self) -> Notification:
        return Notification(*msgspec.structs.astuple(self)[:-1])


class NotificationPage(msgspec.Struct):
    """One page of the caller's notifications, and how many of all of them are unread."""

    items: list[Notification]
    next_cursor: str | None
    unread_count: int


class NotificationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    is_read: bool


class ReadAll(msgspec.Struct, forbid_unknown_fields=True):
    """``before``: only notifications up to and including this id (the newest one the client has
    shown); newer ones stay unread. Without it, all."""

    before: NotificationId | None = None


class ReadAllResult(msgspec.Struct):
    marked: int
    unread_count: int
