"""Accounts over HTTP: /auth (register, login, refresh, logout, sign-in with Google, the caller's
sessions, password change) and /users/me."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.accounts.limits import client_address, refuse_if_limited
from app.accounts.models import (
    GoogleSignInRequest,
    GoogleSignInResponse,
    LoginRequest,
    PasswordChange,
    RefreshRequest,
    RegisterRequest,
    RegisterResponse,
    Session,
    TokenResponse,
    User,
    UserUpdate,
)
from app.accounts.repository import UserRepository
from app.accounts.service import Accounts, TokenPair
from app.accounts.sessions import RefreshToken, SessionRepository, user_agent
from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.kit.errors import (AccountGone, ErrorDetails, Forbidden, InvalidInput, NotFound,
                            Unauthorized)
from app.kit.pages import Page

Users = NamedDependency[UserRepository]
Sessions = NamedDependency[SessionRepository]
AccountsService = NamedDependency[Accounts]
SessionId = Annotated[int, path_id("session")]

def _tokens(pair: TokenPair) -> TokenResponse:
    return TokenResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                         expires_in=pair.expires_in)


class AuthController(Controller):
    path = "/auth"
    tags = ["accounts"]

    @post("/register", operation_id="register", responses=errors(409, 429))
    async def register(self, data: JSONBody[RegisterRequest], request: Request[Any, Any, Any],
                       accounts: AccountsService) -> RegisterResponse:
        """Create an account and sign it in: the account, an access token and a refresh token.
        An address with too many failed logins or registrations is refused (429) before any
        hashing."""
        attempt_id = await accounts.attempts.begin_registration(
            address=client_address(request), limits=accounts.limits
        )
        password_hash = await accounts.passwords.hash(data.password)
        async with accounts.users.transaction() as users:
            user = await users.create(email=data.email, name=data.name,
                                      password_hash=password_hash, attempt_id=attempt_id)
            pair = await accounts.start_session(user.id, user_agent(request),
                                                accounts.sessions.on(users.db))
        return RegisterResponse(user=user, access_token=pair.access_token,
                                refresh_token=pair.refresh_token, expires_in=pair.expires_in)

    @post("/login", operation_id="login", status_code=200, responses=errors(401, 429))
    async def login(self, data: JSONBody[LoginRequest], request: Request[Any, Any, Any],
                    accounts: AccountsService) -> TokenResponse:
        """Exchange email and password for an access token and a refresh token (a new session).
        Unknown email, wrong password, and an account with no password (made by sign-in with
        Google) answer the same 401, after the same amount of hashing work. Too many failures
        for the email, from the address, or both, are refused (429 with Retry-After) before any
        hashing. A password hash made with older argon2 parameters is replaced by one made with
        the current ones."""
        address = client_address(request)
        found = await accounts.users.login(email=data.email, address=address,
                                           limits=accounts.limits)
        refuse_if_limited(account_address_wait=found.account_address_wait,
                          account_wait=found.account_wait, address_wait=found.address_wait)
        passwords = accounts.passwords
        if not await passwords.verify(found.password_hash, data.password):
            raise Unauthorized("email or password is incorrect", extra=None)
        assert found.id is not None and found.password_hash is not None
        rehashed = (await passwords.hash(data.password)
                    if passwords.needs_rehash(found.password_hash) else None)
        # The account deleted or deactivated since it was looked up: as a wrong password.
        if not await accounts.attempts.record_login(user_id=found.id, email=data.email,
                                                    address=address,
                                                    password_hash=found.password_hash,
                                                    new_password_hash=rehashed):
            raise Unauthorized("email or password is incorrect", extra=None)
        return _tokens(await accounts.start_session(found.id, user_agent(request)))

    @post("/google", operation_id="signInWithGoogle", status_code=200,
          responses=errors(401, 404, 409, 429))
    async def google(self, data: JSONBody[GoogleSignInRequest], request: Request[Any, Any, Any],
                     accounts: AccountsService) -> GoogleSignInResponse:
        """Sign in with a Google ID token: to the account linked to that Google account; else to
        the active account with its (verified) email, which is linked to it now; else to a new
        account with no password (``created``: true). 401 for a token that is not valid for this
        service (signature, issuer, audience, expiry, unverified email), or when that account is
        deactivated; 409 when the email's account is linked to another Google account; 503 with
        Retry-After when Google's keys cannot be fetched; 404 when the service has no
        APP_GOOGLE_CLIENT_IDS. An invalid token counts as a failure of the address, like a
        failed registration (429 over its limit)."""
        google = accounts.google
        if google is None:
            raise NotFound("sign-in with Google is not configured")
        attempt_id = await accounts.attempts.begin_registration(
            address=client_address(request), limits=accounts.limits
        )
        identity = await google.verify(data.id_token)
        pair, created = await accounts.sign_in_with_google(identity, attempt_id,
                                                           user_agent(request))
        return GoogleSignInResponse(access_token=pair.access_token,
                                    refresh_token=pair.refresh_token, expires_in=pair.expires_in,
                                    created=created)

    @post("/refresh", operation_id="refresh", status_code=200, responses=errors(401))
    async def refresh(self, data: JSONBody[RefreshRequest], request: Request[Any, Any, Any],
                      accounts: AccountsService) -> TokenResponse:
        """Spend a refresh token for a new access token and the next refresh token of the same
        session. A refresh token works once: presenting one already spent ends its whole session
        (its refresh and access tokens stop working) and answers 401; of two refreshes with the
        same token at the same moment, one succeeds."""
        return _tokens(await accounts.refresh(data.refresh_token, user_agent(request)))

    @post("/logout", operation_id="logout", status_code=204, responses=errors())
    async def logout(self, data: JSONBody[RefreshRequest], accounts: AccountsService) -> None:
        """End the session of this refresh token: its refresh and access tokens stop working.
        204 whatever the token (one that names no session has nothing to end)."""
        try:
            token = RefreshToken.parse(data.refresh_token)
        except Unauthorized:
            return
        await accounts.sessions.end(token=token)


class SessionController(UserController):
    path = "/auth"
    tags = ["accounts"]

    @post("/logout-all", operation_id="logoutEverywhere", status_code=204, responses=errors(401))
    async def logout_all(self, user_id: UserId, sessions: Sessions) -> None:
        """End every session of the account, this one included: every refresh and access token
        issued until now stops working at once."""
        if not await sessions.end_all(user_id=user_id):
            raise AccountGone()

    @get("/sessions", operation_id="listSessions", responses=errors(401))
    async def list_sessions(self, user_id: UserId, sessions: Sessions, limit: Limit = 20,
                            cursor: Cursor = None) -> Page[Session]:
        """The account's sessions that have not ended, newest first: when each signed in, was
        last refreshed and ends, the client's User-Agent, and which is the caller's own."""
        return await sessions.list_sessions(user_id=user_id, cursor=cursor, limit=limit)

    @delete("/sessions/{session_id:int}", operation_id="endSession", responses=errors(401, 404))
    async def end_session(self, session_id: SessionId, user_id: UserId,
                          sessions: Sessions) -> None:
        """End one of the account's sessions (the caller's own is a logout): its refresh and
        access tokens stop working."""
        if not await sessions.revoke(user_id=user_id, session_id=session_id):
            raise NotFound("session not found")

    @post("/password", operation_id="changePassword", status_code=204,
          responses=errors(401, 403, 429))
    async def change_password(self, data: JSONBody[PasswordChange], user_id: UserId,
                              request: Request[Any, Any, Any], users: Users,
                              accounts: AccountsService) -> None:
        """Set a new password (``current_password`` required when the account has one: 403 when
        it is wrong, with the limits of login: 429). Every other session of the account ends;
        this one goes on."""
        account = found(await users.get(user_id=user_id), AccountGone)
        address = client_address(request)
        check = await users.login(email=account.email, address=address, limits=accounts.limits)
        refuse_if_limited(account_address_wait=check.account_address_wait,
                          account_wait=check.account_wait, address_wait=check.address_wait)
        # No row of the account here (deactivated meanwhile): change_password finds it inactive.
        if check.password_hash is not None:
            if data.current_password is None:
                raise InvalidInput("current_password is required to change a password",
                                   extra=ErrorDetails(field="current_password"))
            if not await accounts.passwords.verify(check.password_hash, data.current_password):
                raise Forbidden("current_password is incorrect",
                                extra=ErrorDetails(field="current_password"))
        password_hash = await accounts.passwords.hash(data.new_password)
        if not await users.change_password(user_id=user_id, password_hash=password_hash,
                                           address=address):
            raise AccountGone()


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
