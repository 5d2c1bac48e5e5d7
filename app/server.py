"""The Litestar application: ``create_app`` wires a list of domain modules (``app.modules``) into
one app: their controllers, queries, constraint messages, dependencies and housekeeping, with the
lifespan (pool), error handlers and OpenAPI document they share.

Dependencies. A module's repositories are built once per app and given to the handlers that take
a parameter of their name and type (``tasks: TaskRepository``). Each one's provider takes
``user_id``, so Litestar resolves it after the bearer token: one dependency after another, where
two independent ones would be resolved concurrently in a task group, which cost more than the
rest of the framework's work on a request (measured: about 2.5x the time of ``GET
/tasks/{id}``'s routing and parameters). It also means that a handler that takes a repository is
authenticated. A module's services (health, the public account routes) are given as they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import ResponseHeader, State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

from app import __version__
from app.accounts.tokens import Tokens
from app.config import Settings, ensure_jwt_secret, load_settings
from app.db.errors import ErrorTranslator
from app.db.pool import Database, create_pool
from app.db.queries import bind_queries, verify_queries
from app.db.repository import Context
from app.http.auth import AUTH_DEPENDENCIES, UserId
from app.http.body import JSONRequest, attach_readers
from app.http.errors import exception_handlers
from app.http.openapi import describe_exactly, query_parameters
from app.kit.domain import Module, Setup
from app.kit.errors import ErrorDetails, InvalidInput
from app.kit.jobs import prune_periodically
from app.kit.pages import Cursors
from app.modules import MODULES

log = logging.getLogger("app")


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


async def _only_documented_query(request: Request[Any, Any, Any]) -> None:
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
                           extra=ErrorDetails(parameter=unknown[0]))


def _for_the_caller(instance: object) -> Callable[..., object]:
    """A provider of ``instance`` that Litestar resolves after ``user_id`` (see the module's
    docstring)."""

    def provide(user_id: UserId) -> object:
        return instance

    return provide


def _as_is(instance: object) -> Callable[..., object]:
    def provide() -> object:
        return instance

    return provide


def _check_dependency_names(app: Litestar, names: set[str]) -> None:
    """Litestar reads a validation error whose key (a body field or a parameter) is also the name
    of a dependency as the dependency's failure, and answers 500 instead of 400: so no dependency
    may be named like a top-level body field or a parameter of any route."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for name, field in handler.parsed_fn_signature.parameters.items():
                if name in names:
                    continue
                fields = {name}
                if name == "data":
                    fields = set(getattr(field.annotation, "__struct_fields__", ()))
                if clash := fields & names:
                    raise ValueError(f"{handler.handler_name}: the dependency {sorted(clash)[0]!r} "
                                     "is named like a field or parameter of this route; rename it")


def create_app(settings: Settings | None = None, database_url: str | None = None,
               modules: Sequence[Module] = MODULES) -> Litestar:
    """Build the app. With no arguments (the uvicorn factory) settings come from the environment,
    and DATABASE_URL and APP_JWT_SECRET must be set (``python -m app serve`` sets them)."""
    settings = ensure_jwt_secret(settings or load_settings())
    dsn = database_url or settings.database_url
    if dsn is None:
        raise RuntimeError("create_app needs a database URL")
    assert settings.jwt_secret is not None
    queries = bind_queries([q for m in modules for q in m.queries], complete=True)
    errors = ErrorTranslator({k: v for m in modules for k, v in m.constraints.items()})
    db = Database(None, settings.pool_acquire_timeout)
    tokens = Tokens(settings.jwt_secret, settings.token_ttl_seconds)
    setup = Setup(settings, Context(db, errors, Cursors(settings.jwt_secret)), tokens)

    dependencies: dict[str, Provide] = dict(AUTH_DEPENDENCIES)
    for module in modules:
        provided = {
            **{name: _for_the_caller(setup.repository(cls))
               for name, cls in module.repositories.items()},
            **{name: _as_is(service)
               for name, service in (module.services(setup) if module.services else {}).items()},
        }
        for name, provide in provided.items():
            if name in dependencies:
                raise ValueError(f"two modules provide a dependency named {name!r}")
            dependencies[name] = Provide(provide, sync_to_thread=False)
    pruners = {what: prune for m in modules if m.jobs for what, prune in m.jobs(setup).items()}

    verified: list[bool] = []

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = await create_pool(settings, dsn)
        try:
            if not verified:  # once per app: the tests start one app many times on one schema
                async with pool.acquire() as conn:
                    await verify_queries(conn, queries.values())
                verified.append(True)
            db.attach(pool)
            db.serving = True
            pruner = asyncio.create_task(prune_periodically(pruners))
            try:
                yield
            finally:
                pruner.cancel()
        finally:
            db.serving = False
            for close in setup.closers:
                close()
            await db.close()
            await pool.close()

    app = Litestar(
        route_handlers=[c for m in modules for c in m.controllers],
        lifespan=[lifespan],
        dependencies=dependencies,
        state=State({"tokens": tokens}),
        exception_handlers=exception_handlers(errors),  # type: ignore[arg-type]
        request_class=JSONRequest,
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
    _check_dependency_names(app, set(dependencies))
    describe_exactly(app, [s for m in modules for s in m.schemas])
    attach_readers(app)
    app.state.query_parameters = query_parameters(app)
    return app
