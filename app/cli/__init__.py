"""Command line: ``python -m app serve | migrate | seed | loadtest``. Each command's module is
imported when it runs, so ``--help`` and the tools stay quick."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from app.config import ConfigError, load_settings


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
        description="Apply pending migrations once (unless --no-migrate), then serve HTTP with "
        "uvicorn.",
    )
    serve.add_argument("--host", help="address to listen on (APP_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=_bounded(1, 65535),
                       help="port to listen on (APP_PORT, default 8000)")
    serve.add_argument("--workers", type=_bounded(1, 64),
                       help="worker processes (APP_WORKERS, default 1)")
    serve.add_argument("--no-migrate", action="store_true",
                       help="serve without applying migrations (APP_MIGRATE_ON_START=false): run "
                       "'migrate apply' as the schema's owner beforehand")

    migrate = commands.add_parser(
        "migrate", help="apply, roll back or list schema migrations",
        description="Schema migrations with yoyo, under its lock.",
    )
    actions = migrate.add_subparsers(dest="action", required=True)
    actions.add_parser("apply", help="apply every pending migration")
    rollback = actions.add_parser(
        "rollback", help="roll back the newest migration(s)",
        description="Roll back the newest migrations. Rolling back every applied one (--all, or a "
        "--count that reaches them all) drops every table of the service with its data: it asks "
        "for confirmation on a terminal, and needs --yes otherwise.")
    how_many = rollback.add_mutually_exclusive_group()
    # No default of 1: argparse would take an explicit "--count 1" for the default and let it
    # pass with --all.
    how_many.add_argument("--count", type=_bounded(1, 10_000), help="how many (default 1)")
    how_many.add_argument("--all", action="store_true", help="roll back every migration")
    rollback.add_argument("--yes", action="store_true",
                          help="do not ask for confirmation before rolling back everything")
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
    # yoyo logs every step of every migration at INFO (about 60 lines on a first start); the
    # commands say in one line which migrations they applied.
    logging.getLogger("yoyo").setLevel(logging.WARNING)
    try:
        settings = load_settings(serving=args.command == "serve")
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    from psycopg import OperationalError
    from psycopg.errors import InsufficientPrivilege

    try:
        if args.command == "serve":
            from app.cli.serve import serve

            return serve(args, settings)
        from app.cli.migrate import migrate

        return migrate(args, settings)
    except InsufficientPrivilege as exc:
        from app.cli.urls import not_permitted

        return not_permitted(exc)
    except ConfigError as exc:  # e.g. a damaged secret file in the data directory
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:  # an external database that does not answer
        from app.cli.urls import unreachable

        return unreachable(settings, exc)
