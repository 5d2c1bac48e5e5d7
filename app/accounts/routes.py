"""Accounts over HTTP: /auth/register, /auth/login and /users/me."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.accounts.limits import client_address, refuse_if_limited
from app.accounts.models import (
    LoginRequest,
    RegisterRequest,
    RegisterResponse,
    TokenResponse,
    User,
    UserUpdate,
)
from app.accounts.repository import UserRepository
from app.accounts.service import Accounts
from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, found, with_etag
from app.http.openapi import errors
from app.kit.errors import AccountGone, Unauthorized

Users = NamedDependency[UserRepository]
AccountsService = NamedDependency[Accounts]

class AuthController(Controller):
    path = "/auth"
    tags = ["accounts"]

    @post("/register", operation_id="register", responses=errors(409, 429))
    async def register(self, data: JSONBody[RegisterRequest], request: Request[Any, Any, Any],
                       accounts: AccountsService) -> RegisterResponse:
        """Create an account and return it with an access token. An address with too many failed
        logins or registrations is refused (429) before any hashing."""
        attempt_id = await accounts.attempts.begin_registration(
            address=client_address(request), limits=accounts.limits
        )
        password_hash = await accounts.passwords.hash(data.password)
        user = await accounts.users.create(email=data.email, name=data.name,
                                           password_hash=password_hash, attempt_id=attempt_id)
        tokens = accounts.tokens
        return RegisterResponse(user=user, access_token=tokens.issue(user.id),
                                expires_in=tokens.ttl)

    @post("/login", operation_id="login", status_code=200, responses=errors(401, 429))
    async def login(self, data: JSONBody[LoginRequest], request: Request[Any, Any, Any],
                    accounts: AccountsService) -> TokenResponse:
        """Exchange email and password for an access token. Unknown email and wrong password
        answer the same 401, after the same amount of hashing work. Too many failures for the
        email, from the address, or both, are refused (429 with Retry-After) before any
        hashing."""
        address = client_address(request)
        found = await accounts.users.login(email=data.email, address=address,
                                           limits=accounts.limits)
        refuse_if_limited(account_address_wait=found.account_address_wait,
                          account_wait=found.account_wait, address_wait=found.address_wait)
        # A wrong password, or an account deleted or deactivated since it was looked up.
        if not (await accounts.passwords.verify(found.password_hash, data.password)
                and found.id is not None
                and await accounts.attempts.record_login(user_id=found.id, email=data.email,
                                                         address=address)):
            raise Unauthorized("email or password is incorrect", extra=None)
        tokens = accounts.tokens
        return TokenResponse(access_token=tokens.issue(found.id), expires_in=tokens.ttl)


class MeController(UserController):
    path = "/users/me"
    tags = ["accounts"]

    @get("/", operation_id="getMe", responses=errors(401), response_headers=ETAG_HEADER)
    async def get_me(self, user_id: UserId, users: Users) -> Response[User]:
        """The caller's account."""
        return with_etag(found(await users.get(user_id=user_id), AccountGone))

    @patch("/", operation_id="updateMe", responses=errors(401, 412), response_headers=ETAG_HEADER)
    async def update_me(
        self, data: JSONBody[UserUpdate], user_id: UserId, users: Users,
        if_match: IfMatch = None,
    ) -> Response[User]:
        """Change the caller's name and/or preferred language (with If-Match: only at that
        version)."""
        user = await conditionally(
            if_match,
            lambda versions: users.update(user_id=user_id, patch=data, if_match=versions),
            lambda: users.version(user_id=user_id), AccountGone,
        )
        return with_etag(user)

    @delete("/", operation_id="deleteMe", responses=errors(401, 412))
    async def delete_me(self, user_id: UserId, users: Users,
                        if_match: IfMatch = None) -> None:
        """Delete the caller's account and everything it owns."""
        await conditionally(
            if_match,
            lambda versions: users.delete(user_id=user_id, if_match=versions),
            lambda: users.version(user_id=user_id), AccountGone,
        )
