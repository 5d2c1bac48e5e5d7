"""``python -m app migrate apply | rollback | status``."""

from __future__ import annotations

import argparse
import sys

from psycopg.conninfo import conninfo_to_dict

from app.cli.urls import migration_url
from app.config import Settings
from app.db import migrations


def _confirmed(url: str, undone: list[str], yes: bool) -> bool | None:
    """Whether rolling back every applied migration may go ahead: ``--yes``, or the answer typed
    on a terminal; None when there is nobody to ask."""
    if yes:
        return True
    if not sys.stdin.isatty():
        return None
    database = conninfo_to_dict(url).get("dbname") or "the database"
    print(f"This rolls back all {len(undone)} migrations of {database} ({undone[0]} to "
          f"{undone[-1]}): every table of the service is dropped, with its data, and a service "
          "running on it fails until it is migrated again.")
    return input('Type "yes" to roll back everything: ').strip() == "yes"


def _rollback(url: str, args: argparse.Namespace) -> int:
    count = None if args.all else args.count or 1
    undone, applied = migrations.plan_rollback(url, count=count)
    if undone and len(undone) == applied:
        confirmed = _confirmed(url, undone, args.yes)
        if confirmed is None:
            print("error: this would roll back every migration, dropping all data; confirm on a "
                  "terminal, or pass --yes", file=sys.stderr)
            return 2
        if not confirmed:
            print("nothing rolled back")
            return 1
    try:
        done = migrations.rollback(url, planned=undone)
    except migrations.MigrationsChanged as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("rolled back: " + (", ".join(done) or "nothing applied"))
    return 0


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    url = migration_url(settings)
    if args.action == "apply":
        applied = migrations.apply(url)
        print("applied: " + (", ".join(applied) or "nothing pending"))
    elif args.action == "rollback":
        return _rollback(url, args)
    else:
        for migration_id, is_applied in migrations.status(url):
            print(f"{'applied' if is_applied else 'pending'}  {migration_id}")
    return 0
