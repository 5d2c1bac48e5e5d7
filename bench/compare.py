"""The service against the ORM baseline and the two ceilings, interleaved in one session.

Four endpoints, each driven by wrk at fixed connections and duration against this service (one
worker), the FastAPI + SQLAlchemy baseline (one worker) and the constant-JSON server (one worker),
and by pgbench -M prepared running the very statement the service runs for it. Rounds interleave
the targets (their order rotates every round) so that drift on a shared machine hits all of them;
each figure is the median over the rounds.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.stack import (
    BenchError,
    Cluster,
    Dataset,
    Sample,
    Server,
    baseline,
    ceiling,
    median_sample,
    pgbench,
    pgbench_script,
    service,
    wrk,
    wrk_script,
)

SERVICE, BASELINE, CONSTANT, PGBENCH = "service", "baseline", "constant JSON", "pgbench"


@dataclass(frozen=True)
class Endpoint:
    mode: str  # the wrk script's mode
    label: str
    sql: str  # the statement the service runs for it, for pgbench
    strings: dict[str, str]  # that statement's other parameters, as pgbench -D strings
    nulls: frozenset[str]  # ... or as NULL
    target: float  # the service's requests/s must be at least this many times the baseline's


ENDPOINTS = (
    Endpoint("get", "GET /tasks/{id}", "tasks/get_task", {}, frozenset(), 10),
    Endpoint("list", "GET /tasks?limit=20", "tasks/list_tasks",
             {"after_created_at": "infinity", "after_id": "0", "limit": "21"}, frozenset(), 8),
    Endpoint("create", "POST /tasks", "tasks/create_task",
             {"title": "Written by pgbench", "description": "A task from the benchmark"},
             frozenset(), 6),
    Endpoint("update", "PATCH /tasks/{id}", "tasks/update_task",
             {"description_sent": "false", "completed": "true"},
             frozenset({"title", "description", "if_match"}), 6),
)
CEILING_SHARE = {"get": 0.5}  # the service's requests/s as a share of the constant-JSON server's


def _bodies(server: Server, data: Dataset) -> dict[str, str]:
    """What the service answers to each endpoint, for the constant-JSON server to answer with."""
    def call(method: str, path: str, body: dict | None = None) -> str:
        request = urllib.request.Request(server.url + path, method=method,
                                         data=json.dumps(body).encode() if body else None)
        request.add_header("Authorization", f"Bearer {data.tokens[0]}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read().decode()

    task = data.first_task[0]
    return {
        "get": call("GET", f"/tasks/{task}"),
        "list": call("GET", "/tasks?limit=20"),
        "create": call("POST", "/tasks", {"title": "Written by wrk",
                                          "description": "A task from the benchmark"}),
        "update": call("PATCH", f"/tasks/{task}", {"completed": True}),
    }


def run(args: argparse.Namespace, out: Path) -> dict:
    with Cluster() as cluster:
        data = cluster.seeded("compare", users=args.users, per_user=args.tasks_per_user)
        tasks, size = data.size()
        with service(data, out) as ours, baseline(data, out) as base:
            with ceiling(_bodies(ours, data), out) as constant:
                servers = {SERVICE: ours, BASELINE: base, CONSTANT: constant}
                samples = _measure(args, data, servers, out)
        postgres = cluster.server_version()
    results = {}
    for endpoint in ENDPOINTS:
        by_target = {name: asdict(median_sample(s)) for name, s in samples[endpoint.mode].items()}
        results[endpoint.mode] = {"label": endpoint.label, "sql": f"sql/{endpoint.sql}.sql",
                                  "targets": by_target}
    return {
        "settings": {"connections": args.connections, "duration_s": args.duration,
                     "rounds": args.rounds, "pgbench_clients": args.pgbench_clients,
                     "users": args.users, "tasks_per_user": args.tasks_per_user,
                     "tasks_in_table": tasks, "table_size": size, "postgres": postgres},
        "endpoints": results,
    }


def _measure(args: argparse.Namespace, data: Dataset, servers: dict[str, Server],
             out: Path) -> dict[str, dict[str, list[Sample]]]:
    scripts = {e.mode: wrk_script(data, e.mode, out) for e in ENDPOINTS}
    pg_scripts = {e.mode: pgbench_script(e.sql, data, out, e.nulls) for e in ENDPOINTS}
    names = list(servers)
    for endpoint in ENDPOINTS:  # warm up every server and statement, and check the answers
        for name in names:
            warm = wrk(servers[name], scripts[endpoint.mode], connections=args.connections,
                       duration=2)
            if warm.errors:
                raise BenchError(f"{name} answered {endpoint.label} with {warm.errors} errors "
                                 f"in {warm.requests} requests; see {servers[name].log}")
    samples: dict[str, dict[str, list[Sample]]] = {
        e.mode: {name: [] for name in [*names, PGBENCH]} for e in ENDPOINTS}
    for round_number in range(args.rounds):
        order = names[round_number % len(names):] + names[:round_number % len(names)]
        for endpoint in ENDPOINTS:
            for name in order:
                sample = wrk(servers[name], scripts[endpoint.mode],
                             connections=args.connections, duration=args.duration)
                samples[endpoint.mode][name].append(sample)
                _progress(round_number, endpoint.label, name, sample)
            sample = pgbench(data, pg_scripts[endpoint.mode], clients=args.pgbench_clients,
                             duration=args.duration, strings=endpoint.strings)
            samples[endpoint.mode][PGBENCH].append(sample)
            _progress(round_number, endpoint.label, PGBENCH, sample)
    return samples


def _progress(round_number: int, label: str, name: str, sample: Sample) -> None:
    print(f"round {round_number + 1}  {label:<20} {name:<14} {sample.rps:>9.0f} req/s  "
          f"p50 {sample.p50_ms:6.2f} ms  p99 {sample.p99_ms:7.2f} ms  errors {sample.errors}",
          file=sys.stderr)


def markdown(result: dict) -> str:
    """The table of requests/s, p50, p99 and the ratios, and the targets met or missed."""
    s = result["settings"]
    lines = [
        f"wrk: {s['connections']} connections, 1 thread, {s['duration_s']} s per run, "
        f"{s['rounds']} interleaved rounds (median shown); pgbench -M prepared: "
        f"{s['pgbench_clients']} clients. Data: {s['users']} users x {s['tasks_per_user']} tasks "
        f"({s['tasks_in_table']:,} tasks, {s['table_size']} with indexes), PostgreSQL "
        f"{s['postgres']}. Every server runs one worker process.",
        "",
        "| endpoint | target | req/s | p50 ms | p99 ms | errors | server CPU us/req "
        "| service req/s vs this | this CPU / service CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    checks = []
    for mode, endpoint in result["endpoints"].items():
        targets = endpoint["targets"]
        ours, our_cpu = targets[SERVICE]["rps"], targets[SERVICE]["cpu_us"]
        for name, t in targets.items():
            ratio = "" if name == SERVICE else f"{ours / t['rps']:.2f}x"
            cpu = "" if t["cpu_us"] is None else f"{t['cpu_us']:.0f}"
            cpu_ratio = ("" if name == SERVICE or t["cpu_us"] is None
                         else f"{t['cpu_us'] / our_cpu:.2f}x")
            lines.append(f"| {endpoint['label']} | {name} | {t['rps']:,.0f} | {t['p50_ms']:.2f} "
                         f"| {t['p99_ms']:.2f} | {t['errors']} | {cpu} | {ratio} | {cpu_ratio} |")
        goal = next(e.target for e in ENDPOINTS if e.mode == mode)
        got = ours / targets[BASELINE]["rps"]
        checks.append(f"| {endpoint['label']} | >= {goal:g}x the baseline | {got:.1f}x | "
                      f"{'met' if got >= goal else 'missed'} |")
        if mode in CEILING_SHARE:
            share = ours / targets[CONSTANT]["rps"]
            checks.append(f"| {endpoint['label']} | >= {CEILING_SHARE[mode]:.0%} of constant "
                          f"JSON | {share:.0%} | "
                          f"{'met' if share >= CEILING_SHARE[mode] else 'missed'} |")
    lines += ["", "| endpoint | target | measured | |", "|---|---|---:|---|", *checks]
    return "\n".join(lines)
