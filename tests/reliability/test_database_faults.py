"""When the database cannot serve this version of the service, requests answer 503 with
Retry-After (never 500) and /health/ready fails, for as long as the cause lasts and for
``APP_READY_HOLD_SECONDS`` after the last request it failed; then the service recovers by itself.

Each cause is made real: a read-only database (``default_transaction_read_only`` for the service's
role, which is what a standby answers), prepared statements dropped behind asyncpg's back (what a
pooler in transaction mode does), and a connection terminated by the server. (A schema rolled
back under the service: tests/reliability/test_rollback.py.) A column whose type changes under a
statement prepared earlier is no fault of the database: a 503 to retry, and readiness stays."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from psycopg.conninfo import conninfo_to_dict

from tests.conftest import SERVICE_ROLE, app_for, settings_for
from tests.helpers import connected, create_task, eventually, register

pytestmark = pytest.mark.own_database

HOLD = "0.5"


@pytest.fixture
def settings(service_url):
    """One connection, so that the connection a test spoils is the one the next request uses (no
    housekeeping, which could take it first)."""
    return settings_for(service_url, APP_POOL_SIZE="1", APP_POOL_MIN_SIZE="1",
                        APP_READY_HOLD_SECONDS=HOLD, APP_HOUSEKEEPING_INTERVAL_SECONDS="0")


async def _ready(client: AsyncTestClient) -> bool:
    return (await client.get("/health/ready")).status_code == 200


def _unavailable(response, about: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers.get("Retry-After")
    assert about in response.json()["detail"], response.json()


@pytest.fixture
async def owner(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the schema's owner (a superuser here), to do to the database what its
    operator or a pooler would."""
    async with connected(database_url) as conn:
        yield conn


@pytest.fixture
def database_name(database_url) -> str:
    return conninfo_to_dict(database_url)["dbname"]


async def test_a_read_only_database_is_503_and_not_ready_until_it_is_writable_again(
    settings, owner, database_name
):
    app = app_for(settings)
    async with AsyncTestClient(app=app) as client:
        alice = await register(client, "alice@example.com")
        task = await create_task(client, alice)
    role_setting = f'ALTER ROLE "{SERVICE_ROLE}" IN DATABASE "{database_name}"'
    await owner.execute(f"{role_setting} SET default_transaction_read_only = on")
    try:
        async with AsyncTestClient(app=app) as client:
            _unavailable(await client.post("/tasks", json={"title": "t"}, headers=alice.headers),
                         "read-only")
            response = await client.get("/health/ready")
            assert response.status_code == 503
            assert "read-only" in response.json()["detail"]
            # Reads still work meanwhile.
            assert (await client.get(f"/tasks/{task['id']}", headers=alice.headers)
                    ).status_code == 200

            await owner.execute(f"{role_setting} RESET default_transaction_read_only")
            await eventually(lambda: _ready(client), "readiness never recovered")
            response = await client.post("/tasks", json={"title": "t"}, headers=alice.headers)
            assert response.status_code == 201, response.text
    finally:
        await owner.execute(f"{role_setting} RESET default_transaction_read_only")


async def test_prepared_statements_lost_behind_the_drivers_back_are_503_and_not_ready_for_a_while(
    settings, owner
):
    app = app_for(settings)
    async with AsyncTestClient(app=app) as client:
        alice = await register(client, "alice@example.com")
        task = await create_task(client, alice)
        path = f"/tasks/{task['id']}"
        assert (await client.get(path, headers=alice.headers)).status_code == 200
        # What a pooler in transaction mode does when it moves the client to another server
        # connection: the statements asyncpg prepared are not there any more. Here the service's
        # own session drops them, in a trigger of the next create.
        await owner.execute("""
            CREATE FUNCTION drop_prepared_statements() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                EXECUTE 'DEALLOCATE ALL';
                RETURN NULL;
            END $$;
            CREATE TRIGGER drop_prepared_statements AFTER INSERT ON tasks
                FOR EACH STATEMENT EXECUTE FUNCTION drop_prepared_statements();
        """)
        await create_task(client, alice)
        await owner.execute("DROP TRIGGER drop_prepared_statements ON tasks")

        _unavailable(await client.get(path, headers=alice.headers), "prepared statement")
        response = await client.get("/health/ready")
        assert response.status_code == 503
        assert "prepared statement" in response.json()["detail"]
        # The connection that lost them was closed: the next one prepares its own.
        await eventually(lambda: _ready(client), "readiness never recovered")
        assert (await client.get(path, headers=alice.headers)).status_code == 200


async def test_a_connection_the_server_ended_is_503_and_not_ready_for_a_while(settings, owner,
                                                                              database_name):
    app = app_for(settings)
    async with AsyncTestClient(app=app) as client:
        alice = await register(client, "alice@example.com")
        assert (await client.get("/tasks", headers=alice.headers)).status_code == 200
        ended = await owner.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'pgapi' AND datname = $1", database_name)
        assert ended == 1

        _unavailable(await client.get("/tasks", headers=alice.headers), "")
        assert (await client.get("/health/ready")).status_code == 503
        await eventually(lambda: _ready(client), "readiness never recovered")
        assert (await client.get("/tasks", headers=alice.headers)).status_code == 200


async def test_a_column_changed_under_a_transactions_statement_is_503_once_not_a_fault(settings,
                                                                                        owner):
    """A migration that changes a column's type while the service runs: a statement prepared
    before fails in a transaction ("cached plan must not change result type"), which asyncpg
    cannot retry there; the request is a 503 to retry, and the retry prepares it again."""
    app = app_for(settings)
    async with AsyncTestClient(app=app) as client:
        alice = await register(client, "alice@example.com")

        async def create(key: str):
            return await client.post("/conversations", json={"title": "before"},
                                     headers={**alice.headers, "Idempotency-Key": key})

        assert (await create("first")).status_code == 201  # prepares the create in a transaction
        await owner.execute("ALTER TABLE conversations ALTER COLUMN title TYPE varchar")
        _unavailable(await create("second"), "schema changed")
        assert await _ready(client)  # the database is fine: nothing to wait out
        response = await create("second")
        assert response.status_code == 201, response.text
