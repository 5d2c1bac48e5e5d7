"""The Litestar application: ``create_app`` wires a list of domain modules (``app.modules``) into
one app: their controllers, queries, constraint messages, dependencies and housekeeping, with the
lifespan (pool), error handlers and OpenAPI document they share.

Dependencies. A module's repositories are built once per app and given to the handlers that take
a parameter of their name and type (``tasks: TaskRepository``). Each one's provider takes
``user_id``, so Litestar resolves it after the bearer token: one dependency after another, where
two independent ones would be resolved concurrently in a task group, which cost more than the
rest of the framework's work on a request (measured: about 2.5x the time of ``GET
/tasks/{id}``'s routing and parameters). It also means that a handler that takes a repository is
authenticated, and the repository it gets acts for the caller: its statements check the token's
session (``Repository.acting_for``). A module's services (health, the public account routes) are
given as they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.config.cors import CORSConfig
from litestar.datastructures import ResponseHeader, State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

from app import __version__
from app.accounts.tokens import Tokens
from app.config import Settings, ensure_jwt_secret, load_settings
from app.db.errors import ErrorTranslator
from app.db.pool import Database, create_pool
from app.db.queries import bind_queries, verify_queries
from app.db.repository import Context, Repository
from app.db.servers import Reads, check_session_settings
from app.http.auth import AUTH_DEPENDENCIES, UserId, caller_of
from app.http.compression import CompressionMiddleware
from app.http.consistency import read_your_writes
from app.http.docs import IndexController, schema_router, swagger_page
from app.http.body import JSONRequest, attach_readers
from app.http.errors import exception_handlers
from app.http.openapi import describe_exactly, query_parameters
from app.http.request_id import RequestIdMiddleware
from app.kit.domain import Module, Setup
from app.kit.errors import ErrorDetails, InvalidInput
from app.kit.jobs import prune_periodically
from app.kit.metrics import PREFIX, Usage, publish_pools, worker_stopped
from app.kit.pages import Cursors
from app.kit.tracing import RouteSpanName, tracing
from app.modules import MODULES

log = logging.getLogger("app")

DESCRIPTION = """\
Accounts, tasks, recipes (with free-form JSON documents), chat conversations and essay batches for
a family of multi-user apps, over PostgreSQL.

Register (`POST /auth/register`) or log in (`POST /auth/login`) and send the access token as
`Authorization: Bearer <token>`. Every error is JSON: `{"status_code", "detail", "extra"}`.
Updatable resources carry a `version`, also sent as a strong `ETag`: send it back in `If-Match`
and a write that would overwrite someone else's change is refused with 412. Creates accept an
`Idempotency-Key`. Lists are keyset pages, `{items, next_cursor}`: pass `next_cursor` back as
`cursor` for the next page.
"""


class MetricsController(PrometheusController):
    """``GET /metrics``: Prometheus's text format (left out of the OpenAPI document)."""

    include_in_schema = False


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


def _for_the_caller(instance: Repository) -> Callable[..., object]:
    """A provider of ``instance`` acting for the caller (its statements check the caller's
    session), which Litestar resolves after ``user_id`` (see the module's docstring)."""

    def provide(user_id: UserId, request: Request[Any, Any, Any]) -> object:
        return instance.acting_for(caller_of(request).session_id)

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


def _cors(settings: Settings) -> CORSConfig | None:
    """Browsers on these origins may call the API (with a bearer token: no cookies, so no
    credentials mode) and read its ETag and Retry-After; without origins, none may."""
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
        expose_headers=["ETag", "Retry-After", "WWW-Authenticate"],
        max_age=3600,
    )


def _compression(settings: Settings) -> list[DefineMiddleware]:
    """Brotli, else gzip, for bodies of at least ``compression_min_bytes``; 0 turns it off."""
    if not settings.compression_min_bytes:
        return []
    return [DefineMiddleware(CompressionMiddleware, minimum_size=settings.compression_min_bytes)]


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
    db = Database(None, settings.pool_acquire_timeout, timeout=settings.database_timeout,
                  fault_hold=settings.ready_hold_seconds)
    reads = Reads(db, settings) if settings.read_database_urls else None
    tracer, tracing_plugin = tracing() if settings.tracing else (None, None)
    tokens = Tokens(settings.jwt_secret, settings.access_token_ttl_seconds)
    setup = Setup(settings, Context(db, errors, Cursors(settings.jwt_secret), reads, tracer),
                  tokens)

    def pools() -> dict[str, Usage]:
        replicas = reads.replicas if reads is not None else []
        return {"primary": db.usage, **{r.name: r.db.usage for r in replicas}}

    dependencies: dict[str, Provide] = dict(AUTH_DEPENDENCIES)
    for module in modules:
        provided = {
            **{name: _for_the_caller(setup.build(make))
               for name, make in module.repositories.items()},
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
            await check_session_settings(pool, settings)
            if not verified:  # once per app: the tests start one app many times on one schema
                async with pool.acquire() as conn:
                    await verify_queries(conn, queries.values())
                verified.append(True)
            db.attach(pool)
            db.serving = True
            if reads is not None:
                await reads.start()
            interval = settings.housekeeping_interval_seconds
            pruner = (asyncio.create_task(prune_periodically(pruners, interval))
                      if interval and pruners else None)
            gauges = asyncio.create_task(publish_pools(pools)) if settings.metrics else None
            try:
                yield
            finally:
                if pruner is not None:
                    pruner.cancel()
                if gauges is not None:
                    gauges.cancel()
        finally:
            worker_stopped()
            db.serving = False
            if reads is not None:
                await reads.close()
            for close in setup.closers:
                close()
            await db.close()
            await pool.close()

    metrics = PrometheusConfig(app_name="pgapi", prefix=PREFIX, group_path=True,
                               exclude_unhandled_paths=True, exclude=["/metrics"])
    app = Litestar(
        route_handlers=[IndexController, *(c for m in modules for c in m.controllers),
                        *([MetricsController] if settings.metrics else [])],
        plugins=[tracing_plugin] if tracing_plugin is not None else [],
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
            description=DESCRIPTION,
            openapi_router=schema_router(),
            render_plugins=[swagger_page()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        cors_config=_cors(settings),
        middleware=[
            RequestIdMiddleware,
            *([metrics.middleware] if settings.metrics else []),
            *([RouteSpanName] if tracer is not None else []),
            *([read_your_writes(settings.read_your_writes_seconds)] if reads else []),
            *_compression(settings),
        ],
        before_request=_only_documented_query,
        before_send=[_allow_every_method],
        debug=False,
    )
    _check_dependency_names(app, set(dependencies))
    describe_exactly(app, [s for m in modules for s in m.schemas])
    attach_readers(app)
    app.state.query_parameters = query_parameters(app)
    return app
