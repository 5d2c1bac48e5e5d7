"""Overload, runaway queries and shutdown, against the real service (``python -m app serve``) on a
database of the test's: a request never hangs, a busy pool answers 503 fast, a statement stuck
behind a lock ends as 503 and leaves its connection usable, and SIGTERM lets requests in flight
finish."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import asyncpg
import pytest

from app.config import load_settings
from app.db.pool import create_pool
from tests.conftest import TEST_SECRET
from tests.support import Server, account_and_task, request

pytestmark = pytest.mark.slow


def _server(tmp_path: Path, database_url: str, **env: str) -> Server:
    server = Server(tmp_path / "data", env={"DATABASE_URL": database_url,
                                             "APP_JWT_SECRET": TEST_SECRET, **env})
    server.wait_ready()
    return server


class Background(threading.Thread):
    """One request on a thread of its own; ``result`` is (status, body)."""

    def __init__(self, *args):
        super().__init__(daemon=True)
        self.args, self.result = args, None

    def run(self) -> None:
        self.result = request(*self.args)


async def _lock_task(database_url: str, task_id: int) -> asyncpg.Connection:
    """A connection holding the task's row lock, in an open transaction."""
    holder = await asyncpg.connect(database_url)
    await holder.execute("BEGIN")
    await holder.execute("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", task_id)
    return holder


async def _wait_until_blocked(holder: asyncpg.Connection) -> None:
    """Until the service's statement waits on the lock (bounded)."""
    for _ in range(200):
        waiting = await holder.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = 'pgapi' AND wait_event_type = 'Lock'")
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the service's statement never waited on the lock")


async def test_an_exhausted_pool_answers_503_fast_and_checks_tokens_and_bodies_first(
    tmp_path, database_url
):
    server = _server(tmp_path, database_url, APP_POOL_SIZE="1", APP_POOL_MIN_SIZE="1",
                     APP_POOL_ACQUIRE_TIMEOUT="0.5", APP_LOCK_TIMEOUT_MS="30000",
                     APP_STATEMENT_TIMEOUT_MS="30000")
    holder = None
    try:
        token, task_id = account_and_task(server)
        holder = await _lock_task(database_url, task_id)
        stuck = Background("PATCH", f"{server.url}/tasks/{task_id}", {"completed": True}, token)
        stuck.start()
        await _wait_until_blocked(holder)  # the pool's only connection is now busy

        started = time.monotonic()
        status, body = request("GET", server.url + "/tasks", None, token)
        assert status == 503, body
        assert time.monotonic() - started < 5
        assert body["detail"]
        assert request("GET", server.url + "/health/ready")[0] == 503
        # Authentication and validation need no connection: they still answer at once.
        assert request("GET", server.url + "/tasks", None, "not-a-token")[0] == 401
        assert request("POST", server.url + "/tasks", {"title": ""}, token)[0] == 400

        await holder.execute("COMMIT")
        stuck.join(timeout=30)
        assert stuck.result[0] == 200
        assert request("GET", server.url + "/tasks", None, token)[0] == 200
        assert request("GET", server.url + "/health/ready")[0] == 200
    finally:
        if holder is not None:
            await holder.close()
        server.stop()


@pytest.mark.parametrize("env, detail", [
    ({"APP_LOCK_TIMEOUT_MS": "300", "APP_STATEMENT_TIMEOUT_MS": "30000"}, "locked"),
    ({"APP_LOCK_TIMEOUT_MS": "30000", "APP_STATEMENT_TIMEOUT_MS": "300"}, "too long"),
])
async def test_a_statement_stuck_past_its_timeout_is_503_and_the_connection_lives_on(
    tmp_path, database_url, env, detail
):
    server = _server(tmp_path, database_url, APP_POOL_SIZE="1", APP_POOL_MIN_SIZE="1", **env)
    holder = None
    try:
        token, task_id = account_and_task(server)
        holder = await _lock_task(database_url, task_id)
        status, body = request("PATCH", f"{server.url}/tasks/{task_id}", {"completed": True},
                               token)
        assert status == 503, body
        assert detail in body["detail"]
        await holder.execute("ROLLBACK")
        # The pool has one connection: this runs on the very one whose statement was cancelled.
        status, body = request("PATCH", f"{server.url}/tasks/{task_id}", {"completed": True},
                               token)
        assert status == 200, body
        assert body["completed"] is True
    finally:
        if holder is not None:
            await holder.close()
        server.stop()


async def test_sigterm_stops_accepting_lets_requests_in_flight_finish_and_exits_0(
    tmp_path, database_url
):
    server = _server(tmp_path, database_url, APP_LOCK_TIMEOUT_MS="30000",
                     APP_STATEMENT_TIMEOUT_MS="30000")
    holder = None
    try:
        token, task_id = account_and_task(server)
        holder = await _lock_task(database_url, task_id)
        in_flight = Background("PATCH", f"{server.url}/tasks/{task_id}", {"title": "finished"},
                               token)
        in_flight.start()
        await _wait_until_blocked(holder)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert server.process.poll() is None  # still draining the request in flight
        with pytest.raises(OSError):  # no longer accepting connections
            request("GET", server.url + "/health/live")
        await holder.execute("COMMIT")
        in_flight.join(timeout=30)
        assert in_flight.result == (200, in_flight.result[1])
        assert in_flight.result[1]["title"] == "finished"
        assert server.process.wait(timeout=30) == 0
    finally:
        if holder is not None:
            await holder.close()
        if server.process.poll() is None:
            server.process.kill()


async def test_service_connections_carry_the_configured_timeouts(database_url):
    settings = load_settings({"DATABASE_URL": database_url, "APP_JWT_SECRET": TEST_SECRET,
                              "APP_STATEMENT_TIMEOUT_MS": "1234", "APP_LOCK_TIMEOUT_MS": "567",
                              "APP_IDLE_IN_TRANSACTION_TIMEOUT_MS": "8910"})
    pool = await create_pool(settings, database_url)
    try:
        async with pool.acquire() as conn:
            shown = [await conn.fetchval(f"SHOW {name}") for name in (
                "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")]
    finally:
        await pool.close()
    assert shown == ["1234ms", "567ms", "8910ms"]
