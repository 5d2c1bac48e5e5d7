"""The command line, as a user runs it: help, migrate, and serve on an embedded database."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support import ROOT, Server
from tests.support import request as _request


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
