"""Command line: ``python -m app serve | migrate | seed | loadtest``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence

from app.config import ConfigError, Settings, ensure_jwt_secret, load_settings


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


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import msgspec
    import uvicorn

    from app.db import migrations

    overrides = {k: v for k in ("host", "port", "workers") if (v := getattr(args, k)) is not None}
    settings = msgspec.structs.replace(settings, **overrides)
    settings = ensure_jwt_secret(settings)
    owner = migration_url(settings)
    applied = migrations.apply(owner)
    logging.getLogger("app").info("migrations applied: %s", ", ".join(applied) or "none pending")
    url = service_url(settings, owner)
    # uvicorn re-raises SIGTERM once it has shut down gracefully; turning it into a normal exit
    # lets atexit stop the embedded PostgreSQL instead of leaving it running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Workers are separate processes that build the app from the environment.
    os.environ["DATABASE_URL"] = url
    os.environ["APP_JWT_SECRET"] = settings.jwt_secret or ""
    uvicorn.run(
        "app.server:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        access_log=settings.access_log,
        log_level=settings.log_level,
        timeout_graceful_shutdown=30,
    )
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import migrations

    url = migration_url(settings)
    if args.action == "apply":
        applied = migrations.apply(url)
        print("applied: " + (", ".join(applied) or "nothing pending"))
    elif args.action == "rollback":
        undone = migrations.rollback(url, count=None if args.all else args.count)
        print("rolled back: " + (", ".join(undone) or "nothing applied"))
    else:
        for migration_id, applied in migrations.status(url):
            print(f"{'applied' if applied else 'pending'}  {migration_id}")
    return 0


def _bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer from ``low`` to ``high``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description="A high-throughput HTTP API over PostgreSQL. Configuration comes from the "
        "environment (see README); with no DATABASE_URL an embedded PostgreSQL is used.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="apply pending migrations, then serve HTTP",
        description="Apply pending migrations once, then serve HTTP with uvicorn.",
    )
    serve.add_argument("--host", help="address to listen on (APP_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=_bounded(1, 65535),
                       help="port to listen on (APP_PORT, default 8000)")
    serve.add_argument("--workers", type=_bounded(1, 64),
                       help="worker processes (APP_WORKERS, default 1)")

    migrate = commands.add_parser(
        "migrate", help="apply, roll back or list schema migrations",
        description="Schema migrations with yoyo, under its lock.",
    )
    actions = migrate.add_subparsers(dest="action", required=True)
    actions.add_parser("apply", help="apply every pending migration")
    rollback = actions.add_parser("rollback", help="roll back the newest migration(s)")
    rollback.add_argument("--count", type=_bounded(1, 10_000), default=1,
                          help="how many (default 1)")
    rollback.add_argument("--all", action="store_true", help="roll back every migration")
    actions.add_parser("status", help="list migrations and whether each is applied")

    commands.add_parser("seed", help="bulk-load users and tasks (see: seed --help)", add_help=False)
    commands.add_parser("loadtest", help="run the Locust load test (see: loadtest --help)",
                        add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # seed and loadtest parse their own options.
    if argv and argv[0] == "seed":
        from app.cli.seed import main as seed_main

        return seed_main(argv[1:])
    if argv and argv[0] == "loadtest":
        from app.loadtest.cli import main as loadtest_main

        return loadtest_main(argv[1:])
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(serving=args.command == "serve")
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    from psycopg.errors import InsufficientPrivilege

    try:
        if args.command == "serve":
            return _serve(args, settings)
        return _migrate(args, settings)
    except InsufficientPrivilege as exc:
        return not_permitted(exc)
    except ConfigError as exc:  # e.g. a damaged secret file in the data directory
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
