"""Behind PgBouncer 1.18 (Debian 12's) in transaction mode, with two workers: the service starts,
runs its main flows with no server error, and its timeouts are in force."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from psycopg import sql

from tests.conftest import TEST_SECRET, WORKER
from tests.ops.external import pgbouncer
from tests.ops.flows import run_flows
from tests.support import Server

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

ROLE = f"pgapi_bouncer_test{'_' + WORKER if WORKER else ''}"  # roles belong to the cluster
TIMEOUTS = {"statement_timeout": "4500ms", "lock_timeout": "1500ms",
            "idle_in_transaction_session_timeout": "9000ms"}


@pytest.fixture
def bounced(database_url, tmp_path):
    """PgBouncer in front of this test's database; the service's login role has its timeouts
    set on the role (ALTER ROLE ... SET), where every server connection gets them."""
    info = psycopg.conninfo.conninfo_to_dict(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        role = sql.Identifier(ROLE)
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE pgapi_service").format(role))
        for name, value in TIMEOUTS.items():
            conn.execute(sql.SQL("ALTER ROLE {} SET {} = {}").format(
                role, sql.Identifier(name), sql.Literal(value)))
    try:
        with pgbouncer(tmp_path / "bouncer", socket_dir=info["host"], port=info.get("port", 5432),
                       dbname=info["dbname"], user=ROLE) as port:
            yield f"postgresql://{ROLE}@127.0.0.1:{port}/pgapi"
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(ROLE)))


def _service(tmp_path, url: str, **env: str) -> Server:
    return Server(tmp_path / "data", args=("--workers", "2", "--no-migrate"), env={
        "DATABASE_URL": url, "APP_JWT_SECRET": TEST_SECRET, "APP_SESSION_SETTINGS": "check",
        "APP_STATEMENT_CACHE_SIZE": "0", "APP_STATEMENT_TIMEOUT_MS": "4500",
        "APP_LOCK_TIMEOUT_MS": "1500", "APP_IDLE_IN_TRANSACTION_TIMEOUT_MS": "9000",
        "APP_POOL_SIZE": "10", "APP_POOL_MIN_SIZE": "2", **env})


def test_main_flows_through_pgbouncer_with_two_workers_answer_no_server_error(bounced, tmp_path):
    server = _service(tmp_path, bounced)
    try:
        server.wait_ready()
        statuses = asyncio.run(run_flows(server.url, users=8, rounds=3))
    finally:
        assert server.stop() == 0, server.output()
    assert not {s for s in statuses if s >= 500}, (statuses, server.output()[-3000:])
    assert statuses[401] == 8  # the one wrong password of each user, and no lockout after it
    assert "prepared statement" not in server.output()


def test_timeouts_are_in_force_on_connections_through_pgbouncer(bounced):
    with psycopg.connect(bounced, autocommit=True, prepare_threshold=None) as conn:
        for name, value in TIMEOUTS.items():
            shown = conn.execute(
                "SELECT setting || coalesce(unit, '') FROM pg_settings WHERE name = %s",
                (name,)).fetchone()
            assert shown == (value,), name
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(6)")


def test_the_service_refuses_to_start_when_the_timeouts_are_not_in_force(bounced, tmp_path):
    server = _service(tmp_path, bounced, APP_STATEMENT_TIMEOUT_MS="5000")
    assert server.process.wait(timeout=240) == 3
    assert "statement_timeout is '4500ms', not '5000ms'" in server.output()
    assert "ALTER ROLE <role> SET statement_timeout = '5000ms'" in server.output()


def test_startup_parameters_refused_by_pgbouncer_fail_with_exit_status_3(bounced, tmp_path):
    server = _service(tmp_path, bounced, APP_SESSION_SETTINGS="send")
    assert server.process.wait(timeout=240) == 3
    assert "unsupported startup parameter" in server.output()
