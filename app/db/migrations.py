"""Schema migrations with yoyo: hand-written SQL files in migrations/, each with its rollback.

yoyo takes a lock table around every apply and rollback, so two processes never migrate at once;
the server applies pending migrations once, in the parent process, before any worker starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from yoyo import get_backend, read_migrations
from yoyo.backends.base import DatabaseBackend

from app.resources import MIGRATIONS_DIR


def yoyo_url(database_url: str) -> str:
    """yoyo names its driver in the scheme; we use psycopg 3."""
    scheme, rest = database_url.split("://", 1)
    return f"postgresql+psycopg://{rest}"


@contextmanager
def _backend(database_url: str) -> Iterator[DatabaseBackend]:
    backend = get_backend(yoyo_url(database_url))
    try:
        yield backend
    finally:
        backend.connection.close()


def apply(database_url: str) -> list[str]:
    """Apply every pending migration; return their ids."""
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with _backend(database_url) as backend, backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
        return [m.id for m in pending]


def rollback(database_url: str, *, count: int | None = 1) -> list[str]:
    """Roll back the newest ``count`` applied migrations (all of them when None)."""
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with _backend(database_url) as backend, backend.lock():
        applied = backend.to_rollback(migrations)
        chosen = applied if count is None else applied[:count]
        backend.rollback_migrations(chosen)
        return [m.id for m in chosen]


def status(database_url: str) -> list[tuple[str, bool]]:
    """Every migration id with whether it is applied, oldest first."""
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with _backend(database_url) as backend:
        applied = {m.id for m in backend.to_rollback(migrations)}
        return [(m.id, m.id in applied) for m in migrations]
