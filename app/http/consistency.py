"""Read-your-writes with replicas: which requests must read from the primary.

A request that is not a ``GET`` or ``HEAD`` runs all its statements on the primary. When it
succeeds, its response sets the cookie ``pgapi_primary_until`` (the moment, in milliseconds since
the epoch, ``APP_READ_YOUR_WRITES_SECONDS`` later); a read carrying that cookie before that moment
also runs on the primary, so a client that keeps cookies (a browser, an httpx or requests session)
reads its own writes even while a replica lags. The cookie is not signed: forging it only sends
that client's reads to the primary, which is where every read goes without replicas. A client
that keeps no cookies may read, for at most ``APP_READ_MAX_LAG_SECONDS``, data older than its
own last write. Installed only when ``APP_READ_DATABASE_URL`` is set.
"""

from __future__ import annotations

import time
from http.cookies import CookieError, SimpleCookie

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.db.servers import pinned_to_primary

COOKIE = "pgapi_primary_until"
_SAFE = frozenset(("GET", "HEAD", "OPTIONS"))


def _pinned_until(scope: Scope) -> float:
    for name, value in scope["headers"]:
        if name == b"cookie":
            try:
                morsel = SimpleCookie(value.decode("latin-1")).get(COOKIE)
            except CookieError:
                continue
            if morsel is not None and morsel.value.isdigit():
                return int(morsel.value) / 1000
    return 0.0


def read_your_writes(window_seconds: float) -> type:
    """The ASGI middleware, for Litestar's ``middleware=[...]``."""

    class ReadYourWrites:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await self.app(scope, receive, send)
                return
            if scope["method"] in _SAFE:
                if _pinned_until(scope) > time.time():
                    with pinned_to_primary():
                        await self.app(scope, receive, send)
                else:
                    await self.app(scope, receive, send)
                return

            async def send_pinning(message: Message) -> None:
                if message["type"] == "http.response.start" and message["status"] < 400:
                    until = int((time.time() + window_seconds) * 1000)
                    cookie = (f"{COOKIE}={until}; Max-Age={max(1, round(window_seconds))}; "
                              "Path=/; HttpOnly; SameSite=Strict").encode()
                    message["headers"] = [*message.get("headers", ()), (b"set-cookie", cookie)]
                await send(message)

            with pinned_to_primary():
                await self.app(scope, receive, send_pinning)

    return ReadYourWrites
