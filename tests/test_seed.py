"""`python -m app seed`: bulk rows that the API serves, and users that can log in."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg

from app.cli.seed import main as seed_main
from app.cli.seeded import DEFAULT_PASSWORD, seeded_email
from app.loadtest.cli import _parser as loadtest_parser

ROOT = Path(__file__).resolve().parents[1]


async def test_seeded_users_log_in_and_see_their_tasks_in_order(client, database_url,
                                                                monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("APP_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("APP_ARGON2_MEMORY_KIB", "1024")
    status = await asyncio.to_thread(
        seed_main, ["--users", "3", "--tasks-per-user", "45", "--prefix", "t1",
                    "--random-seed", "7"])
    assert status == 0
    # The command it suggests is one loadtest takes (--seeded-users needs --url).
    suggested = capsys.readouterr().out.splitlines()[-1].split(": ", 1)[1].split()
    assert suggested[:4] == ["python", "-m", "app", "loadtest"]
    options = loadtest_parser().parse_args(suggested[4:])
    assert (options.url, options.seeded_users) == ("http://127.0.0.1:8000", "t1:3")
    conn = await asyncpg.connect(database_url)
    try:
        per_user = await conn.fetch(
            "SELECT u.email, count(t.id) AS tasks FROM users AS u LEFT JOIN tasks AS t "
            "ON t.user_id = u.id GROUP BY u.email ORDER BY u.email"
        )
    finally:
        await conn.close()
    assert [(r["email"], r["tasks"]) for r in per_user] == [
        (seeded_email("t1", n), 45) for n in (1, 2, 3)]
    login = await client.post("/auth/login", json={"email": seeded_email("t1", 2),
                                                   "password": DEFAULT_PASSWORD})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    seen, params = [], {"limit": 20}
    while True:
        page = (await client.get("/tasks", params=params, headers=headers)).json()
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert len({t["id"] for t in seen}) == 45
    keys = [(t["created_at"], t["id"]) for t in seen]
    assert keys == sorted(keys, reverse=True)
    stats = (await client.get("/tasks/stats", headers=headers)).json()
    assert stats == {"total": 45, "completed": 15, "pending": 30}


async def test_seeded_notifications_are_listed_newest_first_with_their_unread_count(
    client, database_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("APP_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("APP_ARGON2_MEMORY_KIB", "1024")
    status = await asyncio.to_thread(
        seed_main, ["--users", "2", "--notifications-per-user", "30", "--prefix", "n1"])
    assert status == 0
    login = await client.post("/auth/login", json={"email": seeded_email("n1", 1),
                                                   "password": DEFAULT_PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    page = (await client.get("/notifications?limit=100", headers=headers)).json()
    assert len(page["items"]) == 30 and page["unread_count"] == 10
    ids = [n["id"] for n in page["items"]]
    assert ids == sorted(ids, reverse=True)
    assert {n["kind"] for n in page["items"]} == {
        "achievement_unlocked", "streak_milestone", "daily_quota_reached", "subscription_changed"}


async def test_a_second_run_with_the_same_prefix_is_refused_and_writes_nothing(
    database_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("APP_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("APP_ARGON2_MEMORY_KIB", "1024")
    args = ["--users", "2", "--tasks-per-user", "1", "--prefix", "again"]
    assert await asyncio.to_thread(seed_main, args) == 0
    assert await asyncio.to_thread(seed_main, args) == 1
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM tasks") == 2
    finally:
        await conn.close()


def test_bad_arguments_exit_2_naming_the_problem():
    for args, message in [
        (["--users", "0"], "--users must be at least 1"),
        (["--users", "1", "--notifications-per-user", "-1"], "--notifications-per-user"),
        (["--users", "1", "--password", "short"], "at least 8 characters"),
        (["--users", "1", "--prefix", "a b"], "--prefix"),
        ([], "--users"),
    ]:
        result = subprocess.run([sys.executable, "-m", "app", "seed", *args], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, args
        assert message in result.stderr
