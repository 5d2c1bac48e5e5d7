"""Accounts data access."""

from __future__ import annotations

from app.accounts.limits import LoginLimits
from app.accounts.models import Login, User, UserUpdate
from app.db.queries import sql
from app.db.repository import Repository, changes
from app.kit.errors import Conflict, ErrorDetails, InvalidInput

_create = sql("accounts/create_user", "email", "name", "password_hash", "attempt_id", row=User)
_get = sql("accounts/get_user", "user_id", row=User)
_login = sql(
    "accounts/get_login", "email", "address", "window_seconds", "per_account_address", "per_account",
    "per_address", "trusted_seconds", row=Login,
)
_update = sql(
    "accounts/update_user", "user_id", "name", "preferred_language", "if_match", row=User
)
_delete = sql("accounts/delete_user", "user_id", "if_match")

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

    async def update(
        self, *, user_id: int, patch: UserUpdate, if_match: list[int] | None
    ) -> User | None:
        return await self.one(_update, user_id=user_id, if_match=if_match, **changes(patch))

    async def delete(self, *, user_id: int, if_match: list[int] | None) -> bool:
        return await self.execute(_delete, user_id=user_id, if_match=if_match) == 1

    async def version(self, *, user_id: int) -> int | None:
        user = await self.get(user_id=user_id)
        return None if user is None else user.version
