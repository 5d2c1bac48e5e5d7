"""``python -m app serve`` as an operator runs it: JSON logs that hold no secrets, metrics summed
over two workers, exit statuses, serving without migrating, and the drain on SIGTERM."""

from __future__ import annotations

import signal
import socket
import threading
import time

import httpx
import msgspec
import psycopg
import pytest

from app.db import migrations
from tests.conftest import TEST_SECRET
from tests.support import Server, request

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

PASSWORD = "pw-Secret-Value-0042"
DESCRIPTION = "a body that must never reach a log"


def test_json_logs_carry_request_ids_and_no_body_password_or_token(tmp_path, service_url):
    server = Server(tmp_path / "data", args=("--no-migrate",), env={
        "DATABASE_URL": service_url, "APP_JWT_SECRET": TEST_SECRET, "APP_LOG_FORMAT": "json",
        "APP_ACCESS_LOG": "true", "APP_LOG_LEVEL": "debug"})
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.url, timeout=10) as http:
            http.post("/auth/register", json={"email": "logs@example.com", "name": "Logs",
                                              "password": PASSWORD})
            token = http.post("/auth/login", json={"email": "logs@example.com",
                                                   "password": PASSWORD}).json()["access_token"]
            http.post("/auth/login", json={"email": "logs@example.com", "password": "wrong!"})
            auth = {"Authorization": f"Bearer {token}", "X-Request-ID": "trace-me-1"}
            created = http.post("/tasks", json={"title": "t", "description": DESCRIPTION},
                                headers=auth)
            assert created.headers["x-request-id"] == "trace-me-1"
            http.post("/tasks", content=b'{"title": ',  # a 400 on a broken body
                      headers={"Authorization": f"Bearer {token}"})
    finally:
        assert server.stop() == 0
    lines = [msgspec.json.decode(line) for line in server.output().splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message", "request_id"} <= set(e)
                         for e in lines)
    assert any(e["request_id"] == "trace-me-1" and "POST /tasks" in e["message"] for e in lines)
    access = [e for e in lines if e["logger"] == "uvicorn.access"]
    assert len({e["request_id"] for e in access}) == len(access)  # one id per request
    output = server.output()
    for secret in (PASSWORD, token, token.split(".")[2], DESCRIPTION, "Bearer"):
        assert secret not in output


def test_metrics_sum_over_two_workers(tmp_path, service_url):
    server = Server(tmp_path / "data", args=("--workers", "2", "--no-migrate"), env={
        "DATABASE_URL": service_url, "APP_JWT_SECRET": TEST_SECRET})
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.url, timeout=10) as http:
            for _ in range(40):
                # a new connection each time, so both workers answer some
                assert httpx.get(server.url + "/health/live", timeout=10).status_code == 200
            counts = set()
            for _ in range(6):
                text = httpx.get(server.url + "/metrics", timeout=10).text
                line = next(line for line in text.splitlines() if line.startswith(
                    'pgapi_requests_total{app_name="pgapi",method="GET",path="/health/live"'))
                counts.add(float(line.rsplit(" ", 1)[1]))
            pools = [line for line in text.splitlines() if line.startswith("pgapi_db_pool_size")]
            http.close()
    finally:
        assert server.stop() == 0
    assert counts == {40.0}  # whichever worker answered the scrape
    assert pools == ['pgapi_db_pool_size{pool="primary"} 4.0']  # two workers, two each


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failed_startup_exits_3_with_any_number_of_workers(tmp_path, workers):
    server = Server(tmp_path / "data", args=("--workers", workers, "--no-migrate"), env={
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "APP_JWT_SECRET": TEST_SECRET})
    assert server.process.wait(timeout=120) == 3, server.output()


def test_no_migrate_serves_without_touching_the_schema(tmp_path, database_url, service_url):
    """The newest migration is marked as not applied (its tables stay, so the service's
    statements still prepare): a start that migrated would apply it again."""
    newest = [name for name, applied in migrations.status(database_url) if applied][-1:]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM _yoyo_migration WHERE migration_id = %s", (newest[0],))
    server = Server(tmp_path / "data", args=("--no-migrate",), env={
        "DATABASE_URL": service_url, "APP_MIGRATION_DATABASE_URL": database_url,
        "APP_JWT_SECRET": TEST_SECRET})
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.process.poll() is None, server.output()
            try:
                if request("GET", server.url + "/health/live")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, server.output()
                time.sleep(0.2)
    finally:
        assert server.stop() == 0
    assert "migrations applied" not in server.output()
    assert dict(migrations.status(database_url))[newest[0]] is False


def test_sigterm_turns_readiness_to_503_then_finishes_requests_in_flight(tmp_path, service_url):
    server = Server(tmp_path / "data", args=("--no-migrate",), env={
        "DATABASE_URL": service_url, "APP_JWT_SECRET": TEST_SECRET, "APP_DRAIN_SECONDS": "3",
        "APP_ARGON2_TIME_COST": "12", "APP_ARGON2_MEMORY_KIB": "65536"})
    server.wait_ready()
    answers: list[int] = []
    slow = threading.Thread(target=lambda: answers.append(request(
        "POST", server.url + "/auth/register",
        {"email": "late@example.com", "name": "Late", "password": PASSWORD})[0]))
    slow.start()
    time.sleep(0.3)  # the registration is hashing its password
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    try:
        assert request("GET", server.url + "/health/ready")[0] == 503
        assert request("GET", server.url + "/health/live")[0] == 200  # still serving
        slow.join(timeout=30)
        assert answers == [201]
        assert server.process.wait(timeout=30) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()
    assert "draining for 3.0 s" in server.output()


def test_idle_keep_alive_connections_close_and_connections_past_the_limit_get_503(
        tmp_path, service_url):
    server = Server(tmp_path / "data", args=("--no-migrate",), env={
        "DATABASE_URL": service_url, "APP_JWT_SECRET": TEST_SECRET,
        "APP_KEEP_ALIVE_SECONDS": "1", "APP_MAX_CONNECTIONS": "3"})
    try:
        server.wait_ready()
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=5)
                for _ in range(3)]
        with httpx.Client(base_url=server.url, timeout=5) as http:
            assert http.get("/health/live").status_code == 503  # the fourth connection
        for s in held:
            s.close()
        time.sleep(0.5)
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n")
            assert s.recv(100).startswith(b"HTTP/1.1 200")
            s.settimeout(5)  # the server closes the idle connection long before: recv gets b""
            while s.recv(4096):
                pass
    finally:
        assert server.stop() == 0
