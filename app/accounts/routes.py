"""Accounts over HTTP: /auth/register, /auth/login and /users/me."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody

from app.http.auth import AUTH_DEPENDENCIES, UserId
from app.accounts.limits import client_address, refuse_if_limited
from app.kit.errors import AccountGone, Unauthorized
from app.http.etag import ETAG_HEADER, IfMatch, if_match_versions, missing_or_stale, with_etag
from app.http.openapi import errors
from app.accounts.models import (
    LoginRequest,
    RegisterRequest,
    RegisterResponse,
    TokenResponse,
    User,
    UserUpdate,
)

class AuthController(Controller):
    path = "/auth"
    tags = ["accounts"]

    @post("/register", operation_id="register", responses=errors(409, 429))
    async def register(self, data: JSONBody[RegisterRequest], request: Request, state: State
                       ) -> RegisterResponse:
        """Create an account and return it with an access token. An address with too many failed
        logins or registrations is refused (429) before any hashing."""
        attempt_id = await state.attempts.begin_registration(
            address=client_address(request), limits=state.login_limits
        )
        password_hash = await state.passwords.hash(data.password)
        user = await state.users.create(email=data.email, name=data.name,
                                        password_hash=password_hash, attempt_id=attempt_id)
        return RegisterResponse(
            user=user, access_token=state.tokens.issue(user.id), expires_in=state.tokens.ttl
        )

    @post("/login", operation_id="login", status_code=200, responses=errors(401, 429))
    async def login(self, data: JSONBody[LoginRequest], request: Request, state: State
                    ) -> TokenResponse:
        """Exchange email and password for an access token. Unknown email and wrong password
        answer the same 401, after the same amount of hashing work. Too many failures for the
        email, from the address, or both, are refused (429 with Retry-After) before any
        hashing."""
        address = client_address(request)
        found = await state.users.login(email=data.email, address=address,
                                        limits=state.login_limits)
        refuse_if_limited(account_address_wait=found.account_address_wait,
                          account_wait=found.account_wait, address_wait=found.address_wait)
        if not await state.passwords.verify(found.password_hash, data.password):
            raise Unauthorized("email or password is incorrect")
        assert found.id is not None
        await state.attempts.record_login(user_id=found.id, email=data.email, address=address)
        return TokenResponse(access_token=state.tokens.issue(found.id), expires_in=state.tokens.ttl)


class MeController(Controller):
    path = "/users/me"
    tags = ["accounts"]
    dependencies = AUTH_DEPENDENCIES
    security = [{"bearer": []}]

    @get("/", operation_id="getMe", responses=errors(401), response_headers=ETAG_HEADER)
    async def get_me(self, user_id: UserId, state: State) -> Response[User]:
        """The caller's account."""
        user = await state.users.get(user_id=user_id)
        if user is None:
            raise AccountGone()
        return with_etag(user, user.version)

    @patch("/", operation_id="updateMe", responses=errors(401, 412), response_headers=ETAG_HEADER)
    async def update_me(
        self, data: JSONBody[UserUpdate], user_id: UserId, state: State, if_match: IfMatch = None
    ) -> Response[User]:
        """Change the caller's name and/or preferred language (with If-Match: only at that
        version)."""
        versions = if_match_versions(if_match)
        user = await state.users.update(user_id=user_id, changes=data, if_match=versions)
        if user is None:
            raise await missing_or_stale(
                versions, lambda: state.users.version(user_id=user_id), AccountGone()
            )
        return with_etag(user, user.version)

    @delete("/", operation_id="deleteMe", responses=errors(401, 412))
    async def delete_me(self, user_id: UserId, state: State, if_match: IfMatch = None) -> None:
        """Delete the caller's account and everything it owns."""
        versions = if_match_versions(if_match)
        if not await state.users.delete(user_id=user_id, if_match=versions):
            raise await missing_or_stale(
                versions, lambda: state.users.version(user_id=user_id), AccountGone()
            )
