"""Chat over HTTP: /conversations and their /messages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter, QueryParameter

from app.http.auth import AUTH_DEPENDENCIES, UserId
from app.chat.models import (
    Conversation,
    ConversationCreate,
    ConversationPage,
    ConversationUpdate,
    Message,
    MessageCreate,
    MessagePage,
)
from app.kit.errors import AccountGone, NotFound
from app.http.etag import ETAG_HEADER, IfMatch, if_match_versions, missing_or_stale, with_etag
from app.idempotency.keys import IdempotencyKey, created
from app.http.openapi import errors
from app.http.pagination import MAX_CURSOR_LENGTH, Cursor, Limit
from app.http.validation import MAX_BIGINT

ConversationId = Annotated[
    int, PathParameter(ge=1, le=MAX_BIGINT, description="The conversation's id.")
]
Before = Annotated[
    str | None,
    QueryParameter(max_length=MAX_CURSOR_LENGTH,
                   description="next_cursor of the previous (newer) page: the messages before it."),
]

_SCOPE = "conversations"


def _messages_scope(conversation_id: int) -> str:
    return f"messages:{conversation_id}"


def _not_found() -> NotFound:
    return NotFound("conversation not found")


class ConversationController(Controller):
    path = "/conversations"
    tags = ["chat"]
    dependencies = AUTH_DEPENDENCIES
    security = [{"bearer": []}]

    @post("/", operation_id="createConversation", responses=errors(401, 409, 422),
          response_headers=ETAG_HEADER)
    async def create_conversation(
        self, data: JSONBody[ConversationCreate], user_id: UserId, state: State,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Conversation]:
        """Start a conversation, optionally titled (trimmed)."""
        result = await created(
            state.db, idempotency_key, "createConversation", data, Conversation, user_id=user_id,
            create=lambda db: state.chat.on(db).create(user_id=user_id, title=data.title),
        )
        if result is None:
            raise AccountGone()
        status, conversation = result
        return with_etag(conversation, conversation.version, status)

    @get("/", operation_id="listConversations", responses=errors(401))
    async def list_conversations(
        self, user_id: UserId, state: State, limit: Limit = 20, cursor: Cursor = None
    ) -> ConversationPage:
        """The caller's conversations, newest activity first, each with its message count and last
        message, a page at a time (keyset pagination)."""
        after = None
        if cursor is not None:
            after = state.cursors.decode(_SCOPE, cursor, tuple[datetime, int])
        rows = await state.chat.list(user_id=user_id, after=after, limit=limit + 1)
        if rows is None:
            raise AccountGone()
        next_cursor = state.cursors.next_page(_SCOPE, rows, limit, lambda c: (c.updated_at, c.id))
        return ConversationPage(items=rows, next_cursor=next_cursor)

    @get("/{conversation_id:int}", operation_id="getConversation", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_conversation(
        self, conversation_id: ConversationId, user_id: UserId, state: State
    ) -> Response[Conversation]:
        """One conversation with its message count and last message."""
        conversation = await state.chat.get(user_id=user_id, conversation_id=conversation_id)
        if conversation is None:
            raise _not_found()
        return with_etag(conversation, conversation.version)

    @patch("/{conversation_id:int}", operation_id="updateConversation",
           responses=errors(401, 404, 412), response_headers=ETAG_HEADER)
    async def update_conversation(
        self,
        conversation_id: ConversationId,
        data: JSONBody[ConversationUpdate],
        user_id: UserId,
        state: State,
        if_match: IfMatch = None,
    ) -> Response[Conversation]:
        """Rename it (``title: null`` clears the title); with If-Match, only at that version."""
        versions = if_match_versions(if_match)
        conversation = await state.chat.update(
            user_id=user_id, conversation_id=conversation_id, changes=data, if_match=versions
        )
        if conversation is None:
            raise await missing_or_stale(
                versions,
                lambda: state.chat.version(user_id=user_id, conversation_id=conversation_id),
                _not_found(),
            )
        return with_etag(conversation, conversation.version)

    @delete("/{conversation_id:int}", operation_id="deleteConversation",
            responses=errors(401, 404, 412))
    async def delete_conversation(
        self, conversation_id: ConversationId, user_id: UserId, state: State,
        if_match: IfMatch = None,
    ) -> None:
        """Delete a conversation and all its messages; with If-Match, only at that version."""
        versions = if_match_versions(if_match)
        deleted = await state.chat.delete(
            user_id=user_id, conversation_id=conversation_id, if_match=versions
        )
        if not deleted:
            raise await missing_or_stale(
                versions,
                lambda: state.chat.version(user_id=user_id, conversation_id=conversation_id),
                _not_found(),
            )

    @post("/{conversation_id:int}/messages", operation_id="createMessage",
          responses=errors(401, 404, 409, 422))
    async def create_message(
        self, conversation_id: ConversationId, data: JSONBody[MessageCreate], user_id: UserId,
        state: State, idempotency_key: IdempotencyKey = None,
    ) -> Response[Message]:
        """Add a message; the conversation's message count and last activity move with it."""
        result = await created(
            state.db, idempotency_key, f"createMessage:{conversation_id}", data, Message,
            user_id=user_id,
            create=lambda db: state.chat.on(db).add_message(
                user_id=user_id, conversation_id=conversation_id, role=data.role,
                content=data.content,
            ),
        )
        if result is None:
            raise _not_found()
        status, message = result
        return Response(message, status_code=status)

    @get("/{conversation_id:int}/messages", operation_id="listMessages",
         responses=errors(401, 404))
    async def list_messages(
        self, conversation_id: ConversationId, user_id: UserId, state: State,
        limit: Limit = 50, before: Before = None,
    ) -> MessagePage:
        """The newest page of messages, oldest-to-newest within the page; pass ``next_cursor`` as
        ``before`` for the page of older messages, until it is null."""
        scope = _messages_scope(conversation_id)
        position = None
        if before is not None:
            position = state.cursors.decode(scope, before, tuple[datetime, int],
                                            parameter="before")
        rows = await state.chat.messages(user_id=user_id, conversation_id=conversation_id,
                                         before=position, limit=limit + 1)
        if rows is None:
            raise AccountGone()
        if not rows and await state.chat.version(
            user_id=user_id, conversation_id=conversation_id
        ) is None:
            raise _not_found()
        next_cursor = state.cursors.next_page(scope, rows, limit, lambda m: (m.created_at, m.id))
        rows.reverse()
        return MessagePage(items=rows, next_cursor=next_cursor)
