"""Who is calling: the bearer token's user id, checked without touching the database, and the
base of every controller whose routes need it.

Every query then filters on that id and on the user still being active, so a deleted or deactivated
user's token reads and writes nothing, with no extra round trip.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request
from litestar.di import NamedDependency, Provide

from app.kit.errors import Unauthorized


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
    user_id: int = request.app.state.tokens.user_id(token.strip())
    return user_id


# An app-wide dependency: handlers that take ``user_id: UserId`` (or a repository, which the app
# resolves after it) are authenticated; the rest are public.
AUTH_DEPENDENCIES = {"user_id": Provide(current_user_id, sync_to_thread=False)}
UserId = NamedDependency[int]


class UserController(Controller):
    """A controller whose every route needs a bearer token, as the OpenAPI document says: its
    handlers take ``user_id: UserId`` and the repositories of the modules (``tasks: Tasks``,
    typed ``TaskRepository``), which the app resolves after the token (see ``app.server``)."""

    security = [{"bearer": []}]
