"""Chat over HTTP: /conversations and their /messages."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from app.chat.models import (Conversation, ConversationCreate, ConversationUpdate, Message,
                             MessageCreate)
from app.chat.repository import ChatRepository
from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, creates, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.idempotency.keys import IdempotencyKey, created
from app.kit.errors import AccountGone, not_found
from app.kit.limits import MAX_CURSOR_LENGTH
from app.kit.pages import Page

Chat = NamedDependency[ChatRepository]
ConversationId = Annotated[int, path_id("conversation")]
Before = Annotated[
    str | None,
    QueryParameter(max_length=MAX_CURSOR_LENGTH,
                   description="next_cursor of the previous (newer) page: the messages before it."),
]

_not_found = not_found("conversation")


class ConversationController(UserController):
    path = "/conversations"
    tags = ["chat"]

    @creates("createConversation")
    async def create_conversation(
        self, data: JSONBody[ConversationCreate], user_id: UserId, chat: Chat,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Conversation]:
        """Start a conversation, optionally titled (trimmed)."""
        status, conversation = await created(
            chat, idempotency_key, "createConversation", data, Conversation, user_id=user_id,
            create=lambda repo: repo.create(user_id=user_id, title=data.title),
            missing=AccountGone,
        )
        return with_etag(conversation, status)

    @get("/", operation_id="listConversations", responses=errors(401))
    async def list_conversations(
        self, user_id: UserId, chat: Chat, limit: Limit = 20, cursor: Cursor = None
    ) -> Page[Conversation]:
        """The caller's conversations, newest activity first, each with its message count and last
        message, a page at a time (keyset pagination)."""
        return await chat.list_conversations(user_id=user_id, cursor=cursor, limit=limit)

    @get("/{conversation_id:int}", operation_id="getConversation", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_conversation(
        self, conversation_id: ConversationId, user_id: UserId, chat: Chat
    ) -> Response[Conversation]:
        """One conversation with its message count and last message."""
        conversation = await chat.get(user_id=user_id, conversation_id=conversation_id)
        return with_etag(found(conversation, _not_found))

    @patch("/{conversation_id:int}", operation_id="updateConversation",
           responses=errors(401, 404, 412), response_headers=ETAG_HEADER)
    async def update_conversation(
        self,
        conversation_id: ConversationId,
        data: JSONBody[ConversationUpdate],
        user_id: UserId,
        chat: Chat,
        if_match: IfMatch = None,
    ) -> Response[Conversation]:
        """Rename it (``title: null`` clears the title); with If-Match, only at that version."""
        conversation = await conditionally(
            if_match,
            lambda versions: chat.update(user_id=user_id, conversation_id=conversation_id,
                                         patch=data, if_match=versions),
            lambda: chat.version(user_id=user_id, conversation_id=conversation_id), _not_found,
        )
        return with_etag(conversation)

    @delete("/{conversation_id:int}", operation_id="deleteConversation",
            responses=errors(401, 404, 412))
    async def delete_conversation(
        self, conversation_id: ConversationId, user_id: UserId, chat: Chat,
        if_match: IfMatch = None,
    ) -> None:
        """Delete a conversation and all its messages; with If-Match, only at that version."""
        await conditionally(
            if_match,
            lambda versions: chat.delete(user_id=user_id, conversation_id=conversation_id,
                                         if_match=versions),
            lambda: chat.version(user_id=user_id, conversation_id=conversation_id), _not_found,
        )

    @post("/{conversation_id:int}/messages", operation_id="createMessage",
          responses=errors(401, 404, 409, 422))
    async def create_message(
        self, conversation_id: ConversationId, data: JSONBody[MessageCreate], user_id: UserId,
        chat: Chat, idempotency_key: IdempotencyKey = None,
    ) -> Response[Message]:
        """Add a message; the conversation's message count and last activity move with it."""
        status, message = await created(
            chat, idempotency_key, f"createMessage:{conversation_id}", data, Message,
            user_id=user_id, missing=_not_found,
            create=lambda repo: repo.add_message(user_id=user_id, conversation_id=conversation_id,
                                                 role=data.role, content=data.content),
        )
        return Response(message, status_code=status)

    @get("/{conversation_id:int}/messages", operation_id="listMessages",
         responses=errors(401, 404))
    async def list_messages(
        self, conversation_id: ConversationId, user_id: UserId, chat: Chat,
        limit: Limit = 50, before: Before = None,
    ) -> Page[Message]:
        """The newest page of messages, oldest-to-newest within the page; pass ``next_cursor`` as
        ``before`` for the page of older messages, until it is null."""
        page = await chat.messages(user_id=user_id, conversation_id=conversation_id,
                                   before=before, limit=limit)
        if not page.items and await chat.version(
            user_id=user_id, conversation_id=conversation_id
        ) is None:
            raise _not_found()
        page.items.reverse()
        return page
