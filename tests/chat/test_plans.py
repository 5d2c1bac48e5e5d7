"""The chat queries use the indexes their headers name, on tables big enough for it to matter."""

from __future__ import annotations

from datetime import datetime, timezone

import asyncpg
import pytest

from tests.plans import below_limit, describe, index_names, page_of_active_user, plan

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

INFINITY = datetime.max.replace(tzinfo=timezone.utc)


@pytest.fixture
async def seeded(database_url):
    """2000 users with 3 conversations of 4 messages each; user 7 with 2000 conversations and one
    of them with 3000 messages: analyzed."""
    conn = await asyncpg.connect(database_url)
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 2000) AS i"
    )
    await conn.execute(
        "INSERT INTO conversations (user_id, title, updated_at) "
        "SELECT u.id, 'c' || n, now() - n * interval '1 minute' "
        "FROM users AS u, generate_series(1, 3) AS n"
    )
    await conn.execute(
        "INSERT INTO conversations (user_id, title, updated_at) "
        "SELECT 7, 'busy ' || n, now() - n * interval '1 second' FROM generate_series(1, 2000) AS n"
    )
    await conn.execute(
        "INSERT INTO messages (user_id, conversation_id, role, content, created_at) "
        "SELECT c.user_id, c.id, 'user', 'm' || n, now() - n * interval '1 second' "
        "FROM conversations AS c, generate_series(1, 4) AS n"
    )
    busy = await conn.fetchval("SELECT max(id) FROM conversations WHERE user_id = 7")
    await conn.execute(
        "INSERT INTO messages (user_id, conversation_id, role, content, created_at) "
        "SELECT 7, $1, 'assistant', 'long ' || n, now() - n * interval '1 second' "
        "FROM generate_series(1, 3000) AS n", busy,
    )
    await conn.execute("ANALYZE users; ANALYZE conversations; ANALYZE messages")
    try:
        yield conn, busy
    finally:
        await conn.close()


async def test_list_conversations_walks_the_activity_index_without_sorting(seeded):
    conn, _ = seeded
    nodes = await plan(conn, "chat/list_conversations", user_id=7, after_updated_at=INFINITY,
                       after_id=0, limit=21)
    assert page_of_active_user(nodes, "conversations_user_updated_idx"), describe(nodes)
    assert {"conversations_user_updated_idx",
            "messages_user_conversation_created_idx"} <= index_names(nodes)
    assert not any(n["Node Type"] in ("Sort", "Seq Scan") for n in below_limit(nodes)), \
        describe(nodes)


async def test_list_messages_walks_the_conversation_index_without_sorting(seeded):
    conn, busy = seeded
    nodes = await plan(conn, "chat/list_messages", user_id=7, conversation_id=busy,
                       before_created_at=INFINITY, before_id=0, limit=51)
    assert page_of_active_user(nodes, "messages_user_conversation_created_idx"), describe(nodes)
    assert not any(n["Node Type"] in ("Sort", "Seq Scan") for n in below_limit(nodes)), \
        describe(nodes)


async def test_get_conversation_reads_one_key_and_one_last_message(seeded):
    conn, busy = seeded
    nodes = await plan(conn, "chat/get_conversation", user_id=7, conversation_id=busy)
    assert {"conversations_pkey", "messages_user_conversation_created_idx"} <= index_names(nodes)
    assert not any(n["Node Type"] in ("Sort", "Seq Scan") for n in nodes)
