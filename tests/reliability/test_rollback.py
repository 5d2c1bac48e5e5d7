"""Rolling back migrations is deliberate: ``--count`` and ``--all`` exclude each other, rolling
back everything (by either) asks for confirmation on a terminal or needs ``--yes``, and a service
running on a schema that is not the one its code expects is not ready and answers 503, never 500,
until the schema is migrated again."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import pytest
from litestar.testing import AsyncTestClient

from app.db import migrations
from tests.conftest import app_for, settings_for
from tests.helpers import connected, eventually, register
from tests.support import ROOT

pytestmark = pytest.mark.own_database


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "DATABASE_URL"))}
    return {**env, "DATABASE_URL": database_url}


def _migrate(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "migrate", *args], cwd=ROOT,
                          env=_environment(database_url), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def _on_a_terminal(database_url: str, answer: str, *args: str) -> tuple[int, str]:
    """``migrate`` with a terminal for its input and output, ``answer`` typed in advance."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "app", "migrate", *args], cwd=ROOT,
                               env=_environment(database_url), stdin=terminal, stdout=terminal,
                               stderr=terminal)
    os.close(terminal)
    os.write(controller, answer.encode() + b"\n")
    output = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if select.select([controller], [], [], 1)[0]:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the other end closed: the command has exited
                    break
                if not chunk:
                    break
                output += chunk
        return process.wait(timeout=30), output.decode(errors="replace")
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()


def _applied(database_url: str) -> list[str]:
    return [m for m, applied in migrations.status(database_url) if applied]


@pytest.mark.slow
def test_count_and_all_exclude_each_other(database_url):
    everything = _applied(database_url)
    result = _migrate(database_url, "rollback", "--count", "1", "--all")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr
    assert _applied(database_url) == everything


@pytest.mark.slow
@pytest.mark.parametrize("how", [["--all"], ["--count", "10000"]])
def test_rolling_back_everything_without_a_terminal_needs_yes(database_url, how):
    everything = _applied(database_url)
    result = _migrate(database_url, "rollback", *how)
    assert result.returncode == 2, result.stdout
    assert "--yes" in result.stderr
    assert _applied(database_url) == everything

    result = _migrate(database_url, "rollback", *how, "--yes")
    assert result.returncode == 0, result.stderr
    assert _applied(database_url) == []


@pytest.mark.slow
def test_rolling_back_everything_on_a_terminal_asks_first(database_url):
    everything = _applied(database_url)
    status, output = _on_a_terminal(database_url, "no", "rollback", "--all")
    assert status == 1, output
    assert "nothing rolled back" in output
    assert _applied(database_url) == everything

    status, output = _on_a_terminal(database_url, "yes", "rollback", "--all")
    assert status == 0, output
    assert f"{len(everything)} migrations" in output and "rolled back: " in output
    assert _applied(database_url) == []


@pytest.mark.slow
def test_rolling_back_some_asks_nothing(database_url):
    everything = _applied(database_url)
    result = _migrate(database_url, "rollback", "--count", "2")
    assert result.returncode == 0, result.stderr
    assert _applied(database_url) == everything[:-2]


async def test_a_schema_rolled_back_under_the_service_is_503_and_not_ready_until_migrated(
    service_url, database_url
):
    app = app_for(settings_for(service_url, APP_READY_HOLD_SECONDS="0.5"))
    async with AsyncTestClient(app=app) as client:
        async def ready() -> bool:
            return (await client.get("/health/ready")).status_code == 200

        alice = await register(client, "alice@example.com")
        assert await ready()
        # A version deployed before its migrations ran: readiness names what is missing.
        async with connected(database_url) as owner:
            record = await owner.fetchrow("DELETE FROM _yoyo_migration "
                                          "WHERE migration_id = '0009_recipes_cuisine_not_blank' "
                                          "RETURNING *")
            response = await client.get("/health/ready")
            assert response.status_code == 503
            assert "0009_recipes_cuisine_not_blank (python -m app migrate apply)" in (
                response.json()["detail"])
            await owner.execute(f"INSERT INTO _yoyo_migration ({', '.join(record.keys())}) "
                                f"VALUES ({', '.join(f'${n + 1}' for n in range(len(record)))})",
                                *record.values())
        assert await ready()

        migrations.rollback(database_url, count=1)
        response = await client.get("/health/ready")
        assert response.status_code == 503
        assert "schema" in response.json()["detail"]

        migrations.rollback(database_url, count=None)
        for response in (await client.get("/tasks", headers=alice.headers),
                         await client.post("/auth/login", json={
                             "email": "alice@example.com", "password": "whatever password"})):
            assert response.status_code == 503, response.text
            assert response.headers.get("Retry-After")
            assert "schema" in response.json()["detail"]
        assert (await client.get("/health/ready")).status_code == 503

        migrations.apply(database_url)
        await eventually(ready, "readiness never recovered")
        alice = await register(client, "alice@example.com")
        assert (await client.get("/tasks", headers=alice.headers)).status_code == 200
