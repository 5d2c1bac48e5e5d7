"""``python -m app seed``: bulk-load users, tasks and notifications straight into PostgreSQL, for
realistic table sizes in benchmarks and load tests.

Users are inserted in batches by one statement each (sql/tools/insert_users.sql, which returns
their ids); tasks and notifications go in with COPY (binary, through asyncpg), without a round
trip per row. Every
seeded user shares one argon2id hash of ``--password``, computed once, so they can all log in.
Emails are ``<prefix>-<n>@seed.example``: a run's prefix is new each time unless given, so runs
never collide with each other or with real accounts.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, TextIO, get_args

import asyncpg
import msgspec
from argon2 import PasswordHasher

from app.cli.seeded import DEFAULT_PASSWORD, seeded_email
from app.config import ConfigError, load_settings
from app.db.queries import Query, bind_queries, sql
from app.notifications.models import Kind

USER_BATCH = 5000
TASK_BATCH = 50000


class SeededUser(msgspec.Struct):
    id: int
    email: str


_insert_users = sql("tools/insert_users", "emails", "names", "password_hash", row=SeededUser)
_analyze = sql("tools/analyze_seeded_tables")
SEED_QUERIES = (_insert_users, _analyze)


class Progress:
    """A progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, total: int, stream: TextIO = sys.stderr):
        self.label, self.total, self.stream = label, total, stream
        self.done, self.started, self._drawn = 0, time.monotonic(), 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn >= 0.1 or self.done >= self.total:
            self._drawn = now
            share = self.done / self.total if self.total else 1.0
            bar = "#" * int(share * 30)
            rate = self.done / max(now - self.started, 1e-9)
            self.stream.write(f"\r{self.label:<6} [{bar:<30}] {self.done:>10,}/{self.total:,}"
                              f"  {rate:>10,.0f}/s")
            if self.done >= self.total:
                self.stream.write("\n")
            self.stream.flush()


def _task_rows(user_ids: Sequence[int], per_user: int, rng: random.Random,
               now: datetime) -> Iterator[tuple[Any, ...]]:
    """(user_id, title, description, completed, created_at, updated_at) for every task: created
    over the past year, a third of them completed, one in five with a description."""
    year = 365 * 24 * 3600
    for user_id in user_ids:
        for n in range(1, per_user + 1):
            created = now - timedelta(seconds=rng.random() * year)
            yield (user_id, f"Seeded task {n}", "Seeded description" if n % 5 == 0 else None,
                   n % 3 == 0, created, created)


def _notification_rows(user_ids: Sequence[int], per_user: int, rng: random.Random,
                       now: datetime) -> Iterator[tuple[Any, ...]]:
    """(user_id, kind, title, body, data, is_read, created_at, updated_at) for every
    notification: of every kind, over the past month, two thirds of them read."""
    month = 30 * 24 * 3600
    kinds = get_args(Kind)
    for user_id in user_ids:
        for n in range(1, per_user + 1):
            created = now - timedelta(seconds=rng.random() * month)
            yield (user_id, kinds[n % len(kinds)], f"Seeded notification {n}", "Seeded", "{}",
                   n % 3 != 0, created, created)


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def seed(url: str, *, users: int, tasks_per_user: int, password: str, prefix: str,
               argon2: tuple[int, int, int], rng: random.Random,
               notifications_per_user: int = 0) -> list[int]:
    """Create the users, their tasks and notifications; returns the new users' ids."""
    bind_queries(SEED_QUERIES)
    insert_users, analyze = _insert_users, _analyze
    time_cost, memory_kib, parallelism = argon2
    password_hash = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                   parallelism=parallelism).hash(password)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            user_ids = await _write(conn, insert_users, users=users,
                                    tasks_per_user=tasks_per_user, prefix=prefix,
                                    password_hash=password_hash, rng=rng)
            await _copy(conn, "notifications", "notifications",
                        _notification_rows(user_ids, notifications_per_user, rng,
                                           datetime.now(timezone.utc)),
                        len(user_ids) * notifications_per_user,
                        ["user_id", "kind", "title", "body", "data", "is_read", "created_at",
                         "updated_at"])
        await conn.execute(analyze.sql)
        return user_ids
    finally:
        await conn.close()


async def _write(conn: asyncpg.Connection, insert_users: Query[SeededUser], *, users: int,
                 tasks_per_user: int, prefix: str, password_hash: str,
                 rng: random.Random) -> list[int]:
    """The users in batches of USER_BATCH (their ids come back), then their tasks by COPY."""
    user_ids: list[int] = []
    progress = Progress("users", users)
    for start in range(1, users + 1, USER_BATCH):
        numbers = range(start, min(start + USER_BATCH, users + 1))
        created = await conn.fetch(insert_users.sql, *insert_users.args({
            "emails": [seeded_email(prefix, n) for n in numbers],
            "names": [f"Seed user {n}" for n in numbers],
            "password_hash": password_hash,
        }))
        user_ids += [r["id"] for r in created]
        progress.advance(len(created))
    await _copy(conn, "tasks", "tasks",
                _task_rows(user_ids, tasks_per_user, rng, datetime.now(timezone.utc)),
                users * tasks_per_user,
                ["user_id", "title", "description", "completed", "created_at", "updated_at"])
    return user_ids


async def _copy(conn: asyncpg.Connection, label: str, table: str,
                rows: Iterator[tuple[Any, ...]], total: int, columns: list[str]) -> None:
    """COPY the rows into the table in chunks of TASK_BATCH, with a progress bar."""
    if total == 0:
        return
    progress = Progress(label, total)
    for chunk in _chunks(rows, TASK_BATCH):
        await conn.copy_records_to_table(table, records=chunk, columns=columns)
        progress.advance(len(chunk))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app seed",
        description="Bulk-load users, their tasks and notifications into the database, as the "
        "role that owns it "
        "(APP_MIGRATION_DATABASE_URL, else DATABASE_URL, else the embedded server under "
        "APP_DATA_DIR), applying pending migrations first. Seeded users "
        "log in as <prefix>-<n>@seed.example (n = 1..USERS) with --password.",
    )
    parser.add_argument("--users", type=int, required=True, help="how many users to create")
    parser.add_argument("--tasks-per-user", type=int, default=0,
                        help="tasks for each of them (default 0)")
    parser.add_argument("--notifications-per-user", type=int, default=0,
                        help="notifications for each of them, a third unread (default 0)")
    parser.add_argument("--password", default=DEFAULT_PASSWORD,
                        help=f"their password, at least 8 characters (default {DEFAULT_PASSWORD})")
    parser.add_argument("--prefix", help="email prefix (default: seed-<random>, new each run)")
    parser.add_argument("--random-seed", type=int, help="make the generated data repeatable")
    return parser


def main(argv: Sequence[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.users < 1 or args.tasks_per_user < 0 or args.notifications_per_user < 0:
        parser.error("--users must be at least 1, --tasks-per-user and "
                     "--notifications-per-user at least 0")
    if len(args.password) < 8:
        parser.error("--password must be at least 8 characters (the API's rule)")
    prefix = args.prefix or f"seed-{secrets.token_hex(3)}"
    if not prefix.replace("-", "").isalnum():
        parser.error("--prefix may only have letters, digits and '-'")
    try:
        settings = load_settings(serving=False)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    from psycopg import OperationalError
    from psycopg.errors import InsufficientPrivilege

    from app.cli.urls import migration_url, not_permitted, unreachable
    from app.db import migrations

    url = migration_url(settings)
    try:
        migrations.apply(url)
    except InsufficientPrivilege as exc:
        return not_permitted(exc)
    except OperationalError as exc:
        return unreachable(settings, exc)
    started = time.monotonic()
    try:
        user_ids = asyncio.run(seed(
            url, users=args.users, tasks_per_user=args.tasks_per_user, password=args.password,
            prefix=prefix, rng=random.Random(args.random_seed),
            notifications_per_user=args.notifications_per_user,
            argon2=(settings.argon2_time_cost, settings.argon2_memory_kib,
                    settings.argon2_parallelism),
        ))
    except asyncpg.UniqueViolationError:
        print(f"\nerror: users with the prefix {prefix!r} exist already (nothing was written); "
              "choose another --prefix", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    print(f"seeded {len(user_ids):,} users, {len(user_ids) * args.tasks_per_user:,} tasks and "
          f"{len(user_ids) * args.notifications_per_user:,} notifications in {elapsed:.1f} s; log in as {seeded_email(prefix, 1)} .. "
          f"{seeded_email(prefix, args.users)} with password {args.password!r}")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    print("load test with them, against the service on this database (python -m app serve): "
          f"python -m app loadtest --url http://{host}:{settings.port} "
          f"--seeded-users {prefix}:{args.users}")
    return 0
