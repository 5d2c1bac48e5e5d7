"""Chat Structs: conversations, messages, what a client may send, and the page shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast

import msgspec
from msgspec import UNSET, UnsetType

from app.http.validation import Timestamp, Title, text

Content = Annotated[str, text(10000, min_length=1, description="1-10000 characters.")]
Role = Literal["user", "assistant", "system"]


class Message(msgspec.Struct):
    id: int
    conversation_id: int
    role: Role
    content: str
    created_at: Timestamp


class Conversation(msgspec.Struct):
    id: int
    title: str | None
    message_count: int
    last_message: Message | None
    created_at: Timestamp
    updated_at: Annotated[Timestamp, msgspec.Meta(
        description="The last activity: a change of the title or a new message.")]
    version: Annotated[int, msgspec.Meta(
        description="The version of what PATCH changes (the title), also the ETag: a new message "
        "changes message_count, last_message and updated_at, not the version.")]


class ConversationRow(msgspec.Struct):
    """A conversation as the queries return it: the last message's columns flattened."""

    id: int
    title: str | None
    message_count: int
    created_at: Timestamp
    updated_at: Timestamp
    version: int
    last_message_id: int | None
    last_message_role: str | None
    last_message_content: str | None
    last_message_created_at: Timestamp | None

    def conversation(self) -> Conversation:
        last = None
        if self.last_message_id is not None:  # then the message's other columns are set too
            last = Message(self.last_message_id, self.id, cast(Role, self.last_message_role),
                           cast(str, self.last_message_content),
                           cast(datetime, self.last_message_created_at))
        return Conversation(self.id, self.title, self.message_count, last, self.created_at,
                            self.updated_at, self.version)


class ConversationChange(ConversationRow):
    """A conversation as update_conversation returns it: with whether its last message was read
    at the version it changed (see sql/chat/update_conversation.sql)."""

    read_current: bool


class ConversationCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title | None = None

    def __post_init__(self) -> None:
        if self.title is not None:
            self.title = self.title.strip()


class ConversationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """``title: null`` clears the title; not sending it changes nothing."""

    title: Title | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        if isinstance(self.title, str):
            self.title = self.title.strip()


class MessageCreate(msgspec.Struct, forbid_unknown_fields=True):
    role: Role
    content: Content


