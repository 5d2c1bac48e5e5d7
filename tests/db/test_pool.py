"""The pool wrapper: connections come back after every statement, an exhausted pool times out
instead of hanging, and a release that fails is logged rather than lost or raised into a request."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app.db.pool import Database, create_pool


@pytest.fixture
async def db(settings, database_url):
    pool = await create_pool(settings, database_url)
    try:
        yield Database(pool, acquire_timeout=0.3)
    finally:
        await pool.close()


async def _settled(db: Database) -> None:
    """Until every release started so far has finished (bounded)."""
    for _ in range(100):
        if not db._releasing:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("releases never finished")


async def test_every_statement_gives_its_connection_back(db):
    for _ in range(3 * db.pool.get_max_size()):
        assert await db.fetchval("SELECT 1") == 1
        assert (await db.fetchrow("SELECT 2 AS n"))["n"] == 2
        assert [r["n"] for r in await db.fetch("SELECT generate_series(1, 2) AS n")] == [1, 2]
        assert await db.execute("SELECT 3") == "SELECT 1"
    await _settled(db)
    assert db.pool.get_idle_size() == db.pool.get_size()


async def test_a_failed_statement_gives_its_connection_back_too(db):
    for _ in range(2 * db.pool.get_max_size()):
        with pytest.raises(Exception, match="division by zero"):
            await db.fetchval("SELECT 1 / 0")
    async with db.transaction() as conn:
        assert await conn.fetchval("SELECT 4") == 4
    await _settled(db)
    assert db.pool.get_idle_size() == db.pool.get_size()


async def test_an_exhausted_pool_times_out_instead_of_waiting_forever(db):
    held = [await db._acquire() for _ in range(db.pool.get_max_size())]
    try:
        with pytest.raises(TimeoutError):
            await db.fetchval("SELECT 1")
    finally:
        for conn in held:
            db._release(conn)
    await _settled(db)
    assert await db.fetchval("SELECT 5") == 5


async def test_a_release_that_fails_is_logged_and_forgotten(db, caplog):
    caplog.set_level(logging.WARNING, logger="app.db")
    db._release(object())  # not a connection of this pool: asyncpg refuses it
    await _settled(db)
    assert "releasing a connection failed" in caplog.text
