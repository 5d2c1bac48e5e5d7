"""``python -m app migrate apply | rollback | status``."""

from __future__ import annotations

import argparse

from app.cli.urls import migration_url
from app.config import Settings
from app.db import migrations


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    url = migration_url(settings)
    if args.action == "apply":
        applied = migrations.apply(url)
        print("applied: " + (", ".join(applied) or "nothing pending"))
    elif args.action == "rollback":
        undone = migrations.rollback(url, count=None if args.all else args.count)
        print("rolled back: " + (", ".join(undone) or "nothing applied"))
    else:
        for migration_id, is_applied in migrations.status(url):
            print(f"{'applied' if is_applied else 'pending'}  {migration_id}")
    return 0
