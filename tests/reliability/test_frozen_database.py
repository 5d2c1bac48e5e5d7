"""A database that stops answering never hangs a request.

The service (``python -m app serve``) runs on a PostgreSQL of this module's own, over TCP, which
the test freezes: SIGSTOP of the postmaster and every backend, which is what a network black hole
looks like from the service (the connections stay open, nothing answers, nothing is refused). A
request holding a connection then answers 503 with Retry-After once ``APP_DATABASE_TIMEOUT`` has
passed, instead of waiting for the database to come back; the connection it held is closed, not
used again; and the service recovers by itself when the database answers again. The freeze is
bounded whatever happens: a watchdog process thaws the server (``OwnPostgres.frozen``)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from app.config import load_settings
from app.db.pool import KEEPALIVE, create_pool
from tests.conftest import TEST_SECRET
from tests.support import OwnPostgres, Server, account_and_task, request, until

pytestmark = pytest.mark.slow

POOL = 3
# How long a client waits for an answer: far beyond every bound of the service under test (a
# database timeout of 2 s, an acquire timeout of 2 s), so a 503 is the service's answer and a
# timeout here means the request hung.
PATIENCE = 20.0
FREEZE_AT_MOST = 60.0


@pytest.fixture(scope="module")
def postgres() -> Iterator[OwnPostgres]:
    root = Path(tempfile.mkdtemp(prefix="pgapi-frozen-"))
    os.chmod(root, 0o755)  # the server runs as another OS user when we are root
    server = OwnPostgres(root)
    try:
        yield server
    finally:
        server.close()
        shutil.rmtree(root, ignore_errors=True)


def _service_backends(url: str) -> set[int]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity "
                            "WHERE application_name = 'pgapi'").fetchall()
    return {pid for (pid,) in rows}


def _get(url: str, token: str | None = None) -> httpx.Response | str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return httpx.get(url, headers=headers, timeout=PATIENCE)
    except httpx.TimeoutException as exc:
        return f"no answer within {PATIENCE} s ({type(exc).__name__})"


def test_requests_on_a_frozen_database_answer_503_in_time_and_close_their_connections(
    postgres, tmp_path
):
    server = Server(tmp_path / "data", env={
        "DATABASE_URL": postgres.url, "APP_JWT_SECRET": TEST_SECRET,
        "APP_DATABASE_TIMEOUT": "2", "APP_POOL_ACQUIRE_TIMEOUT": "2",
        "APP_POOL_SIZE": str(POOL), "APP_POOL_MIN_SIZE": str(POOL),
        "APP_READY_HOLD_SECONDS": "1",
    })
    try:
        server.wait_ready()
        token, task_id = account_and_task(server)
        held = _service_backends(postgres.url)
        assert len(held) == POOL

        # One statement, one transaction (a recipe search), and more requests than connections.
        paths = [f"/tasks/{task_id}", "/recipes?q=soup", "/tasks", "/tasks/stats",
                 f"/tasks/{task_id}", "/tasks"]
        with postgres.frozen(at_most=FREEZE_AT_MOST), ThreadPoolExecutor(len(paths)) as pool:
            answers = list(pool.map(lambda path: _get(server.url + path, token), paths))
            ready = _get(server.url + "/health/ready")

        for path, answer in zip(paths, answers):
            assert isinstance(answer, httpx.Response), f"{path}: {answer}"
            assert answer.status_code == 503, (path, answer.text)
            assert answer.headers.get("Retry-After"), path
            assert answer.json()["detail"], path
        assert isinstance(ready, httpx.Response) and ready.status_code == 503, ready

        # The service recovers by itself once the database answers again ...
        until(lambda: request("GET", f"{server.url}/tasks/{task_id}", None, token)[0] == 200,
              30, "the service did not recover")
        until(lambda: request("GET", server.url + "/health/ready")[0] == 200, 30,
              "readiness did not recover")
        # ... on new connections: each one that timed out was closed, not used again.
        until(lambda: not held & _service_backends(postgres.url), 30,
              "the connections held during the freeze were not all closed")
    finally:
        server.stop()


async def test_connections_over_tcp_send_keepalives(postgres):
    """A connection to a server that vanished (a black hole, a crashed host) is found dead by
    TCP keepalives, not only by the next statement that times out."""
    settings = load_settings({"DATABASE_URL": postgres.url, "APP_JWT_SECRET": TEST_SECRET})
    pool = await create_pool(settings, postgres.url)
    try:
        async with pool.acquire() as conn:
            sock = conn._con._transport.get_extra_info("socket")
            assert sock.family in (socket.AF_INET, socket.AF_INET6)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
            for option, value in KEEPALIVE.items():
                assert sock.getsockopt(socket.IPPROTO_TCP, option) == value
    finally:
        await pool.close()
