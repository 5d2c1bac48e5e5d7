"""The probes answer GET and HEAD alike (many load balancers and orchestrators send HEAD)."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec
import pytest

from tests.conftest import app_for
from tests.helpers import create_task, register, served


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
async def test_probes_answer_head_like_get_without_a_body(client, path):
    got = await client.get(path)
    headed = await client.head(path)
    assert got.status_code == headed.status_code == 200
    assert headed.content == b""


async def test_head_ready_is_503_while_no_connection_answers(settings, database_url):
    """The one pooled connection waits on a row lock the test holds: the readiness check cannot
    get a connection within its second, so HEAD and GET say 503; then both recover."""
    settings = msgspec.structs.replace(settings, pool_size=1, pool_min_size=1,
                                       lock_timeout_ms=60_000)
    async with served(app_for(settings)) as http:
        alice = await register(http, "alice@example.com")
        task = await create_task(http, alice)
        holder = await asyncpg.connect(database_url)
        try:
            locked = holder.transaction()
            await locked.start()
            await holder.execute("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", task["id"])
            waiting = asyncio.create_task(http.patch(
                f"/tasks/{task['id']}", json={"completed": True}, headers=alice.headers))
            for _ in range(100):  # until the PATCH waits on the lock
                if await holder.fetchval("SELECT count(*) FROM pg_stat_activity WHERE "
                                         "wait_event_type = 'Lock' AND datname = current_database()"):
                    break
                await asyncio.sleep(0.05)
            assert (await http.head("/health/ready")).status_code == 503
            assert (await http.get("/health/ready")).status_code == 503
            assert (await http.head("/health/live")).status_code == 200
            await locked.rollback()
            assert (await asyncio.wait_for(waiting, 30)).status_code == 200
        finally:
            await holder.close()
        assert (await http.head("/health/ready")).status_code == 200
