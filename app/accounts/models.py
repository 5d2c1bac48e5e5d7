"""Account Structs: the user as the API shows it (never the hash), and the auth payloads."""

from __future__ import annotations

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
    no route of this service sets them (they belong to sign-in with Google and to billing, which
    this service does not implement)."""

    id: int
    email: str
    name: str
    google_id: Annotated[str | None, msgspec.Meta(
        description="The Google account this account signs in with, once linked; null for "
        "accounts with a password only. Read-only: this service has no Google sign-in.")]
    preferred_language: str
    subscription_tier: Annotated[Literal["free", "premium", "pro"], msgspec.Meta(
        description="The account's plan: free for every new account. Read-only here: set by "
        "billing, outside this service.")]
    trial_ends_at: Annotated[Timestamp | None, msgspec.Meta(
        description="When the account's trial of a paid plan ends; null when it has none. "
        "Read-only here: set by billing, outside this service.")]
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


class TokenResponse(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"


class RegisterResponse(msgspec.Struct):
    user: User
    access_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    preferred_language: Language | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.name is not UNSET:
            self.name = self.name.strip()
