"""What the public account routes (register, login, refresh, logout, sign-in with Google) work
with, as one object: the accounts, sessions and login attempts, password hashing, token issuing,
the login limits and the Google ID token verifier (None when sign-in with Google is off)."""

from __future__ import annotations

from typing import NamedTuple

from app.accounts.google import GoogleVerifier
from app.accounts.limits import LoginAttemptRepository, LoginLimits
from app.accounts.passwords import Passwords
from app.accounts.repository import UserRepository
from app.accounts.sessions import RefreshToken, SessionRepository
from app.accounts.tokens import Tokens
from app.kit.errors import AccountGone, Unauthorized


class TokenPair(NamedTuple):
    access_token: str
    refresh_token: str
    expires_in: int


class Accounts:
    __slots__ = ("users", "attempts", "sessions", "passwords", "tokens", "limits",
                 "session_ttl", "google")

    def __init__(self, users: UserRepository, attempts: LoginAttemptRepository,
                 sessions: SessionRepository, passwords: Passwords, tokens: Tokens,
                 limits: LoginLimits, session_ttl: int, google: GoogleVerifier | None):
        self.users = users
        self.attempts = attempts
        self.sessions = sessions
        self.passwords = passwords
        self.tokens = tokens
        self.limits = limits
        self.session_ttl = session_ttl
        self.google = google

    async def start_session(self, user_id: int, user_agent: str,
                            sessions: SessionRepository | None = None) -> TokenPair:
        """A new session of the account (``sessions``: on a transaction's connection) and its
        first tokens; AccountGone when the account was deleted or deactivated meanwhile."""
        refresh = RefreshToken.new(user_id)
        started = await (sessions or self.sessions).start(
            token=refresh, user_agent=user_agent, ttl_seconds=self.session_ttl)
        if started is None:
            raise AccountGone()
        access = self.tokens.issue(user_id, started.id, started.expires_at)
        return TokenPair(access.token, refresh.token, access.expires_in)

    async def refresh(self, token: str, user_agent: str) -> TokenPair:
        """The next tokens of the session ``token`` belongs to, spending it."""
        spent = RefreshToken.parse(token)
        new = RefreshToken.new(spent.user_id)
        refreshed = await self.sessions.refresh(spent=spent, new=new, user_agent=user_agent)
        if refreshed.id is None or refreshed.expires_at is None:
            raise Unauthorized(
                "the refresh token was already used, so its session has been ended; sign in "
                "again" if refreshed.reused else "the refresh token is invalid or its session "
                "has ended")
        access = self.tokens.issue(spent.user_id, refreshed.id, refreshed.expires_at)
        return TokenPair(access.token, new.token, access.expires_in)
