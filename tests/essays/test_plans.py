"""The essay batches queries use the indexes their headers name, on tables big enough for it to
matter."""

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
    """1000 users with 2 batches of 5 essays; user 7 with 200 batches and one batch of 5000
    essays, most of them completed: analyzed and vacuumed (for index-only counts)."""
    conn = await asyncpg.connect(database_url)
    # The test server commits asynchronously; VACUUM marks a page all-visible (for index-only
    # scans) only once the commits of its rows are flushed, so these commit synchronously.
    await conn.execute("SET synchronous_commit = on")
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 1000) AS i"
    )
    await conn.execute(
        "INSERT INTO batches (user_id, name, created_at) "
        "SELECT u.id, 'b' || n, now() - n * interval '1 minute' "
        "FROM users AS u, generate_series(1, 2) AS n"
    )
    await conn.execute(
        "INSERT INTO batches (user_id, name, created_at) "
        "SELECT 7, 'busy ' || n, now() - n * interval '1 second' FROM generate_series(1, 200) AS n"
    )
    await conn.execute(
        "INSERT INTO essays (user_id, batch_id, content_id, language, status) "
        "SELECT b.user_id, b.id, 'c-' || b.id || '-' || n, 'en', 'pending' "
        "FROM batches AS b, generate_series(1, 5) AS n"
    )
    big = await conn.fetchval("SELECT max(id) FROM batches WHERE user_id = 7")
    await conn.execute(
        "INSERT INTO essays (user_id, batch_id, content_id, language, status) "
        "SELECT 7, $1, 'big-' || n, 'en', CASE WHEN n % 100 = 0 THEN 'pending' ELSE 'completed' "
        "END FROM generate_series(1, 5000) AS n", big,
    )
    await conn.execute("VACUUM ANALYZE users")
    await conn.execute("VACUUM ANALYZE batches")
    await conn.execute("VACUUM ANALYZE essays")
    try:
        yield conn, big
    finally:
        await conn.close()


async def test_list_batches_walks_its_index_and_counts_from_the_status_index(seeded):
    conn, _ = seeded
    nodes = await plan(conn, "essays/list_batches", user_id=7, after_created_at=INFINITY,
                       after_id=0, limit=21)
    assert page_of_active_user(nodes, "batches_user_created_idx"), describe(nodes)
    assert {"batches_user_created_idx", "essays_user_batch_status_idx"} <= index_names(nodes), \
        describe(nodes)
    assert not any(n["Node Type"] in ("Sort", "Seq Scan") for n in below_limit(nodes)), \
        describe(nodes)


async def test_essays_by_status_and_claim_use_the_status_index(seeded):
    conn, big = seeded
    listed = await plan(conn, "essays/list_batch_essays_by_status", user_id=7, batch_id=big,
                        status="pending", after_id=0, limit=21)
    claimed = await plan(conn, "essays/claim_essays", user_id=7, batch_id=big, limit=10)
    assert page_of_active_user(listed, "essays_user_batch_status_idx"), describe(listed)
    for nodes in (listed, claimed):
        assert "essays_user_batch_status_idx" in index_names(nodes), describe(nodes)
        assert not any(n["Node Type"] in ("Sort", "Seq Scan") for n in below_limit(nodes)), \
            describe(nodes)


async def test_essays_of_a_batch_walk_the_batch_index(seeded):
    conn, big = seeded
    nodes = await plan(conn, "essays/list_batch_essays", user_id=7, batch_id=big, after_id=0,
                       limit=21)
    assert page_of_active_user(nodes, "essays_user_batch_idx"), describe(nodes)
    assert not any(n["Node Type"] in ("Sort", "Seq Scan") for n in below_limit(nodes)), \
        describe(nodes)


async def test_used_content_ids_are_looked_up_in_the_content_id_key(seeded):
    conn, _ = seeded
    nodes = await plan(conn, "essays/find_content_ids", user_id=7,
                       content_ids=["big-1", "big-20", "big-300", "unused"])
    assert [index for _, index in reads(nodes, "essays")] == ["essays_user_content_id_key"], \
        describe(nodes)
    (scan,) = [n for n in nodes if n.get("Relation Name") == "essays"]
    # The ids are searched in the index, not filtered out of all 5000-odd essays of the user.
    assert "content_id = ANY" in scan["Index Cond"], scan
    assert "Filter" not in scan, scan
    assert not any(n["Node Type"] in ("Sort", "Seq Scan") for n in nodes), describe(nodes)
