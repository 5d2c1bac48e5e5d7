"""Sign-in sessions and their refresh tokens (sql/accounts/*session*.sql, migration 0020).

A refresh token is ``<user id>.<43 characters>``: 256 random bits after the id of its user, which
finds it under the user's key (``refresh_tokens_pkey (user_id, token_hash)``, the layout every
table here keeps). Only the SHA-256 of the whole token is stored: the token has all the entropy a
password hash would protect, so a fast hash is enough and a leaked table holds nothing usable.

A refresh spends its token for the next one in one statement (``refresh_session``); presenting a
spent token again revokes its session, as RFC 9700 (4.14.2) advises, since the server cannot tell
whether the client or a thief presents it. A session ends ``APP_REFRESH_TOKEN_TTL_SECONDS`` after
its sign-in however often it refreshes (an absolute timeout, as OWASP's session guidance asks), at
a logout, a logout-all, a password change elsewhere, or a reuse. Each worker deletes ended
sessions hourly (``prune_expired_sessions``).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, NamedTuple

from litestar import Request

from app.accounts.models import Refreshed, Session, SessionStart
from app.db.queries import sql
from app.db.repository import Executor, Repository
from app.kit.errors import Unauthorized
from app.kit.jobs import PRUNE_BATCH, prune_in_batches
from app.kit.limits import MAX_BIGINT
from app.kit.pages import Keyset, Page

MAX_USER_AGENT = 512
_SECRET_LENGTH = 43  # secrets.token_urlsafe(32)
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

_start = sql("accounts/start_session", "user_id", "token_hash", "user_agent", "ttl_seconds",
             row=SessionStart)
_refresh = sql("accounts/refresh_session", "user_id", "token_hash", "new_token_hash",
               "user_agent", row=Refreshed)
_end = sql("accounts/end_session", "user_id", "token_hash")
_end_all = sql("accounts/end_all_sessions", "user_id")
_revoke = sql("accounts/revoke_session", "user_id", "ended_session_id")
_list = sql("accounts/list_sessions", "user_id", "after_id", "limit", row=Session)
_prune = sql("accounts/prune_expired_sessions", "batch_size")

_NEWEST: Keyset[Session, tuple[int]] = Keyset(
    "sessions", tuple[int], (MAX_BIGINT,), ("after_id",), lambda s: (s.id,))


class RefreshToken(NamedTuple):
    user_id: int
    token: str
    digest: bytes

    @classmethod
    def new(cls, user_id: int) -> RefreshToken:
        token = f"{user_id}.{secrets.token_urlsafe(32)}"
        return cls(user_id, token, _digest(token))

    @classmethod
    def parse(cls, token: str) -> RefreshToken:
        """The token a client sent, or Unauthorized when it cannot be one of ours."""
        user, _, secret = token.partition(".")
        if (not (user.isascii() and user.isdigit()) or not 0 < int(user) <= MAX_BIGINT
                or len(secret) != _SECRET_LENGTH or not _URLSAFE.issuperset(secret)):
            raise Unauthorized("the refresh token is invalid")
        return cls(int(user), token, _digest(token))


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def user_agent(request: Request[Any, Any, Any]) -> str:
    """The client's User-Agent as a session remembers it: at most MAX_USER_AGENT characters."""
    agent = next((value for name, value in request.scope["headers"] if name == b"user-agent"),
                 b"")
    return agent.decode("latin-1")[:MAX_USER_AGENT]


class SessionRepository(Repository):
    __slots__ = ()

    async def start(self, *, token: RefreshToken, user_agent: str, ttl_seconds: int
                    ) -> SessionStart | None:
        """A new session of the token's user, or None when the account is gone."""
        return await self.one(_start, user_id=token.user_id, token_hash=token.digest,
                              user_agent=user_agent, ttl_seconds=ttl_seconds)

    async def refresh(self, *, spent: RefreshToken, new: RefreshToken, user_agent: str
                      ) -> Refreshed:
        refreshed = await self.one(_refresh, user_id=spent.user_id, token_hash=spent.digest,
                                   new_token_hash=new.digest, user_agent=user_agent)
        assert refreshed is not None  # the statement always returns its one row
        return refreshed

    async def end(self, *, token: RefreshToken) -> None:
        await self.execute(_end, user_id=token.user_id, token_hash=token.digest)

    async def end_all(self, *, user_id: int) -> bool:
        """End every session of the caller's account; False when the caller's session (or the
        account) is gone."""
        return await self.execute(_end_all, user_id=user_id) > 0

    async def revoke(self, *, user_id: int, session_id: int) -> bool:
        return await self.execute(_revoke, user_id=user_id, ended_session_id=session_id) == 1

    async def list_sessions(self, *, user_id: int, cursor: str | None, limit: int
                            ) -> Page[Session]:
        return await self.page(_list, _NEWEST, cursor=cursor, limit=limit, user_id=user_id)


async def prune_expired_sessions(db: Executor, *, batch_size: int = PRUNE_BATCH) -> int:
    """Delete every session that has ended, a batch per statement; how many went."""
    return await prune_in_batches(Repository(db), _prune, batch_size=batch_size)
