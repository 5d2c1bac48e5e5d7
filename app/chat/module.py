"""The chat domain (conversations and their messages), as the app wires it."""

from __future__ import annotations

from app.chat import repository
from app.chat.repository import ChatRepository
from app.chat.routes import ConversationController
from app.db.queries import queries_in
from app.kit.domain import Module

module = Module(
    name="chat",
    controllers=[ConversationController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"chat": ChatRepository},
)
