"""Schema migrations with yoyo: hand-written SQL files in migrations/, each with its rollback.

yoyo takes a lock table around every apply and rollback, so two processes never migrate at once;
the server applies pending migrations once, in the parent process, before any worker starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


class MigrationsChanged(Exception):
    """The applied migrations are not the ones a rollback was planned for."""


def expected() -> list[str]:
    """The id of every migration of this version of the code, oldest first: the schema its
    statements are written for has all of them applied."""
    return [m.id for m in read_migrations(str(MIGRATIONS_DIR))]


def plan_rollback(database_url: str, *, count: int | None = 1) -> tuple[list[str], int]:
    """The ids of the newest ``count`` applied migrations (all of them when None), newest first,
    and how many are applied: what ``rollback`` would undo, to confirm before it does."""
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with _backend(database_url) as backend:
        applied = [m.id for m in backend.to_rollback(migrations)]
    return (applied if count is None else applied[:count]), len(applied)


def rollback(database_url: str, *, count: int | None = 1,
             planned: Sequence[str] | None = None) -> list[str]:
    """Roll back the newest ``count`` applied migrations (all of them when None); return their
    ids, newest first. With ``planned`` (from ``plan_rollback``), exactly those, or nothing and
    MigrationsChanged when the newest applied migrations are no longer those."""
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with _backend(database_url) as backend, backend.lock():
        applied = backend.to_rollback(migrations)
        if planned is None:
            chosen = applied if count is None else applied[:count]
        else:
            chosen = applied[:len(planned)]
            if [m.id for m in chosen] != list(planned):
                raise MigrationsChanged("the applied migrations changed since the rollback was "
                                        "planned; nothing was rolled back")
        backend.rollback_migrations(chosen)
        return [m.id for m in chosen]


def status(database_url: str) -> list[tuple[str, bool]]:
    """Every migration id with whether it is applied, oldest first."""
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with _backend(database_url) as backend:
        applied = {m.id for m in backend.to_rollback(migrations)}
        return [(m.id, m.id in applied) for m in migrations]
