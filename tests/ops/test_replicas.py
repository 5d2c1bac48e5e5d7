"""Reads on a real streaming standby (``pg_basebackup -R`` of a primary, both of the embedded
binaries): reads that may lag are answered by the standby, writes and a client's reads after its
own writes by the primary, and when the standby is down every read falls back to the primary."""

from __future__ import annotations

import time

import httpx
import psycopg
import pytest

from app.db import migrations
from tests.conftest import TEST_SECRET
from tests.ops.external import Cluster, primary_and_standby
from tests.support import Server

pytestmark = pytest.mark.slow

SERVICE = "pgapi_replica_test"


def _until(check, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _replayed(standby: Cluster) -> bool:
    with psycopg.connect(standby.url_for("app"), autocommit=True) as conn:
        return conn.execute("SELECT to_regclass('public.tasks') IS NOT NULL AND "
                            "pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()").fetchone()[0]


def _set_replay(standby: Cluster, paused: bool) -> None:
    with psycopg.connect(standby.url, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")
        _until(lambda: conn.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0]
               == ("paused" if paused else "not paused"))


@pytest.fixture
def clusters(tmp_path):
    with primary_and_standby(tmp_path / "pg") as (primary, standby):
        with psycopg.connect(primary.url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE app")
        migrations.apply(primary.url_for("app"))
        with psycopg.connect(primary.url_for("app"), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {SERVICE} LOGIN IN ROLE pgapi_service")
        _until(lambda: _replayed(standby))
        yield primary, standby


def _titles(http: httpx.Client, headers: dict[str, str]) -> list[str]:
    response = http.get("/tasks", headers=headers)
    assert response.status_code == 200, response.text
    return [t["title"] for t in response.json()["items"]]


def test_reads_go_to_the_standby_writes_to_the_primary_and_reads_fall_back(clusters, tmp_path):
    primary, standby = clusters
    server = Server(tmp_path / "data", args=("--no-migrate",), env={
        "DATABASE_URL": primary.url_for("app", SERVICE),
        "APP_READ_DATABASE_URL": standby.url_for("app", SERVICE),
        "APP_JWT_SECRET": TEST_SECRET, "APP_READ_MAX_LAG_SECONDS": "600",
        "APP_READ_YOUR_WRITES_SECONDS": "60"})
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.url, timeout=10) as keeps, \
                httpx.Client(base_url=server.url, timeout=10) as forgets:
            body = keeps.post("/auth/register", json={
                "email": "reader@example.com", "name": "Reader",
                "password": "correct horse battery"}).json()
            auth = {"Authorization": f"Bearer {body['access_token']}"}
            assert keeps.post("/tasks", json={"title": "replicated"}, headers=auth
                              ).status_code == 201
            _until(lambda: _replayed(standby))
            ready = forgets.get("/health/ready").json()
            assert ready == {"status": "ready", "pools": {"primary": "ok", "replica-1": "ok"}}

            _set_replay(standby, paused=True)
            created = keeps.post("/tasks", json={"title": "only on the primary"}, headers=auth)
            assert created.status_code == 201  # the standby is read-only: the primary wrote it
            assert "pgapi_primary_until=" in created.headers["set-cookie"]
            # The standby answers a client that keeps no cookie: it has not replayed the write.
            assert _titles(forgets, auth) == ["replicated"]
            # The writer reads its own write: its cookie sends its reads to the primary.
            assert _titles(keeps, auth) == ["only on the primary", "replicated"]
            _set_replay(standby, paused=False)
            _until(lambda: _titles(forgets, auth) == ["only on the primary", "replicated"])

            _set_replay(standby, paused=True)
            keeps.post("/tasks", json={"title": "newest"}, headers=auth)
            standby.stop()
            # The standby is gone: every read falls back to the primary, none fails.
            for _ in range(5):
                assert _titles(forgets, auth) == ["newest", "only on the primary", "replicated"]
            ready = forgets.get("/health/ready")
            assert ready.status_code == 200
            assert ready.json()["pools"] == {"primary": "ok", "replica-1": "down"}
            assert forgets.get("/tasks/stats", headers=auth).status_code == 200
    finally:
        assert server.stop() == 0, server.output()
    assert "replica replica-1 set aside" in server.output()
