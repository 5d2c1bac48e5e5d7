"""One worker against two.

First the load-test harness's ``mixed`` scenario, as a user runs it: ``python -m app loadtest
--scenario mixed`` starts its own server on a throw-away embedded database with
``--server-workers 1`` and then ``2``, alternating over the rounds; each run's summary.json is kept
under the results folder. Locust generates the load from the same two cores, so this measures the
whole system on this machine, load generator included, not the service alone. Then the same with
wrk, whose load costs far less CPU: GET /tasks/{id} and POST /tasks against one service of each
kind on one seeded database, interleaved.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from bench.stack import (
    ROOT,
    BenchError,
    Cluster,
    median_sample,
    service,
    wrk,
    wrk_script,
)

WORKERS = (1, 2)


def _loadtest(args: argparse.Namespace, workers: int, out: Path) -> dict:
    command = [sys.executable, "-m", "app", "loadtest", "--scenario", "mixed",
               "--users", str(args.loadtest_users), "--spawn-rate", str(args.loadtest_users),
               "--duration", f"{args.duration}s", "--server-workers", str(workers),
               "--out", str(out)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                               timeout=args.duration + 300)
    if completed.returncode != 0:
        raise BenchError(f"the load test failed ({completed.returncode}):\n{completed.stderr}")
    return json.loads((out / "summary.json").read_text())


def run(args: argparse.Namespace, out: Path) -> dict:
    runs: dict[int, list[dict]] = {w: [] for w in WORKERS}
    for round_number in range(args.rounds):
        order = WORKERS if round_number % 2 == 0 else tuple(reversed(WORKERS))
        for workers in order:
            summary = _loadtest(args, workers, out / f"loadtest-{workers}w-{round_number + 1}")
            total = summary["total"]
            runs[workers].append(total)
            print(f"round {round_number + 1}  {workers} worker(s)  "
                  f"{total['requests_per_second']:>8.0f} req/s  p50 {total['p50_ms']} ms  "
                  f"p99 {total['p99_ms']} ms  failures {total['failures']}", file=sys.stderr)
    return {
        "settings": {"users": args.loadtest_users, "duration_s": args.duration,
                     "rounds": args.rounds, "scenario": "mixed",
                     "connections": args.connections},
        "wrk": _wrk(args, out),
        "workers": {str(w): {
            "requests_per_second": statistics.median(t["requests_per_second"] for t in totals),
            "p50_ms": statistics.median(t["p50_ms"] for t in totals),
            "p95_ms": statistics.median(t["p95_ms"] for t in totals),
            "p99_ms": statistics.median(t["p99_ms"] for t in totals),
            "requests": sum(t["count"] for t in totals),
            "failures": sum(t["failures"] for t in totals),
        } for w, totals in runs.items()},
    }


WRK_MODES = {"get": "GET /tasks/{id}", "create": "POST /tasks"}


def _wrk(args: argparse.Namespace, out: Path) -> dict:
    with Cluster() as cluster:
        data = cluster.seeded("workers", users=args.users, per_user=args.tasks_per_user)
        with service(data, out, workers=1, name="service-1w") as one, \
                service(data, out, workers=2, name="service-2w") as two:
            servers = dict(zip(WORKERS, (one, two), strict=True))
            scripts = {mode: wrk_script(data, mode, out) for mode in WRK_MODES}
            samples: dict[str, dict[int, list]] = {m: {w: [] for w in WORKERS} for m in WRK_MODES}
            for mode, script in scripts.items():
                for server in servers.values():
                    wrk(server, script, connections=args.connections, duration=2)
            for round_number in range(args.rounds):
                order = WORKERS if round_number % 2 == 0 else tuple(reversed(WORKERS))
                for mode, script in scripts.items():
                    for workers in order:
                        sample = wrk(servers[workers], script, connections=args.connections,
                                     duration=args.duration)
                        samples[mode][workers].append(sample)
                        print(f"round {round_number + 1}  wrk {WRK_MODES[mode]:<16} {workers} "
                              f"worker(s) {sample.rps:>8.0f} req/s  p99 {sample.p99_ms:.2f} ms",
                              file=sys.stderr)
    return {mode: {str(w): asdict(median_sample(s)) for w, s in by_workers.items()}
            for mode, by_workers in samples.items()}


def markdown(result: dict) -> str:
    s = result["settings"]
    one = result["workers"]["1"]["requests_per_second"]
    lines = [
        f"`python -m app loadtest --scenario {s['scenario']} --users {s['users']} --duration "
        f"{s['duration_s']}s --server-workers N`, {s['rounds']} alternating rounds (median "
        "shown). Locust runs on the same two cores as the service and PostgreSQL.",
        "",
        "| server workers | req/s | p50 ms | p95 ms | p99 ms | requests | failures | vs 1 worker |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workers, t in result["workers"].items():
        lines.append(f"| {workers} | {t['requests_per_second']:,.0f} | {t['p50_ms']:g} | "
                     f"{t['p95_ms']:g} | {t['p99_ms']:g} | {t['requests']:,} | {t['failures']} | "
                     f"{t['requests_per_second'] / one:.2f}x |")
    lines += [
        "",
        f"wrk, {s['connections']} connections, same rounds, one seeded database for both:",
        "",
        "| request | server workers | req/s | p50 ms | p99 ms | errors | vs 1 worker |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, by_workers in result["wrk"].items():
        base = by_workers["1"]["rps"]
        for workers, t in by_workers.items():
            lines.append(f"| {WRK_MODES[mode]} | {workers} | {t['rps']:,.0f} | {t['p50_ms']:.2f} | "
                         f"{t['p99_ms']:.2f} | {t['errors']} | {t['rps'] / base:.2f}x |")
    return "\n".join(lines)
