"""The Litestar application: lifespan (pool, queries), routes, error handlers, OpenAPI."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response
from litestar.datastructures import ResponseHeader, State
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

from app import __version__
from app.accounts.limits import (
    LoginAttemptRepository,
    LoginLimits,
    prune_expired_failures,
    prune_untrusted_addresses,
)
from app.accounts.passwords import Passwords
from app.accounts.tokens import Tokens
from app.chat.repository import ChatRepository
from app.chat.routes import ConversationController
from app.config import Settings, ensure_jwt_secret, load_settings
from app.db.errors import translate
from app.db.pool import Database, create_pool
from app.db.queries import load_queries, verify_queries
from app.kit.errors import AppError, ErrorBody, InvalidInput
from app.essays.repository import EssayRepository
from app.essays.routes import BatchController, EssayController
from app.http.etag import IF_MATCH_PATTERN
from app.health.routes import HealthController
from app.idempotency.keys import KEY_PATTERN, prune_expired
from app.http.openapi import describe_exactly, query_parameters
from app.http.pagination import Cursors
from app.kit.jobs import prune_periodically
from app.recipes.repository import RecipeRepository
from app.recipes.routes import RecipeController, TagController
from app.tasks.repository import TaskRepository
from app.tasks.routes import TaskController
from app.accounts.repository import UserRepository
from app.accounts.routes import AuthController, MeController
from app.http.validation import NO_NUL, NOT_BLANK

log = logging.getLogger("app")

# A new domain registers its controllers and its repository (reached as ``state.<name>``) here.
ROUTES = [
    HealthController, AuthController, MeController, TaskController, RecipeController, TagController,
    ConversationController, BatchController, EssayController,
]
REPOSITORIES = {
    "users": UserRepository, "tasks": TaskRepository, "recipes": RecipeRepository,
    "chat": ChatRepository, "essays": EssayRepository, "attempts": LoginAttemptRepository,
}


def _error(status: int, detail: str, extra: object = None, headers: dict | None = None) -> Response:
    return Response(ErrorBody(status, detail, extra), status_code=status, headers=headers)


def _app_error(_: Request, exc: AppError) -> Response:
    return _error(exc.status_code, exc.detail, exc.extra, exc.headers)


# msgspec names a failed pattern by its regex; say what the rule means instead.
_PATTERN_MESSAGES = {
    f"matching regex {NOT_BLANK!r}": "must not be blank or contain NUL characters",
    f"matching regex {NO_NUL!r}": "must not contain NUL characters",
    f"matching regex {KEY_PATTERN!r}": "must be printable ASCII characters",
    f"matching regex {IF_MATCH_PATTERN!r}": 'must be * or a list of quoted ETags like "3"',
}


def _readable(extra: object) -> object:
    if isinstance(extra, list):
        for item in extra:
            message = item.get("message") if isinstance(item, dict) else None
            if isinstance(message, str) and "matching regex" in message:
                meaning = next((m for needle, m in _PATTERN_MESSAGES.items() if needle in message),
                               "has the wrong format (its schema gives the pattern)")
                item["message"] = f"`{item.get('key')}` {meaning}"
    return extra


def _http_error(_: Request, exc: HTTPException) -> Response:
    return _error(exc.status_code, exc.detail, _readable(exc.extra) or None, exc.headers)


def _unexpected(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RecursionError):  # msgspec decoding a hostile body into an untyped field
        return _error(400, "the JSON body is nested too deeply", {"source": "body"})
    known = translate(exc)
    if known is not None:
        return _app_error(request, known)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error(500, "internal server error")


async def _allow_every_method(message: Message, scope: Scope) -> None:
    """Litestar 2 answers OPTIONS with the methods of only one of a path's handlers
    (litestar-org/litestar#4169, fixed in 3.0): put all of the path's methods in ``Allow``."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    path = scope.get("path_template")
    for route in scope["app"].routes:
        if isinstance(route, HTTPRoute) and route.path_format == path:
            allow = ", ".join(sorted(route.methods)).encode()
            headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"allow"]
            message["headers"] = [*headers, (b"allow", allow)]
            return


async def _only_documented_query(request: Request) -> None:
    """Answer 400 to a query parameter the document does not list (a misspelt filter would
    otherwise go unnoticed and list everything), before the token or the body is looked at."""
    if not request.scope["query_string"]:
        return
    names = request.app.state.query_parameters.get((request.scope["path_template"], request.method))
    if names is None:
        return
    unknown = sorted(request.query_params.keys() - names)
    if unknown:
        raise InvalidInput(f"unknown query parameter {unknown[0]!r}",
                           extra={"parameter": unknown[0]})


def create_app(settings: Settings | None = None, database_url: str | None = None) -> Litestar:
    """Build the app. With no arguments (the uvicorn factory) settings come from the environment,
    and DATABASE_URL and APP_JWT_SECRET must be set (``python -m app serve`` sets them)."""
    settings = ensure_jwt_secret(settings or load_settings())
    dsn = database_url or settings.database_url
    if dsn is None:
        raise RuntimeError("create_app needs a database URL")
    queries = load_queries()
    limits = LoginLimits.of(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = await create_pool(settings, dsn)
        passwords = Passwords(settings)
        db = Database(pool, settings.pool_acquire_timeout)
        try:
            async with pool.acquire() as conn:
                await verify_queries(conn, queries.values())
            state = app.state
            state.db = db
            state.passwords = passwords
            for name, repository in REPOSITORIES.items():
                state[name] = repository(db)
            state.accepting = True
            pruner = asyncio.create_task(prune_periodically({
                "expired idempotency keys": lambda: prune_expired(db),
                "expired login failures": lambda: prune_expired_failures(db, limits),
                "login addresses no longer trusted": lambda: prune_untrusted_addresses(db, limits),
            }))
            try:
                yield
            finally:
                pruner.cancel()
        finally:
            app.state.accepting = False
            passwords.close()
            await db.close()
            await pool.close()

    assert settings.jwt_secret is not None
    app = Litestar(
        route_handlers=ROUTES,
        lifespan=[lifespan],
        state=State({
            "tokens": Tokens(settings.jwt_secret, settings.token_ttl_seconds),
            "cursors": Cursors(settings.jwt_secret),
            "login_limits": limits,
            "accepting": False,
        }),
        exception_handlers={
            AppError: _app_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        request_max_body_size=settings.max_body_bytes,
        response_headers=[
            ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
            ResponseHeader(name="X-Frame-Options", value="DENY"),
            ResponseHeader(name="Referrer-Policy", value="no-referrer"),
            ResponseHeader(name="Cache-Control", value="no-store"),
        ],
        openapi_config=OpenAPIConfig(
            title="pgapi",
            version=__version__,
            description="Accounts and tasks over PostgreSQL: hand-written SQL, asyncpg, msgspec.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        before_request=_only_documented_query,
        before_send=[_allow_every_method],
        debug=False,
    )
    describe_exactly(app)
    app.state.query_parameters = query_parameters(app)
    return app
