"""The Database over asyncpg's pool: a statement reuses a free connection, takes a new one from the
pool while fewer than its size are out, or waits in line for at most the acquire timeout; a
connection whose statement failed goes back to the pool to be cleaned up or replaced; close()
gives every connection back; a release that fails is logged rather than lost or raised into a
request."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import pytest

from app.db.pool import Database, create_pool


@pytest.fixture
async def db(settings, database_url):
    pool = await create_pool(settings, database_url)
    db = Database(pool, acquire_timeout=0.3)
    try:
        yield db
    finally:
        await db.close()
        await pool.close()


async def _settled(db: Database) -> None:
    """Until every connection given back to the pool has been released there (bounded)."""
    for _ in range(100):
        if not db._releasing:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("releases never finished")


async def test_statements_one_after_another_reuse_one_connection(db):
    pids = set()
    for _ in range(20):
        pids.add(await db.fetchval("SELECT pg_backend_pid()"))
        assert (await db.fetchrow("SELECT 2 AS n"))["n"] == 2
        assert [r["n"] for r in await db.fetch("SELECT generate_series(1, 2) AS n")] == [1, 2]
        assert await db.execute("SELECT 3") == "SELECT 1"
        async with db.transaction() as conn:
            assert await conn.fetchval("SELECT 4") == 4
    assert len(pids) == 1
    assert db._out == 1 and len(db._free) == 1


async def test_concurrent_statements_take_at_most_the_pools_size(db):
    limit = db.pool.get_max_size()
    pids = await asyncio.gather(*(db.fetchval("SELECT pg_backend_pid() FROM pg_sleep(0.05)")
                                  for _ in range(2 * limit)))
    assert len(set(pids)) == limit
    assert db._out == limit and len(db._free) == limit


async def test_a_failed_statement_gives_its_connection_back_to_the_pool(db):
    before = await db.fetchval("SELECT pg_backend_pid()")
    with pytest.raises(asyncpg.DivisionByZeroError):
        await db.fetchval("SELECT 1 / 0")
    assert db._out == 0 and db._free == []
    await _settled(db)
    assert db.pool.get_idle_size() >= 1
    assert await db.fetchval("SELECT 5") == 5  # taken from the pool again
    with pytest.raises(asyncpg.DivisionByZeroError):
        async with db.transaction() as conn:
            await conn.execute("SELECT 1 / 0")
    assert db._out == 0
    assert before  # a real backend answered


async def test_a_transaction_left_open_goes_back_to_the_pool_to_be_rolled_back(db):
    async with db.connection() as conn:
        await conn.execute("BEGIN")
        await conn.execute("CREATE TEMPORARY TABLE left_open (n int)")
    assert db._out == 0 and db._free == []
    await _settled(db)
    async with db.connection() as conn:
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT to_regclass('pg_temp.left_open')") is None


async def test_an_exhausted_pool_times_out_instead_of_waiting_forever(db):
    held = [await db._acquire() for _ in range(db.pool.get_max_size())]
    with pytest.raises(TimeoutError):
        await db.fetchval("SELECT 1")
    assert not [w for w in db._waiting if not w.done()]
    for conn in held:
        db._reuse(conn)
    assert await db.fetchval("SELECT 6") == 6


async def test_the_next_in_line_gets_a_freed_connection(db):
    held = [await db._acquire() for _ in range(db.pool.get_max_size())]
    waiting = asyncio.ensure_future(db.fetchval("SELECT 7"))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    db._reuse(held.pop())
    assert await waiting == 7
    db._give_back(held.pop())  # a failure frees a place in the pool instead of a connection
    assert await asyncio.wait_for(db.fetchval("SELECT 8"), 1) == 8
    for conn in held:
        db._reuse(conn)


async def test_close_gives_every_connection_back(db):
    await asyncio.gather(*(db.fetchval("SELECT pg_sleep(0.02)") for _ in range(4)))
    await db.close()
    assert db._out == 0 and db._free == []
    assert db.pool.get_idle_size() == db.pool.get_size()


async def test_a_release_that_fails_is_logged_and_forgotten(db, caplog):
    caplog.set_level(logging.WARNING, logger="app.db")
    db._out += 1
    db._give_back(object())  # not a connection of this pool: asyncpg refuses it
    await _settled(db)
    assert "releasing a connection failed" in caplog.text
    assert db._out == 0


async def test_a_place_in_the_pool_is_passed_on_when_its_waiter_has_gone(db):
    held = [await db._acquire() for _ in range(db.pool.get_max_size())]
    first = asyncio.ensure_future(db.fetchval("SELECT 9"))
    second = asyncio.ensure_future(db.fetchval("SELECT 10"))
    await asyncio.sleep(0.05)
    db._give_back(held.pop())  # room for one: the first in line is told ...
    first.cancel()  # ... but gives up before it runs, so the second must hear of it
    assert await asyncio.wait_for(second, 1) == 10
    with pytest.raises(asyncio.CancelledError):
        await first
    for conn in held:
        db._reuse(conn)
