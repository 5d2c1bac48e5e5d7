"""Migrations apply, roll back to an empty schema, and apply again."""

from __future__ import annotations

import asyncpg
import pytest

from app.db import migrations

pytestmark = pytest.mark.own_database

SCHEMA_QUERY = """
SELECT c.relname, c.relkind::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relname NOT LIKE '%yoyo%'
ORDER BY 1
"""


async def _schema(url: str) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(url)
    try:
        tables = [tuple(r) for r in await conn.fetch(SCHEMA_QUERY)]
        functions = [
            r[0] for r in await conn.fetch(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' ORDER BY 1"
            )
        ]
    finally:
        await conn.close()
    return tables + [(f, "function") for f in functions]


async def test_migrations_roll_back_to_empty_and_apply_again(database_url):
    migrated = await _schema(database_url)
    assert ("users", "r") in migrated and ("tasks", "r") in migrated
    assert all(applied for _, applied in migrations.status(database_url))

    undone = migrations.rollback(database_url, count=None)
    assert undone[-1] == "0001_users"
    leftovers = [obj for obj in await _schema(database_url) if obj[1] != "S"]
    assert leftovers == []
    assert not any(applied for _, applied in migrations.status(database_url))

    assert migrations.apply(database_url) == [m for m, _ in migrations.status(database_url)]
    assert await _schema(database_url) == migrated


async def test_each_migration_rolls_back_on_its_own(database_url):
    ids = [m for m, _ in migrations.status(database_url)]
    for expected in reversed(ids):
        assert migrations.rollback(database_url, count=1) == [expected]
    assert migrations.apply(database_url) == ids


def test_apply_is_idempotent(database_url):
    assert migrations.apply(database_url) == []


_DEFINITIONS = """
SELECT 'trigger ' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger AS t WHERE NOT t.tgisinternal
UNION ALL
SELECT 'function ' || p.proname, pg_get_functiondef(p.oid)
FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
ORDER BY 1
"""
UNCHANGED = "0030_unchanged_rows_keep_their_version"


async def _versions_after_an_update_that_changes_nothing(conn) -> tuple[int, int]:
    """(a task's version, a conversation's) after an UPDATE setting what they hold."""
    return tuple([
        await conn.fetchval(f"UPDATE {table} SET {column} = {column} RETURNING version")
        for table, column in (("tasks", "title"), ("conversations", "title"))])


async def test_0030_rolls_back_to_the_triggers_it_replaced(database_url):
    ids = [m for m, _ in migrations.status(database_url)]
    later = len(ids) - ids.index(UNCHANGED)
    conn = await asyncpg.connect(database_url)
    try:
        user = await conn.fetchval("INSERT INTO users (email, name, password_hash) "
                                   "VALUES ('v@example.com', 'V', 'x') RETURNING id")
        await conn.execute("INSERT INTO tasks (user_id, title) VALUES ($1, 't')", user)
        await conn.execute("INSERT INTO conversations (user_id, title) VALUES ($1, 'c')", user)
        migrations.rollback(database_url, count=later)
        before = await conn.fetch(_DEFINITIONS)
        assert await _versions_after_an_update_that_changes_nothing(conn) == (2, 2)
        migrations.apply(database_url)
        assert await _versions_after_an_update_that_changes_nothing(conn) == (2, 2)
        migrations.rollback(database_url, count=later)
        assert await conn.fetch(_DEFINITIONS) == before
        assert await _versions_after_an_update_that_changes_nothing(conn) == (3, 3)
    finally:
        await conn.close()
        migrations.apply(database_url)
