"""GET /today, the home screen in one statement, against the way its seed builds it.

wrk drives ``GET /today`` in interleaved rounds (the order rotates every round; each figure is the
median) against this service (one worker, one SQL statement per request) and the ORM baseline
(bench/baseline.py, one worker, one ORM query per part: the profile, the day's totals and meals
over ``func.date(eaten_at)``, water, the streaks, the stats, the unread count and the quota
counters), for users with two years of diary (five food logs a day), and what it earned: XP,
streaks and achievements (the seed writes without the triggers, then counts them once, set-based,
with engagement_rebuild). Every seeded user's zone is UTC, so the baseline's UTC today is the
same day; the run checks that both servers answer the same totals, XP and streaks before it
measures them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from bench.nutrition import ENV, LOGS_PER_DAY, _progress, _times
from bench.stack import (
    ENGAGEMENT_TRIGGERS,
    BenchError,
    Cluster,
    Dataset,
    Sample,
    Server,
    baseline,
    fetch,
    median_sample,
    service,
    wrk,
    wrk_script,
)

SERVICE, BASELINE = "service", "baseline"
USERS = 20
HISTORY_DAYS = 730
TARGET = 15  # the service's requests/s must be this many times the baseline's


def run(args: argparse.Namespace, out: Path) -> dict:
    with Cluster() as cluster:
        data = cluster.seeded("today", users=USERS, per_user=1)
        written = fetch(data.url, "seed_diary", quiet=ENGAGEMENT_TRIGGERS,
                        user_ids=data.user_ids, days=HISTORY_DAYS,
                        logs_per_day=LOGS_PER_DAY)[0]["logs"]
        fetch(data.url, "seed_engagement", user_ids=data.user_ids)
        print(f"seeded {written:,} food logs", file=sys.stderr)
        size = dict(fetch(data.url, "diary_size")[0])
        with service(data, out, env=ENV) as ours, baseline(data, out, env=ENV) as base:
            servers = {SERVICE: ours, BASELINE: base}
            _same_today(data, servers)
            samples = _measure(args, data, servers, out)
        postgres = cluster.server_version()
    return {
        "settings": {"connections": args.connections, "duration_s": args.duration,
                     "rounds": args.rounds, "users": USERS, "history_days": HISTORY_DAYS,
                     "logs_per_day": LOGS_PER_DAY, "tables": size, "postgres": postgres},
        "target": TARGET,
        "servers": {name: asdict(median_sample(s)) for name, s in samples.items()},
    }


def _today(server: Server, token: str) -> tuple[float, int, int, list[tuple[str, int, int]]]:
    status, body = server.get("/today", token)
    if status != 200:
        raise BenchError(f"{server.name} answered GET /today with {status}: {body!r}")
    today = json.loads(body)
    day = today.get("day", today)  # the service nests the day's totals as /nutrition/days does
    xp = today["stats"]["xp"] if "stats" in today else today["xp"]
    return (round(float(day["calories"]), 2), day["food_logs"], xp,
            [(s["kind"], s["current_count"], s["longest_count"]) for s in today["streaks"]])


def _same_today(data: Dataset, servers: dict[str, Server]) -> None:
    answers = {name: _today(server, data.tokens[0]) for name, server in servers.items()}
    if answers[SERVICE] != answers[BASELINE]:
        raise BenchError(f"the servers disagree on GET /today: {answers}")


def _measure(args: argparse.Namespace, data: Dataset, servers: dict[str, Server], out: Path
             ) -> dict[str, list[Sample]]:
    script = wrk_script(data, "today", out)
    names = list(servers)
    for name in names:  # warm up, and check every answer succeeds
        warm = wrk(servers[name], script, connections=args.connections, duration=2)
        if warm.errors:
            raise BenchError(f"{name} answered GET /today with {warm.errors} errors in "
                             f"{warm.requests} requests; see {servers[name].log}")
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for round_number in range(args.rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            sample = wrk(servers[name], script, connections=args.connections,
                         duration=args.duration)
            samples[name].append(sample)
            _progress(round_number, "GET /today", name, sample)
    return samples


def _cpu(sample: dict) -> str:
    return "" if sample["cpu_us"] is None else f"{sample['cpu_us']:.0f}"


def markdown(result: dict) -> str:
    s = result["settings"]
    tables = s["tables"]
    ours, base = result["servers"][SERVICE], result["servers"][BASELINE]
    lines = [
        f"wrk: {s['connections']} connections, 1 thread, {s['duration_s']} s per run, "
        f"{s['rounds']} interleaved rounds (median shown). Data: {s['users']} users with "
        f"{s['history_days']:,} days of diary, {s['logs_per_day']} food logs a day "
        f"({tables['logs']:,} logs, {tables['days']:,} days, {tables['size']} with indexes), "
        f"PostgreSQL {s['postgres']}. Each server runs one worker process.",
        "",
        "| server | req/s | p50 ms | p99 ms | errors | server CPU us/req |",
        "|---|---:|---:|---:|---:|---:|",
        *(f"| {name} | {t['rps']:,.1f} | {t['p50_ms']:.2f} | {t['p99_ms']:.2f} | {t['errors']} "
          f"| {_cpu(t)} |" for name, t in result["servers"].items()),
    ]
    got = ours["rps"] / base["rps"] if base["rps"] else float("inf")
    lines += ["", "| endpoint | target | measured | |", "|---|---|---:|---|",
              f"| GET /today | >= {result['target']}x the baseline | "
              f"{_times(ours['rps'], base['rps'])} | "
              f"{'met' if got >= result['target'] else 'missed'} |"]
    return "\n".join(lines)
