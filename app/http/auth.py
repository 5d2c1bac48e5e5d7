"""Who is calling: the bearer token's user id and session, checked without touching the database,
and the base of every controller whose routes need it.

Every query then filters on that id, on the user still being active and on the token's session
still existing, so the token of a deleted or deactivated account, or of a session that was ended,
reads and writes nothing, with no extra round trip. The session reaches the statements through the
repositories a handler is given: they act for the caller (``Repository.acting_for``), and fill in
every statement's ``session_id``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request
from litestar.di import NamedDependency, Provide

from app.accounts.tokens import Caller
from app.kit.errors import Unauthorized

_CALLER = "pgapi.caller"


def current_user_id(request: Request[Any, Any, Any]) -> int:
    # The raw ASGI headers, not ``request.headers``: building Litestar's Headers object for one
    # lookup was a measurable part of every authenticated request.
    header = next((value for name, value in request.scope["headers"] if name == b"authorization"),
                  None)
    if header is None:
        raise Unauthorized()
    scheme, _, token = header.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("expected 'Authorization: Bearer <token>'")
    caller: Caller = request.app.state.tokens.caller(token.strip())
    request.scope["state"][_CALLER] = caller
    return caller.user_id


def caller_of(request: Request[Any, Any, Any]) -> Caller:
    """The caller ``current_user_id`` authenticated for this request (resolve ``user_id``
    first: a provider that calls this takes ``user_id: UserId``)."""
    caller: Caller = request.scope["state"][_CALLER]
    return caller


# An app-wide dependency: handlers that take ``user_id: UserId`` (or a repository, which the app
# resolves after it) are authenticated; the rest are public.
AUTH_DEPENDENCIES = {"user_id": Provide(current_user_id, sync_to_thread=False)}
UserId = NamedDependency[int]


class UserController(Controller):
    """A controller whose every route needs a bearer token, as the OpenAPI document says: its
    handlers take ``user_id: UserId`` and the repositories of the modules (``tasks: Tasks``,
    typed ``TaskRepository``), which the app resolves after the token (see ``app.server``)."""

    security = [{"bearer": []}]
