"""Accounts data access."""

from __future__ import annotations

from app.accounts.limits import LoginLimits
from app.accounts.google import GoogleIdentity
from app.accounts.models import GoogleAccount, Login, User, UserUpdate
from app.db.queries import sql
from app.db.repository import Repository, changes
from app.kit.errors import AccountGone, Conflict, ErrorDetails, InvalidInput, Unauthorized

_create = sql("accounts/create_user", "email", "name", "password_hash", "attempt_id", row=User)
_get = sql("accounts/get_user", "user_id", row=User, replica=True)
_login = sql(
    "accounts/get_login", "email", "address", "window_seconds", "per_account_address", "per_account",
    "per_address", "trusted_seconds", row=Login,
)
_update = sql(
    "accounts/update_user", "user_id", "name", "preferred_language", "if_match", row=User
)
_delete = sql("accounts/delete_user", "user_id", "if_match")
_google = sql("accounts/sign_in_with_google", "google_id", "email", "name", "attempt_id",
              row=GoogleAccount)
_change_password = sql("accounts/change_password", "user_id", "password_hash", "address")

CONSTRAINTS = {
    "users_email_key": Conflict("this email is already registered",
                                extra=ErrorDetails(field="email")),
    "users_email_format": InvalidInput("email is not a valid address",
                                       extra=ErrorDetails(field="email")),
    "users_name_length": InvalidInput("name must be 1-100 characters, not blank",
                                      extra=ErrorDetails(field="name")),
    "users_preferred_language_format": InvalidInput(
        "preferred_language must look like en or pt-BR",
        extra=ErrorDetails(field="preferred_language")),
    # The account was deleted between its sign-in and the start of its session.
    "sessions_user_fkey": AccountGone(),
    # A session ended (logout, reuse) while its next refresh token was being written.
    "refresh_tokens_session_fkey": Unauthorized("the session has ended", extra=None),
}


class UserRepository(Repository):
    __slots__ = ()

    async def create(self, *, email: str, name: str, password_hash: str, attempt_id: int) -> User:
        """The new account; ``attempt_id`` (from ``begin_registration``) is deleted with it."""
        user = await self.one(_create, email=email, name=name, password_hash=password_hash,
                              attempt_id=attempt_id)
        assert user is not None  # an INSERT ... RETURNING without a WHERE returns its row
        return user

    async def get(self, *, user_id: int) -> User | None:
        return await self.one(_get, user_id=user_id)

    async def login(self, *, email: str, address: str, limits: LoginLimits) -> Login:
        """The account and the limits' verdict; records the attempt when no limit is reached."""
        found = await self.one(
            _login, email=email, address=address, window_seconds=limits.window_seconds,
            per_account_address=limits.per_account_address, per_account=limits.per_account,
            per_address=limits.per_address, trusted_seconds=limits.trusted_seconds,
        )
        assert found is not None  # the statement always returns its one row
        return found

    async def sign_in_with_google(self, *, identity: GoogleIdentity, attempt_id: int
                                  ) -> GoogleAccount:
        """The account of a verified Google identity, found, linked by email or created (see
        the statement); ``attempt_id`` (from ``begin_registration``) is deleted."""
        account = await self.one(_google, google_id=identity.google_id, email=identity.email,
                                 name=identity.name, attempt_id=attempt_id)
        assert account is not None  # the statement always returns its one row
        return account

    async def change_password(self, *, user_id: int, password_hash: str, address: str) -> bool:
        """Set the caller's password and end their other sessions; False when the account or
        the caller's session is gone."""
        return await self.value(_change_password, user_id=user_id, password_hash=password_hash,
                                address=address) is not None

    async def update(
        self, *, user_id: int, patch: UserUpdate, if_match: list[int] | None
    ) -> User | None:
        return await self.one(_update, user_id=user_id, if_match=if_match, **changes(patch))

    async def delete(self, *, user_id: int, if_match: list[int] | None) -> bool:
        return await self.execute(_delete, user_id=user_id, if_match=if_match) == 1

    async def version(self, *, user_id: int) -> int | None:
        user = await self.get(user_id=user_id)
        return None if user is None else user.version
