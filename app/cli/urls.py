"""Where the command line connects: the schema owner's URL for migrating and tools, the service
role's for serving, and the message for a role that may not migrate."""

from __future__ import annotations

import sys

from app.config import Settings


def migration_url(settings: Settings) -> str:
    """Where migrations and tools (seed) run, as the role that owns the schema:
    APP_MIGRATION_DATABASE_URL, else DATABASE_URL, else the embedded server's superuser (starting
    the server)."""
    if settings.migration_database_url is not None:
        return settings.migration_database_url
    if settings.database_url is not None:
        return settings.database_url
    from app.db.embedded import start_embedded

    return start_embedded(settings.data_dir)


def service_url(settings: Settings, migrated: str) -> str:
    """Where the service connects: DATABASE_URL, else the embedded database ``migrated`` as its
    least-privileged login role (created if needed, so call this after migrating)."""
    if settings.database_url is not None:
        return settings.database_url
    from app.db.embedded import service_url as embedded_service_url

    return embedded_service_url(migrated)


def not_permitted(exc: Exception) -> int:
    """Migrating as a role that may not (the service's): say which setting fixes it; status 2."""
    print(f"error: {exc}: migrations run as the role that owns the schema; when DATABASE_URL "
          "names the service's restricted role, set APP_MIGRATION_DATABASE_URL to the owner's",
          file=sys.stderr)
    return 2


def unreachable(settings: Settings, exc: Exception) -> int:
    """Exit status 3, with one line, for a database the command cannot connect to."""
    variable = ("APP_MIGRATION_DATABASE_URL" if settings.migration_database_url is not None
                else "DATABASE_URL")
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    print(f"error: cannot connect to the database in {variable}: {reason}", file=sys.stderr)
    return 3
