"""Small helpers the tests share."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import jwt
import uvicorn
from litestar import Litestar
from litestar.testing import AsyncTestClient

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    user_id: int
    token: str
    email: str
    refresh_token: str = ""

    @property
    def session_id(self) -> int:
        """The session of the access token (what its statements check)."""
        return int(jwt.decode(self.token, options={"verify_signature": False})["sid"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(client: AsyncTestClient, email: str, name: str = "Someone",
                   password: str = PASSWORD) -> Account:
    response = await client.post(
        "/auth/register", json={"email": email, "name": name, "password": password}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(body["user"]["id"], body["access_token"], email, body["refresh_token"])


async def create_task(client: AsyncTestClient, who: Account, title: str = "a task",
                      **fields: Any) -> dict[str, Any]:
    response = await client.post("/tasks", json={"title": title, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


@asynccontextmanager
async def served(app: Litestar, forwarded_allow_ips: str = "127.0.0.1"
                 ) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a real uvicorn server in this event loop, so requests really run at once
    (the test client runs one request at a time). Like the service by default, it believes
    X-Forwarded-For from 127.0.0.1, so a test can speak from any address."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                            forwarded_allow_ips=forwarded_allow_ips)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            yield http
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of its own to ``url``, closed afterwards."""
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()


async def eventually(check: Callable[[], Awaitable[bool]], what: str, attempts: int = 100) -> None:
    """Until ``check()`` is true, trying ``attempts`` times a tenth of a second apart; else fail
    saying ``what`` did not happen."""
    for _ in range(attempts):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(what)


async def deactivate(database_url: str, user_id: int) -> None:
    """Deactivate the account, straight in the table (as an administrator would)."""
    async with connected(database_url) as conn:
        await conn.execute("UPDATE users SET is_active = false WHERE id = $1", user_id)


async def session_of(conn: asyncpg.Connection, user_id: int) -> int:
    """A session of ``user_id`` written straight into the table (for tests that run statements
    without signing in): the id a repository acting for it passes as ``session_id``."""
    return await conn.fetchval(
        "INSERT INTO sessions (user_id, token_hash, user_agent, expires_at) "
        "VALUES ($1, sha256(gen_random_uuid()::text::bytea), 'tests', now() + interval '1 day') "
        "RETURNING id", user_id)


async def fail_inserts(database_url: str, table: str, condition: str, constraint: str) -> None:
    """Make every INSERT into ``table`` raise ``condition`` (a PL/pgSQL condition name) naming
    ``constraint``: a trigger standing in for a race the test cannot time."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"""
            CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE {condition} USING CONSTRAINT = '{constraint}';
            END $$;
            CREATE TRIGGER fail_insert BEFORE INSERT ON {table}
                FOR EACH ROW EXECUTE FUNCTION fail_insert();
        """)
    finally:
        await conn.close()
