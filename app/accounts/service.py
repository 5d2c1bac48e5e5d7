"""What the public account routes (register, login, refresh, logout, sign-in with Google) work
with, as one object: the accounts, sessions and login attempts, password hashing, token issuing,
the login limits and the Google ID token verifier (None when sign-in with Google is off)."""

from __future__ import annotations

from typing import NamedTuple

from app.accounts.google import GoogleIdentity, GoogleVerifier
from app.accounts.limits import LoginAttemptRepository, LoginLimits
from app.accounts.passwords import Passwords
from app.accounts.repository import UserRepository
from app.accounts.sessions import RefreshToken, SessionRepository
from app.accounts.tokens import Tokens
from app.kit.errors import AccountGone, Conflict, Unauthorized, Unavailable


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

    async def sign_in_with_google(self, identity: GoogleIdentity, attempt_id: int,
                                  user_agent: str) -> tuple[TokenPair, bool]:
        """A new session of the account of a verified Google identity (found, linked by email or
        made), and whether it was made now. In one transaction: when the account cannot be
        found or made because a concurrent sign-in or registration wrote it first, the
        statement runs again and finds it."""
        async with self.users.transaction() as users:
            for _ in range(2):
                account = await users.sign_in_with_google(identity=identity,
                                                          attempt_id=attempt_id)
                if account.user_id is not None or account.account_gone:
                    break
                if account.linked_elsewhere:
                    raise Conflict(
                        "the account with this email is linked to another Google account")
            if account.account_gone:
                raise AccountGone()
            if account.user_id is None:
                raise Unavailable("a concurrent sign-in changed this account; retry")
            pair = await self.start_session(account.user_id, user_agent,
                                            self.sessions.on(users.db))
        return pair, account.created
