"""Account Structs: the user as the API shows it (never the hash), and the auth payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from app.http.validation import END, WHITESPACE, Timestamp, text

Email = Annotated[
    str,
    msgspec.Meta(
        max_length=254,
        pattern=rf"^[^@\x00{WHITESPACE}]+@[^@\x00{WHITESPACE}]+\.[^@\x00{WHITESPACE}]+{END}",
        description="An email address; unique regardless of letter case.",
    ),
]
Password = Annotated[str, text(1024, min_length=8, description="8-1024 characters.")]
Name = Annotated[str, text(100, min_length=1, blank=False, description="1-100 characters, not blank.")]
Language = Annotated[
    str, msgspec.Meta(pattern=rf"^[a-z]{{2}}(-[A-Z]{{2}})?{END}",
                      description="A language tag: en, pt-BR.")
]


class User(msgspec.Struct):
    """The account. ``google_id``, ``subscription_tier`` and ``trial_ends_at`` are read-only here:
    sign-in with Google links the first, billing's webhook sets the other two."""

    id: int
    email: str
    name: str
    google_id: Annotated[str | None, msgspec.Meta(
        description="The Google account this account signs in with, once linked; null for "
        "accounts with a password only. Read-only: set by POST /auth/google.")]
    preferred_language: str
    subscription_tier: Annotated[Literal["free", "premium", "pro"], msgspec.Meta(
        description="The account's plan: free for every new account. Read-only here: set by "
        "billing (the payment provider's webhook).")]
    trial_ends_at: Annotated[Timestamp | None, msgspec.Meta(
        description="When the account's trial of a paid plan ends; null when it has none. "
        "Read-only here: set by billing (the payment provider's webhook).")]
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class Login(msgspec.Struct):
    """The row login needs before hashing: who (None when no active account has the email), the
    hash to verify against, and for each limit on failed logins that is reached, the seconds
    until it allows another attempt (see app/accounts/limits.py)."""

    id: int | None
    password_hash: str | None
    account_address_wait: int | None
    account_wait: int | None
    address_wait: int | None


class RegisterRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    name: Name
    password: Password

    def __post_init__(self) -> None:
        self.name = self.name.strip()


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, text(254, min_length=1)]
    password: Annotated[str, text(1024, min_length=1)]


RefreshToken = Annotated[str, text(200, min_length=1, description="A refresh token.")]


class TokenResponse(msgspec.Struct):
    """A sign-in's or a refresh's tokens. ``access_token`` (a bearer JWT) works for ``expires_in``
    seconds; ``refresh_token`` is opaque, works once (``POST /auth/refresh`` returns the next
    one), and its session ends ``APP_REFRESH_TOKEN_TTL_SECONDS`` after the sign-in."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"


class RegisterResponse(msgspec.Struct):
    user: User
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"


class GoogleSignInResponse(msgspec.Struct):
    """``created``: true when this sign-in made a new account."""

    access_token: str
    refresh_token: str
    expires_in: int
    created: bool
    token_type: Literal["bearer"] = "bearer"


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: RefreshToken


class GoogleSignInRequest(msgspec.Struct, forbid_unknown_fields=True):
    id_token: Annotated[str, text(8192, min_length=1, description="A Google ID token (a JWT).")]


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    """``current_password`` is required when the account has a password (an account made by
    sign-in with Google has none until it sets one here)."""

    new_password: Password
    current_password: Annotated[str, text(1024, min_length=1)] | None = None


class Session(msgspec.Struct):
    """A sign-in on one client that has not ended: ``current`` is the caller's own."""

    id: int
    created_at: Timestamp
    last_used_at: Timestamp
    expires_at: Timestamp
    user_agent: str
    current: bool


class SessionStart(msgspec.Struct):
    id: int
    expires_at: datetime


class Refreshed(msgspec.Struct):
    """A refresh: the session and its end when the token was rotated, else None; ``reused`` when
    the token had been spent before, and its session was revoked for it."""

    id: int | None
    expires_at: datetime | None
    reused: bool


class GoogleAccount(msgspec.Struct):
    """The account a Google identity signs in to (see sql/accounts/sign_in_with_google.sql)."""

    user_id: int | None
    created: bool
    account_gone: bool
    linked_elsewhere: bool


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    preferred_language: Language | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.name is not UNSET:
            self.name = self.name.strip()
