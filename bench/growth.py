"""Cost as the data grows: the same requests with 1,000 and with 1,000,000 tasks in the table.

Two databases in one PostgreSQL server, one service (one worker) on each, measured by wrk in
interleaved rounds: ``GET /tasks/{id}`` over random tasks, the first page of ``GET /tasks`` and its
50th page (through the cursor a client would hold there). Keyset pagination and the (user_id, ...)
indexes should keep the large table's p99 within 1.5x of the small one's. The plans of the three
statements on the large table are recorded with EXPLAIN (ANALYZE, BUFFERS), run through psql on
the very .sql files.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from app.db.embedded import pg_bin_dir
from bench.stack import (
    ROOT,
    Cluster,
    Dataset,
    Sample,
    fetch,
    median_sample,
    service,
    wrk,
    wrk_script,
)

SIZES = {"1,000 tasks": (1, 1000), "1,000,000 tasks": (1000, 1000)}  # users, tasks per user
REQUESTS = (("get", 1, "GET /tasks/{id}"), ("list", 1, "GET /tasks, first page"),
            ("list", 50, "GET /tasks, page 50"))
MAX_P99_GROWTH = 1.5


def run(args: argparse.Namespace, out: Path) -> dict:
    with Cluster() as cluster:
        data = {label: cluster.seeded(f"growth{n}", users=users, per_user=per_user)
                for n, (label, (users, per_user)) in enumerate(SIZES.items())}
        sizes = {label: d.size() for label, d in data.items()}
        with service(data["1,000 tasks"], out, name="service-small") as small, \
                service(data["1,000,000 tasks"], out, name="service-large") as large:
            servers = dict(zip(SIZES, (small, large), strict=True))
            samples = _measure(args, data, servers, out)
        plans = explain(data["1,000,000 tasks"])
    return {
        "settings": {"connections": args.connections, "duration_s": args.duration,
                     "rounds": args.rounds,
                     "sizes": {label: {"users": SIZES[label][0], "tasks_per_user": SIZES[label][1],
                                       "tasks": sizes[label][0], "size": sizes[label][1]}
                               for label in SIZES}},
        "requests": {label: {size: asdict(median_sample(s)) for size, s in by_size.items()}
                     for label, by_size in samples.items()},
        "plans": plans,
    }


def _measure(args: argparse.Namespace, data: dict[str, Dataset], servers: dict,
             out: Path) -> dict[str, dict[str, list[Sample]]]:
    scripts = {(label, size): wrk_script(data[size], mode, out, list_page=page)
               for mode, page, label in REQUESTS for size in SIZES}
    for (label, size), script in scripts.items():  # warm up
        wrk(servers[size], script, connections=args.connections, duration=2)
    samples: dict[str, dict[str, list[Sample]]] = {label: {s: [] for s in SIZES}
                                                   for _, _, label in REQUESTS}
    for round_number in range(args.rounds):
        order = list(SIZES) if round_number % 2 == 0 else list(reversed(SIZES))
        for _, _, label in REQUESTS:
            for size in order:
                sample = wrk(servers[size], scripts[(label, size)],
                             connections=args.connections, duration=args.duration)
                samples[label][size].append(sample)
                print(f"round {round_number + 1}  {label:<24} {size:<16} {sample.rps:>9.0f} "
                      f"req/s  p50 {sample.p50_ms:6.2f} ms  p99 {sample.p99_ms:7.2f} ms  "
                      f"errors {sample.errors}", file=sys.stderr)
    return samples


def explain(data: Dataset) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each request's statement, run by psql on the .sql file with
    -v values, for a user in the middle of the table."""
    k = len(data.user_ids) // 2
    user_id, task = data.user_ids[k], data.first_task[k] + data.per_user // 2
    position = fetch(data.url, "page_positions", user_ids=[user_id], skip=49 * 20 - 1)[0]
    cases = {
        "GET /tasks/{id}": ("tasks/get_task", {"user_id": user_id, "task_id": task}),
        "GET /tasks, first page": ("tasks/list_tasks", {
            "user_id": user_id, "after_created_at": "infinity", "after_id": 0, "limit": 21}),
        "GET /tasks, page 50": ("tasks/list_tasks", {
            "user_id": user_id, "after_created_at": position["created_at"].isoformat(),
            "after_id": position["id"], "limit": 21}),
    }
    plans = {}
    for label, (name, values) in cases.items():
        variables = [arg for k, v in values.items() for arg in ("-v", f"{k}={v}")]
        sql = "EXPLAIN (ANALYZE, BUFFERS)\n" + (ROOT / "sql" / f"{name}.sql").read_text()
        # Twice: the second plan is the one of a warm cache, as the benchmark's requests see it.
        for _ in range(2):
            completed = subprocess.run(
                [str(pg_bin_dir() / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                 *variables, "-f", "-", data.url],
                input=sql, capture_output=True, text=True, check=True, timeout=60)
        command = (f"psql {' '.join(f'-v {k}={v}' for k, v in values.items())} "
                   f"-f sql/{name}.sql  (prefixed with EXPLAIN (ANALYZE, BUFFERS))")
        plans[label] = command + "\n\n" + completed.stdout.strip()
    return plans


def markdown(result: dict) -> str:
    s = result["settings"]
    sizes = ", ".join(f"{label}: {v['users']:,} users x {v['tasks_per_user']:,} ({v['size']})"
                      for label, v in s["sizes"].items())
    small, large = SIZES
    lines = [
        f"wrk: {s['connections']} connections, {s['duration_s']} s per run, {s['rounds']} "
        f"interleaved rounds (median shown); one service worker per database. {sizes}.",
        "",
        f"| request | {small}: req/s | p50 ms | p99 ms | {large}: req/s | p50 ms | p99 ms "
        f"| p99 large / small | within {MAX_P99_GROWTH}x |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, by_size in result["requests"].items():
        a, b = by_size[small], by_size[large]
        growth = b["p99_ms"] / a["p99_ms"]
        lines.append(f"| {label} | {a['rps']:,.0f} | {a['p50_ms']:.2f} | {a['p99_ms']:.2f} | "
                     f"{b['rps']:,.0f} | {b['p50_ms']:.2f} | {b['p99_ms']:.2f} | {growth:.2f} | "
                     f"{'yes' if growth <= MAX_P99_GROWTH else 'no'} |")
    lines += ["", f"Plans on the {large} table (warm cache):"]
    for label, plan in result["plans"].items():
        lines += ["", f"**{label}**", "", "```", plan, "```"]
    return "\n".join(lines)
