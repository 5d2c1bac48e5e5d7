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
