"""Which server a read goes to, in the app itself: here the "replica" is another database of the
test server, migrated and empty, so a read it answers cannot see the primary's rows (the real
streaming standby: tests/ops/test_replicas.py)."""

from __future__ import annotations

import msgspec
import psycopg
import pytest
from litestar.testing import AsyncTestClient
from psycopg import sql

from app.http.consistency import COOKIE
from app.server import create_app
from tests.conftest import SERVICE_PASSWORD, SERVICE_ROLE, WORKER, url_for
from tests.helpers import create_task, register



@pytest.fixture
def other_database(postgresql_noproc):
    proc = postgresql_noproc
    name = f"pgapi_fake_replica{'_' + WORKER if WORKER else ''}"
    admin = url_for(proc.host, proc.port, proc.user, proc.password, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(proc.template_dbname)))
    yield url_for(proc.host, proc.port, SERVICE_ROLE, SERVICE_PASSWORD, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def _with_replicas(settings, *urls: str, window: float = 60):
    return create_app(msgspec.structs.replace(settings, read_database_urls=urls,
                                              read_your_writes_seconds=window))


async def test_reads_go_to_the_replica_and_a_writers_reads_to_the_primary(settings,
                                                                          other_database):
    async with AsyncTestClient(app=_with_replicas(settings, other_database)) as client:
        alice = await register(client, "reader@example.com")
        writes = await client.post("/tasks", json={"title": "t"}, headers=alice.headers)
        assert COOKIE in writes.cookies
        # The client keeps the cookie: its reads go to the primary, which has its rows.
        assert (await client.get("/tasks", headers=alice.headers)).status_code == 200
        client.cookies.clear()
        # Without it, the replica answers: it has no such account.
        assert (await client.get("/tasks", headers=alice.headers)).status_code == 401
        assert (await client.get("/users/me", headers=alice.headers)).status_code == 401
        ready = (await client.get("/health/ready")).json()
        assert ready["pools"] == {"primary": "ok", "replica-1": "ok"}


async def test_a_read_does_not_set_the_cookie_and_a_failed_write_neither(settings,
                                                                         other_database):
    async with AsyncTestClient(app=_with_replicas(settings, other_database)) as client:
        alice = await register(client, "quiet@example.com")
        client.cookies.clear()
        read = await client.get("/health/live")
        assert COOKIE not in read.cookies
        refused = await client.post("/tasks", json={"title": ""}, headers=alice.headers)
        assert refused.status_code == 400 and COOKIE not in refused.cookies


async def test_an_expired_or_malformed_cookie_does_not_pin(settings, other_database):
    async with AsyncTestClient(app=_with_replicas(settings, other_database)) as client:
        alice = await register(client, "expired@example.com")
        for value in ("1000", "soon", ""):
            client.cookies.clear()
            client.cookies.set(COOKIE, value)
            assert (await client.get("/tasks", headers=alice.headers)).status_code == 401


async def test_reads_fall_back_to_the_primary_when_the_replica_is_unreachable(settings):
    unreachable = "postgresql://nobody@127.0.0.1:1/none"
    async with AsyncTestClient(app=_with_replicas(settings, unreachable, window=0)) as client:
        alice = await register(client, "fallback@example.com")
        task = await create_task(client, alice)
        client.cookies.clear()
        for _ in range(3):
            response = await client.get(f"/tasks/{task['id']}", headers=alice.headers)
            assert response.status_code == 200
        ready = await client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json()["pools"] == {"primary": "ok", "replica-1": "down"}
