"""The notifications statements use the indexes their headers name, on a table big enough for it
to matter."""

from __future__ import annotations

import asyncpg
import pytest

from app.kit.limits import MAX_BIGINT
from tests.plans import below_limit, describe, index_names, plan, reads

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


@pytest.fixture
async def seeded(database_url):
    """3000 users with 5 notifications each, user 7 with 3000 more, of which a tenth are unread
    (most notifications get read): vacuumed and analyzed, so counts can be index-only."""
    conn = await asyncpg.connect(database_url)
    await conn.execute("SET synchronous_commit = on")
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 3000) AS i")
    await conn.execute(
        "INSERT INTO notifications (user_id, kind, title, is_read) "
        "SELECT u.id, 'streak_milestone', 'n ' || n, n % 3 = 0 "
        "FROM users AS u, generate_series(1, 5) AS n")
    await conn.execute(
        "INSERT INTO notifications (user_id, kind, title, is_read) "
        "SELECT 7, 'streak_milestone', 'busy ' || n, n % 10 <> 0 FROM generate_series(1, 3000) AS n")
    await conn.execute("VACUUM ANALYZE users")
    await conn.execute("VACUUM ANALYZE notifications")
    try:
        yield conn
    finally:
        await conn.close()


@pytest.mark.parametrize("after_id", [MAX_BIGINT, 9000])
async def test_the_list_pages_on_the_primary_key_and_counts_on_the_read_index(seeded, after_id):
    nodes = await plan(seeded, "notifications/list_notifications", user_id=7, after_id=after_id,
                       limit=21)
    assert reads(nodes, "users") == [("Index Scan", "users_pkey")], describe(nodes)
    scans = reads(nodes, "notifications")
    assert ("Index Scan", "notifications_pkey") in scans, describe(nodes)
    assert ("Index Only Scan", "notifications_user_read_idx") in scans, describe(nodes)
    assert len(scans) == 2, describe(nodes)
    assert not any(n["Node Type"] == "Sort" for n in below_limit(nodes)), describe(nodes)


async def test_the_unread_list_walks_the_read_index(seeded):
    nodes = await plan(seeded, "notifications/list_notifications_by_read", user_id=7,
                       is_read=False, after_id=MAX_BIGINT, limit=21)
    assert sorted(reads(nodes, "notifications")) == [
        ("Index Only Scan", "notifications_user_read_idx"),
        ("Index Scan", "notifications_user_read_idx"),
    ], describe(nodes)
    assert not any(n["Node Type"] == "Sort" for n in below_limit(nodes)), describe(nodes)


async def test_the_read_list_reads_no_more_than_an_index_gives(seeded):
    """Read notifications are most of them: walking the primary key and skipping the few unread
    ones is as good as the read index, and the planner may take either."""
    nodes = await plan(seeded, "notifications/list_notifications_by_read", user_id=7,
                       is_read=True, after_id=MAX_BIGINT, limit=21)
    assert not any(n["Node Type"] == "Seq Scan" for n in nodes), describe(nodes)
    assert not any(n["Node Type"] == "Sort" for n in below_limit(nodes)), describe(nodes)


async def test_read_all_finds_the_unread_by_the_read_index(seeded):
    nodes = await plan(seeded, "notifications/read_all_notifications", user_id=7, before=None)
    assert index_names(nodes) == {"users_pkey", "sessions_pkey", "notifications_user_read_idx"}, describe(nodes)
    assert ("Seq Scan", None) not in reads(nodes, "notifications"), describe(nodes)
