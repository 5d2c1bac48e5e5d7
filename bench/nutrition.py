"""NutriProfile's diary against the way its seed builds it, and against its own history's length.

Three endpoints, driven by wrk in interleaved rounds (the order rotates every round; each figure
is the median) against this service (one worker) and the ORM baseline (bench/baseline.py, one
worker), for users with two years of entries, five food logs a day: ``GET /nutrition/days`` for
the last 30 days, ``POST /food-logs`` with three items, and ``POST /usage/{kind}/reserve`` (the
quotas raised so that every reservation is granted). Then the same ``GET /nutrition/days`` on
the service for users with one month, two years and five years of entries, whose p99 should stay
within 1.5x. Every seeded user's zone is UTC, so the baseline's UTC days are the same days; the
run checks that both servers answer the same days before it measures them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from bench.stack import (
    ENGAGEMENT_TRIGGERS,
    BenchError,
    Cluster,
    Dataset,
    Sample,
    Server,
    baseline,
    fetch,
    last_30_days,
    median_sample,
    service,
    wrk,
    wrk_script,
)

SERVICE, BASELINE = "service", "baseline"
USERS_PER_GROUP = 10
LOGS_PER_DAY = 5
# History lengths in days: the compared users have two years; the growth compares all three.
HISTORIES = {"1 month": 30, "2 years": 730, "5 years": 1826}
COMPARED, SHORT = "2 years", "1 month"
# mode of bench/wrk/requests.lua, label, the service's requests/s must be this many times the
# baseline's, and wrk's connections (None: --connections). The baseline takes about a second for
# one GET /nutrition/days of 30 days (two queries a day, each reading all of the user's logs):
# 32 at once would pass wrk's 10 s timeout, so both servers get 4 connections there.
DAYS_CONNECTIONS = 4
ENDPOINTS = (("days", "GET /nutrition/days (30 days)", 20, DAYS_CONNECTIONS),
             ("log", "POST /food-logs (3 items)", 6, None),
             ("reserve", "POST /usage/{kind}/reserve", 8, None))
MAX_P99_GROWTH = 1.5
UNLIMITED = ",".join(f"{kind}=1000000" for kind in
                     ("vision_analyses", "recipe_generations", "coach_messages"))
ENV = {"APP_USAGE_LIMITS_FREE": UNLIMITED}


def _group(data: Dataset, index: int) -> Dataset:
    part = slice(index * USERS_PER_GROUP, (index + 1) * USERS_PER_GROUP)
    return Dataset(data.url, data.user_ids[part], data.first_task[part], data.per_user,
                   data.tokens[part])


def run(args: argparse.Namespace, out: Path) -> dict:
    with Cluster() as cluster:
        data = cluster.seeded("nutrition", users=USERS_PER_GROUP * len(HISTORIES), per_user=1)
        groups = {label: _group(data, n) for n, label in enumerate(HISTORIES)}
        for label, days in HISTORIES.items():
            written = fetch(data.url, "seed_diary", quiet=ENGAGEMENT_TRIGGERS,
                            user_ids=groups[label].user_ids, days=days,
                            logs_per_day=LOGS_PER_DAY)[0]["logs"]
            print(f"seeded {label}: {written:,} food logs", file=sys.stderr)
        size = dict(fetch(data.url, "diary_size")[0])
        with service(data, out, env=ENV) as ours, baseline(data, out, env=ENV) as base:
            servers = {SERVICE: ours, BASELINE: base}
            _same_days(groups[COMPARED], servers)
            compared = _compare(args, groups[COMPARED], servers, out)
            growth = _growth(args, groups, ours, out)
        postgres = cluster.server_version()
    return {
        "settings": {"connections": args.connections, "duration_s": args.duration,
                     "rounds": args.rounds, "users_per_history": USERS_PER_GROUP,
                     "logs_per_day": LOGS_PER_DAY, "histories_days": HISTORIES,
                     "tables": size, "postgres": postgres},
        "endpoints": {mode: {"label": label, "target": target,
                             "connections": connections or args.connections,
                             "servers": {name: asdict(median_sample(s))
                                         for name, s in compared[mode].items()}}
                      for mode, label, target, connections in ENDPOINTS},
        "growth": {label: asdict(median_sample(s)) for label, s in growth.items()},
        "growth_connections": DAYS_CONNECTIONS,
    }


def _days(server: Server, token: str) -> list[tuple[str, float, int]]:
    status, body = server.get(f"/nutrition/days?{last_30_days()}", token)
    if status != 200:
        raise BenchError(f"{server.name} answered GET /nutrition/days with {status}: {body!r}")
    return [(d["date"], round(float(d["calories"]), 2), d["food_logs"])
            for d in json.loads(body)["days"]]


def _same_days(data: Dataset, servers: dict[str, Server]) -> None:
    """Both servers count the same meals and calories on each of a compared user's 30 days."""
    answers = {name: _days(server, data.tokens[0]) for name, server in servers.items()}
    if answers[SERVICE] != answers[BASELINE]:
        raise BenchError(f"the servers disagree on GET /nutrition/days: {answers}")


def _progress(round_number: int, label: str, name: str, sample: Sample) -> None:
    print(f"round {round_number + 1}  {label:<32} {name:<10} {sample.rps:>9.0f} req/s  "
          f"p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:8.2f} ms  errors {sample.errors}",
          file=sys.stderr)


def _compare(args: argparse.Namespace, data: Dataset, servers: dict[str, Server], out: Path
             ) -> dict[str, dict[str, list[Sample]]]:
    scripts = {mode: wrk_script(data, mode, out) for mode, _, _, _ in ENDPOINTS}
    names = list(servers)
    for mode, label, _, connections in ENDPOINTS:  # warm up, and check every answer succeeds
        for name in names:
            warm = wrk(servers[name], scripts[mode], connections=connections or args.connections,
                       duration=2)
            if warm.errors:
                raise BenchError(f"{name} answered {label} with {warm.errors} errors in "
                                 f"{warm.requests} requests; see {servers[name].log}")
    samples: dict[str, dict[str, list[Sample]]] = {
        mode: {name: [] for name in names} for mode, _, _, _ in ENDPOINTS}
    for round_number in range(args.rounds):
        order = names[round_number % len(names):] + names[:round_number % len(names)]
        for mode, label, _, connections in ENDPOINTS:
            for name in order:
                sample = wrk(servers[name], scripts[mode],
                             connections=connections or args.connections,
                             duration=args.duration)
                samples[mode][name].append(sample)
                _progress(round_number, label, name, sample)
    return samples


def _growth(args: argparse.Namespace, groups: dict[str, Dataset], server: Server, out: Path
            ) -> dict[str, list[Sample]]:
    """GET /nutrition/days for each history, at the connections it is compared with (so that p99
    is the request's own time more than the wait for a saturated worker)."""
    scripts = {label: wrk_script(groups[label], "days", out) for label in HISTORIES}
    for script in scripts.values():
        wrk(server, script, connections=DAYS_CONNECTIONS, duration=2)
    samples: dict[str, list[Sample]] = {label: [] for label in scripts}
    labels = list(scripts)
    for round_number in range(args.rounds):
        shift = round_number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            sample = wrk(server, scripts[label], connections=DAYS_CONNECTIONS,
                         duration=args.duration)
            samples[label].append(sample)
            _progress(round_number, f"GET /nutrition/days, {label}", SERVICE, sample)
    return samples


def _times(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "no baseline request completed"


def markdown(result: dict) -> str:
    s = result["settings"]
    histories = ", ".join(f"{label}: {days:,} days" for label, days in
                          s["histories_days"].items())
    tables = s["tables"]
    lines = [
        f"wrk: {s['connections']} connections, 1 thread, {s['duration_s']} s per run, "
        f"{s['rounds']} interleaved rounds (median shown). Data: {s['users_per_history']} users "
        f"for each history ({histories}) with {s['logs_per_day']} food logs a day "
        f"({tables['logs']:,} logs, {tables['days']:,} days, {tables['size']} with indexes), "
        f"PostgreSQL {s['postgres']}. Each server runs one worker process; the compared requests "
        f"are those of the users with {COMPARED} of history.",
        "",
        "| endpoint | wrk connections | server | req/s | p50 ms | p99 ms | errors "
        "| server CPU us/req | service req/s vs this | this CPU / service CPU |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    checks = []
    for endpoint in result["endpoints"].values():
        servers = endpoint["servers"]
        ours = servers[SERVICE]
        for name, t in servers.items():
            ratio = "" if name == SERVICE else _times(ours["rps"], t["rps"])
            cpu = "" if t["cpu_us"] is None else f"{t['cpu_us']:.0f}"
            cpu_ratio = ("" if name == SERVICE or t["cpu_us"] is None or ours["cpu_us"] is None
                         else _times(t["cpu_us"], ours["cpu_us"]))
            lines.append(f"| {endpoint['label']} | {endpoint['connections']} | {name} "
                         f"| {t['rps']:,.1f} | {t['p50_ms']:.2f} | {t['p99_ms']:.2f} "
                         f"| {t['errors']} | {cpu} | {ratio} | {cpu_ratio} |")
        base = servers[BASELINE]["rps"]
        got = ours["rps"] / base if base else float("inf")
        checks.append(f"| {endpoint['label']} | >= {endpoint['target']}x the baseline | "
                      f"{_times(ours['rps'], base)} | "
                      f"{'met' if got >= endpoint['target'] else 'missed'} |")
    short = result["growth"][SHORT]["p99_ms"]
    worst, growth = max(((label, g["p99_ms"] / short) for label, g in result["growth"].items()
                         if label != SHORT), key=lambda item: item[1])
    lines += [
        "", f"`GET /nutrition/days` (30 days) on the service, by the length of the user's "
        f"history ({result['growth_connections']} wrk connections):", "",
        "| history | req/s | p50 ms | p99 ms |", "|---|---:|---:|---:|",
        *(f"| {label} | {g['rps']:,.0f} | {g['p50_ms']:.2f} | {g['p99_ms']:.2f} |"
          for label, g in result["growth"].items()),
    ]
    checks.append(f"| GET /nutrition/days, p99 {worst} / {SHORT} (the largest of the longer "
                  f"histories) | within {MAX_P99_GROWTH}x | "
                  f"{growth:.2f}x | {'met' if growth <= MAX_P99_GROWTH else 'missed'} |")
    lines += ["", "| endpoint | target | measured | |", "|---|---|---:|---|", *checks]
    return "\n".join(lines)
