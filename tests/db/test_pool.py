"""The Database over asyncpg's pool: a statement reuses a free connection, takes a new one from the
pool while fewer than its size are out, or waits in line for at most the acquire timeout; a
connection whose statement failed goes back to the pool to be cleaned up or replaced, and one whose
failure is the database's (it timed out, it is read-only) is closed and the fault remembered for a
while; a statement and a whole transaction have a time limit; close() gives every connection back;
a release that fails is logged rather than lost or raised into a request."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import pytest

from app.db.errors import NoFreeConnection, fault_of
from app.db.pool import Database, create_pool
from tests.conftest import settings_for
from tests.helpers import connected, eventually


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
    with pytest.raises(NoFreeConnection):
        await db.fetchval("SELECT 1")
    assert not [w for w in db._waiting if not w.done()]
    assert db.recent_fault() is None  # a busy service, not a fault of the database
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


@pytest.fixture
async def impatient(service_url, database_url):
    """A Database whose statements may take 0.5 s, and its transactions 0.5 s in all; it
    remembers a fault for 3 s (long enough for a loaded machine to check it is remembered)."""
    pool = await create_pool(settings_for(service_url, APP_DATABASE_TIMEOUT="0.5"), database_url)
    db = Database(pool, acquire_timeout=1.0, timeout=0.5, fault_hold=3.0)
    try:
        yield db
    finally:
        await db.close()
        await pool.close()


async def _closed_and_replaced(db: Database, pid: int) -> None:
    """The connection of backend ``pid`` left the Database, and the next statement runs on
    another."""
    assert db._out == 0 and db._free == []
    await _settled(db)
    assert await db.fetchval("SELECT pg_backend_pid()") != pid


async def test_a_statement_that_outlasts_the_timeout_closes_its_connection(impatient):
    pid = await impatient.fetchval("SELECT pg_backend_pid()")
    with pytest.raises(TimeoutError):
        await impatient.fetchval("SELECT pg_sleep(3)")
    assert impatient.recent_fault() == "the database did not answer in time"
    await _closed_and_replaced(impatient, pid)


async def test_a_transaction_that_outlasts_the_timeout_in_all_closes_its_connection(impatient):
    with pytest.raises(TimeoutError):
        async with impatient.transaction() as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            for _ in range(3):  # each statement within the limit, not all of them
                await conn.execute("SELECT pg_sleep(0.3)")
    await _closed_and_replaced(impatient, pid)


async def test_a_fault_of_the_database_closes_the_connection_and_is_remembered_for_a_while(
    impatient
):
    with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
        async with impatient.transaction() as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            await conn.execute("SET TRANSACTION READ ONLY")
            await conn.execute("CREATE TEMPORARY TABLE written (n int)")
    assert "read-only" in impatient.recent_fault()
    await _closed_and_replaced(impatient, pid)

    async def forgotten() -> bool:
        return impatient.recent_fault() is None

    await eventually(forgotten, "the fault was never forgotten")
    # A client's mistake is no fault of the database: its connection is cleaned up and reused.
    with pytest.raises(asyncpg.DivisionByZeroError):
        await impatient.fetchval("SELECT 1 / 0")
    assert impatient.recent_fault() is None


async def test_a_free_connection_the_server_ended_fails_once_and_frees_its_place(impatient,
                                                                                 database_url):
    pid = await impatient.fetchval("SELECT pg_backend_pid()")
    async with connected(database_url) as owner:
        assert await owner.fetchval("SELECT pg_terminate_backend($1)", pid)

    async def noticed() -> bool:  # asyncpg has seen the connection close (and released it)
        try:
            return impatient._free[0].is_closed()
        except asyncpg.InterfaceError:
            return True

    await eventually(noticed, "the closed connection went unnoticed")
    with pytest.raises(Exception) as failure:
        await impatient.fetchval("SELECT 1")
    assert fault_of(failure.value) == "the connection to the database failed"
    await _closed_and_replaced(impatient, pid)
