"""Chat data access: one method per use case, each one statement and one round trip."""

from __future__ import annotations

from datetime import datetime

from app.chat.models import (
    Conversation,
    ConversationChange,
    ConversationRow,
    ConversationUpdate,
    Message,
)
from app.db.queries import sql
from app.db.repository import Repository, changes
from app.kit.errors import AccountGone, not_found
from app.kit.limits import INFINITY
from app.kit.pages import Keyset, Page

_create = sql("chat/create_conversation", "user_id", "title", row=ConversationRow)
_get = sql("chat/get_conversation", "user_id", "conversation_id", row=ConversationRow, replica=True)
_list = sql(
    "chat/list_conversations", "user_id", "after_updated_at", "after_id", "limit",
    row=ConversationRow, replica=True,
)
_update = sql(
    "chat/update_conversation", "user_id", "conversation_id", "title", "title_sent", "if_match",
    row=ConversationChange,
)
_delete = sql("chat/delete_conversation", "user_id", "conversation_id", "if_match")
_version = sql("chat/get_conversation_version", "user_id", "conversation_id")
_create_message = sql(
    "chat/create_message", "user_id", "conversation_id", "role", "content", row=Message
)
_list_messages = sql(
    "chat/list_messages", "user_id", "conversation_id", "before_created_at", "before_id", "limit",
    row=Message, replica=True,
)

CONSTRAINTS = {
    # The account was deleted while the conversation was written; the conversation, while its
    # message was.
    "conversations_user_fkey": AccountGone(),
    "messages_conversation_fkey": not_found("conversation")(),
}

# Newest activity first, as conversations_user_updated_idx.
_ACTIVITY: Keyset[ConversationRow, tuple[datetime, int]] = Keyset("conversations", tuple[datetime, int], (INFINITY, 0),
                   ("after_updated_at", "after_id"), lambda c: (c.updated_at, c.id))
# Newest first, before a position, as messages_user_conversation_created_idx.
_MESSAGES: Keyset[Message, tuple[datetime, int]] = Keyset("messages", tuple[datetime, int], (INFINITY, 0),
                   ("before_created_at", "before_id"), lambda m: (m.created_at, m.id))


def _conversation(row: ConversationRow | None) -> Conversation | None:
    return None if row is None else row.conversation()


class ChatRepository(Repository):
    __slots__ = ()

    async def create(self, *, user_id: int, title: str | None) -> Conversation | None:
        return _conversation(await self.one(_create, user_id=user_id, title=title))

    async def get(self, *, user_id: int, conversation_id: int) -> Conversation | None:
        return _conversation(
            await self.one(_get, user_id=user_id, conversation_id=conversation_id)
        )

    async def list_conversations(self, *, user_id: int, cursor: str | None, limit: int) -> Page[Conversation]:
        """AccountGone when the account is gone or deactivated."""
        return await self.page(_list, _ACTIVITY, cursor=cursor, limit=limit,
                               convert=ConversationRow.conversation, user_id=user_id)

    async def update(
        self, *, user_id: int, conversation_id: int, patch: ConversationUpdate,
        if_match: list[int] | None,
    ) -> Conversation | None:
        """The renamed conversation; None when it is missing or (with ``if_match``) at another
        version. A title not sent stays as it is. When the rename waited for a new message, the
        conversation is read again, so that its last message is that of its version."""
        changed = await self.one(
            _update, user_id=user_id, conversation_id=conversation_id, if_match=if_match,
            **changes(patch, nullable=["title"]),
        )
        if changed is not None and not changed.read_current:
            return await self.get(user_id=user_id, conversation_id=conversation_id)
        return _conversation(changed)

    async def delete(
        self, *, user_id: int, conversation_id: int, if_match: list[int] | None
    ) -> bool:
        touched = await self.execute(
            _delete, user_id=user_id, conversation_id=conversation_id, if_match=if_match
        )
        return touched == 1

    async def version(self, *, user_id: int, conversation_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id,
                                               conversation_id=conversation_id)
        return version

    async def add_message(
        self, *, user_id: int, conversation_id: int, role: str, content: str
    ) -> Message | None:
        return await self.one(_create_message, user_id=user_id, conversation_id=conversation_id,
                              role=role, content=content)

    async def messages(
        self, *, user_id: int, conversation_id: int, before: str | None, limit: int,
    ) -> Page[Message]:
        """The newest page of messages strictly before the cursor ``before``, newest first;
        AccountGone when the account is gone or deactivated (an empty page also when the
        conversation is missing)."""
        return await self.page(_list_messages, _MESSAGES, cursor=before, limit=limit,
                               scope=(conversation_id,), parameter="before", user_id=user_id,
                               conversation_id=conversation_id)
