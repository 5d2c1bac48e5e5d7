"""The tasks queries use the indexes their headers name, on a table big enough for it to matter."""

from __future__ import annotations

from datetime import datetime, timezone

import asyncpg
import pytest

from tests.plans import (
    below_limit,
    describe,
    index_names,
    page_of_active_user,
    plan,
    reads,
)

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

INFINITY = datetime.max.replace(tzinfo=timezone.utc)


@pytest.fixture
async def seeded(database_url):
    """3000 users with 5 tasks each, and user 7 with 3000 more: analyzed."""
    conn = await asyncpg.connect(database_url)
    # The test server commits asynchronously; VACUUM marks a page all-visible (for index-only
    # scans) only once the commits of its rows are flushed, so these commit synchronously.
    await conn.execute("SET synchronous_commit = on")
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 3000) AS i"
    )
    await conn.execute(
        "INSERT INTO tasks (user_id, title, completed, created_at) "
        "SELECT u.id, 'task ' || n, n % 3 = 0, now() - n * interval '1 minute' "
        "FROM users AS u, generate_series(1, 5) AS n"
    )
    await conn.execute(
        "INSERT INTO tasks (user_id, title, completed, created_at) "
        "SELECT 7, 'busy ' || n, n % 3 = 0, now() - n * interval '1 second' "
        "FROM generate_series(1, 3000) AS n"
    )
    await conn.execute("ANALYZE users; ANALYZE tasks")
    try:
        yield conn
    finally:
        await conn.close()


async def test_get_task_uses_the_primary_keys(seeded):
    nodes = await plan(seeded, "tasks/get_task", user_id=7, task_id=650)
    assert "tasks_pkey" in index_names(nodes)
    assert not any(n["Node Type"] == "Seq Scan" and n["Relation Name"] == "tasks" for n in nodes)


@pytest.mark.parametrize("after", [(INFINITY, 0), (datetime(2026, 1, 1, tzinfo=timezone.utc), 10)])
async def test_list_tasks_walks_the_created_index_without_sorting(seeded, after):
    nodes = await plan(seeded, "tasks/list_tasks", user_id=7, after_created_at=after[0],
                        after_id=after[1], limit=21)
    assert page_of_active_user(nodes, "tasks_user_created_idx"), describe(nodes)
    assert reads(nodes, "users") == [("Index Scan", "users_pkey")], describe(nodes)
    assert reads(nodes, "tasks") == [("Index Scan", "tasks_user_created_idx")], describe(nodes)
    assert not any(n["Node Type"] == "Sort" for n in below_limit(nodes)), describe(nodes)


async def test_list_by_completed_uses_its_own_index_without_sorting(seeded):
    nodes = await plan(seeded, "tasks/list_tasks_by_completed", user_id=7, completed=True,
                        after_created_at=INFINITY, after_id=0, limit=21)
    assert page_of_active_user(nodes, "tasks_user_completed_created_idx"), describe(nodes)
    assert reads(nodes, "users") == [("Index Scan", "users_pkey")], describe(nodes)
    assert reads(nodes, "tasks") == [
        ("Index Scan", "tasks_user_completed_created_idx")], describe(nodes)
    assert not any(n["Node Type"] == "Sort" for n in below_limit(nodes)), describe(nodes)


async def test_stats_is_an_index_only_scan_once_vacuumed(seeded):
    await seeded.execute("VACUUM ANALYZE tasks")
    nodes = await plan(seeded, "tasks/task_stats", user_id=7)
    assert reads(nodes, "users") == [("Index Scan", "users_pkey")], describe(nodes)
    assert reads(nodes, "tasks") == [
        ("Index Only Scan", "tasks_user_completed_created_idx")], describe(nodes)


async def test_login_lookup_uses_the_case_insensitive_email_index(seeded):
    nodes = await plan(seeded, "accounts/get_login", email="U7@Example.com", address="203.0.113.7",
                       window_seconds=300, per_account_address=5, per_account=20, per_address=50,
                       trusted_seconds=2592000)
    assert "users_email_key" in index_names(nodes)
