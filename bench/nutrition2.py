"""NutriProfile part 2 (``python -m bench fitness``): GET /goals against the seeds' way, and the
cost of GET /weights/trend as the history grows.

- GET /goals for users with 10 goals (a weight goal and nine daily, weekly and monthly amounts,
  all since two years ago) and two years of entries (3 meals, 4 glasses of water, an activity and
  a weigh-in a day): this service (one statement computing every goal's progress from the days'
  rows) against bench/baseline_goals.py (the goals, then each goal's entries loaded as ORM objects
  and summed in Python, as the seeds do), both one worker, in interleaved rounds; the service must
  serve at least 15x the baseline's requests per second. Before measuring, both answer one user's
  GET /goals and must agree on every goal's current value and periods.
- GET /weights/trend for the last year, with one year and with five years of daily weigh-ins in
  the table (two databases, one service on each): its p99 must stay within 1.5x.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import asyncpg

from app.accounts.tokens import Tokens
from bench.stack import (
    BENCH,
    SECRET,
    BenchError,
    Cluster,
    Dataset,
    Sample,
    Server,
    baseline,
    median_sample,
    service,
    wrk,
)

GOALS_USERS = 20
GOALS_DAYS = 730
TREND_USERS = 100
TREND_YEARS = {"1 year": 365, "5 years": 5 * 365}
MIN_GOALS_SPEEDUP = 15
# wrk connections for GET /goals: the baseline takes hundreds of milliseconds a request, so at
# the usual 32 its requests would only queue (and time out) behind each other.
GOALS_CONNECTIONS = 8
MAX_P99_GROWTH = 1.5
ZONE = "Europe/Lisbon"
ITEMS = ('[{"name": "Oats", "grams": 80, "calories": 300, "protein_g": 10, "carbs_g": 54, '
         '"fat_g": 5, "fiber_g": 8}]')
# (goal_type, period, target): with a weight goal, ten a user.
GOALS = [("calories_max", "daily", 2000), ("calories_max", "weekly", 2200),
         ("protein_min_g", "daily", 60), ("protein_min_g", "monthly", 1800),
         ("water_min_ml", "daily", 1800), ("active_minutes", "weekly", 150),
         ("steps", "daily", 8000), ("steps", "monthly", 240000), ("meals_logged", "weekly", 21)]

# Every day of each user's history, ending today in ZONE: its noon, and a few values that vary.
DAYS = """
SELECT u.id AS user_id, d.n,
       ((now() AT TIME ZONE '{zone}')::date - d.n + time '12:00') AT TIME ZONE '{zone}' AS noon
FROM unnest($1::bigint[]) AS u (id), generate_series(0, $2::integer - 1) AS d (n)
"""
SEED = [
    """INSERT INTO food_logs (user_id, meal_type, eaten_at, local_date, time_zone, items,
                              total_calories, total_protein, total_carbs, total_fat, total_fiber)
       SELECT x.user_id, (ARRAY['breakfast', 'lunch', 'dinner'])[m], x.noon + (m - 2) * interval
              '4 hours', (x.noon AT TIME ZONE '{zone}')::date, '{zone}', '{items}'::jsonb,
              400 + (x.n * 37 + m * 53) % 500, 15 + (x.n + m) % 20, 50, 15, 8
       FROM ({days}) AS x, generate_series(1, 3) AS m""",
    """INSERT INTO water_logs (user_id, ml, drunk_at, local_date, time_zone)
       SELECT x.user_id, 250 + (x.n * 7 + g * 11) % 300, x.noon + g * interval '1 hour',
              (x.noon AT TIME ZONE '{zone}')::date, '{zone}'
       FROM ({days}) AS x, generate_series(1, 4) AS g""",
    """INSERT INTO activity_logs (user_id, activity_type, intensity, started_at, local_date,
                                  time_zone, duration_min, calories_burned, calories_source, steps)
       SELECT x.user_id, 'walking', 'moderate', x.noon, (x.noon AT TIME ZONE '{zone}')::date,
              '{zone}', 10 + x.n % 50, 100 + x.n % 200, 'estimated', 3000 + (x.n * 131) % 9000
       FROM ({days}) AS x""",
    """INSERT INTO weight_logs (user_id, weight_kg, measured_at, local_date, time_zone)
       SELECT x.user_id, 70 + (x.n % 40) / 4.0 + x.user_id % 10,
              x.noon - interval '5 hours', (x.noon AT TIME ZONE '{zone}')::date, '{zone}'
       FROM ({days}) AS x""",
]
DAILY = """
INSERT INTO daily_nutrition (user_id, date, calories, protein_g, food_logs, water_ml,
                             water_entries, calories_burned, active_minutes, steps, activities)
SELECT d.user_id, d.date, coalesce(f.calories, 0), coalesce(f.protein, 0), coalesce(f.logs, 0),
       coalesce(w.ml, 0), coalesce(w.entries, 0), coalesce(a.burned, 0), coalesce(a.minutes, 0),
       coalesce(a.steps, 0), coalesce(a.activities, 0)
FROM (SELECT user_id, local_date AS date FROM food_logs UNION
      SELECT user_id, local_date FROM water_logs UNION
      SELECT user_id, local_date FROM activity_logs) AS d
LEFT JOIN (SELECT user_id, local_date, sum(total_calories) AS calories,
                  sum(total_protein) AS protein, count(*) AS logs
           FROM food_logs GROUP BY 1, 2) AS f ON (f.user_id, f.local_date) = (d.user_id, d.date)
LEFT JOIN (SELECT user_id, local_date, sum(ml) AS ml, count(*) AS entries
           FROM water_logs GROUP BY 1, 2) AS w ON (w.user_id, w.local_date) = (d.user_id, d.date)
LEFT JOIN (SELECT user_id, local_date, sum(calories_burned) AS burned,
                  sum(duration_min) AS minutes, sum(steps) AS steps, count(*) AS activities
           FROM activity_logs GROUP BY 1, 2) AS a ON (a.user_id, a.local_date) = (d.user_id, d.date)
"""
# Profiles after the weigh-ins (their trigger has nothing to keep in step then), with the
# latest weigh-in's weight; goals after both.
PROFILES = """
INSERT INTO profiles (user_id, birth_date, gender, height_cm, weight_kg, activity_level,
                      fitness_goal, time_zone)
SELECT u.id, '1990-01-01', 'female', 168, coalesce(l.weight_kg, 70), 'light', 'maintain', '{zone}'
FROM unnest($1::bigint[]) AS u (id)
LEFT JOIN LATERAL (SELECT w.weight_kg FROM weight_logs AS w WHERE w.user_id = u.id
                   ORDER BY w.measured_at DESC, w.id DESC LIMIT 1) AS l ON true
"""
PERIODIC_GOALS = """
INSERT INTO goals (user_id, goal_type, target_value, period, starts_on)
SELECT u.id, g.goal_type, g.target_value, g.period, (now() AT TIME ZONE '{zone}')::date - $2::integer + 1
FROM unnest($1::bigint[]) AS u (id),
     unnest($3::text[], $4::text[], $5::numeric[]) AS g (goal_type, period, target_value)
"""
WEIGHT_GOALS = """
INSERT INTO goals (user_id, goal_type, target_value, period, starts_on, start_value)
SELECT p.user_id, 'weight_kg', p.weight_kg - 8, 'once',
       (now() AT TIME ZONE '{zone}')::date - $2::integer + 1, p.weight_kg
FROM profiles AS p WHERE p.user_id = ANY ($1::bigint[])
"""


async def _seed(url: str, users: int, days: int, *, entries: bool) -> list[int]:
    """``users`` users with a profile and ``days`` days of weigh-ins (and with ``entries``, of
    meals, water and activities, their days' rows and ten goals each); analyzed."""
    conn = await asyncpg.connect(url)
    try:
        user_ids = [r["id"] for r in await conn.fetch(
            "INSERT INTO users (email, name, password_hash) "
            "SELECT 'fit-' || i || '@bench.example', 'Fit ' || i, 'x' "
            "FROM generate_series(1, $1) AS i RETURNING id", users)]
        day_rows = DAYS.format(zone=ZONE)
        for statement in SEED if entries else SEED[-1:]:
            await conn.execute(statement.format(zone=ZONE, items=ITEMS, days=day_rows),
                               user_ids, days)
        await conn.execute(PROFILES.format(zone=ZONE), user_ids)
        if entries:
            await conn.execute(DAILY)
            await conn.execute(PERIODIC_GOALS.format(zone=ZONE), user_ids, days,
                               [g[0] for g in GOALS], [g[1] for g in GOALS],
                               [g[2] for g in GOALS])
            await conn.execute(WEIGHT_GOALS.format(zone=ZONE), user_ids, days)
        await conn.execute("ANALYZE")
        return user_ids
    finally:
        await conn.close()


def _dataset(cluster: Cluster, name: str, users: int, days: int, *, entries: bool) -> Dataset:
    url = cluster.database(name)
    print(f"seeding {name}: {users} users x {days} days", file=sys.stderr)
    user_ids = asyncio.run(_seed(url, users, days, entries=entries))
    tokens = Tokens(SECRET, 24 * 3600)
    return Dataset(url, user_ids, [0] * len(user_ids), 0, [tokens.issue(u) for u in user_ids])


def _script(data: Dataset, path: str, out: Path, name: str) -> Path:
    """bench/wrk/requests.lua in its list mode: every user GETs ``path``."""
    script = out / f"wrk-{name}.lua"
    script.write_text(f"mode = \"list\"\nper_user = 0\nfirst_task = {{}}\n"
                      f"tokens = {{{','.join(json.dumps(t) for t in data.tokens)}}}\n"
                      f"list_paths = {{{','.join([json.dumps(path)] * len(data.tokens))}}}\n"
                      + (BENCH / "wrk" / "requests.lua").read_text())
    return script


def _same_goals(ours: Server, theirs: Server) -> None:
    """Both servers' GET /goals for the first user agree on every goal's figures."""
    figures = ("id", "current_value", "periods_met", "periods_total", "progress")
    answers = []
    for server in (ours, theirs):
        status, body = server.get("/goals?limit=20")
        if status != 200:
            raise BenchError(f"{server.name}: GET /goals answered {status}: {body[:200]!r}")
        answers.append([{k: g[k] for k in figures} for g in json.loads(body)["items"]])
    if answers[0] != answers[1] or len(answers[0]) != 10:
        raise BenchError(f"the service and the baseline disagree on GET /goals: {answers}")


def _rounds(args: argparse.Namespace, targets: dict[str, tuple[Server, Path]], label: str,
            connections: int) -> dict[str, list[Sample]]:
    for server, script in targets.values():  # warm up
        wrk(server, script, connections=connections, duration=2)
    samples: dict[str, list[Sample]] = {name: [] for name in targets}
    for round_number in range(args.rounds):
        order = list(targets) if round_number % 2 == 0 else list(reversed(targets))
        for name in order:
            server, script = targets[name]
            sample = wrk(server, script, connections=connections, duration=args.duration)
            samples[name].append(sample)
            print(f"round {round_number + 1}  {label:<22} {name:<10} {sample.rps:>8.0f} req/s  "
                  f"p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:8.2f} ms  "
                  f"errors {sample.errors}", file=sys.stderr)
    return samples


def run(args: argparse.Namespace, out: Path) -> dict:
    with Cluster() as cluster:
        goals_data = _dataset(cluster, "fitness_goals", GOALS_USERS, GOALS_DAYS, entries=True)
        trend_data = {label: _dataset(cluster, f"fitness_trend{n}", TREND_USERS, days,
                                      entries=False)
                      for n, (label, days) in enumerate(TREND_YEARS.items())}
        with service(goals_data, out, name="service-goals") as ours, \
                baseline(goals_data, out, app="bench.baseline_goals:app", probe="/goals") as theirs:
            _same_goals(ours, theirs)
            script = _script(goals_data, "/goals?limit=20", out, "goals")
            goals = _rounds(args, {"service": (ours, script), "baseline": (theirs, script)},
                            "GET /goals", GOALS_CONNECTIONS)
            if not all(s.requests for s in goals["baseline"]):
                raise BenchError("the baseline finished no GET /goals within a run (each takes "
                                 "seconds): give the runs a longer --duration")
        today = date.today()
        trend_path = f"/weights/trend?from={today - timedelta(days=364)}&to={today}"
        small, large = TREND_YEARS
        with service(trend_data[small], out, name="service-trend-1y") as one, \
                service(trend_data[large], out, name="service-trend-5y") as five:
            trend = _rounds(args, {
                small: (one, _script(trend_data[small], trend_path, out, "trend-1y")),
                large: (five, _script(trend_data[large], trend_path, out, "trend-5y")),
            }, "GET /weights/trend", args.connections)
    return {
        "settings": {"connections": args.connections, "goals_connections": GOALS_CONNECTIONS,
                     "duration_s": args.duration,
                     "rounds": args.rounds, "goals_users": GOALS_USERS, "goals_days": GOALS_DAYS,
                     "trend_users": TREND_USERS, "trend_days": TREND_YEARS},
        "goals": {name: asdict(median_sample(s)) for name, s in goals.items()},
        "trend": {name: asdict(median_sample(s)) for name, s in trend.items()},
    }


def markdown(result: dict) -> str:
    s, goals, trend = result["settings"], result["goals"], result["trend"]
    speedup = goals["service"]["rps"] / goals["baseline"]["rps"]
    small, large = TREND_YEARS
    growth = trend[large]["p99_ms"] / trend[small]["p99_ms"]
    lines = [
        f"wrk: {s['duration_s']} s per run, {s['rounds']} interleaved rounds (median shown); one "
        f"worker per server; {s['goals_connections']} connections for GET /goals, "
        f"{s['connections']} for the trend.",
        "",
        f"GET /goals: {s['goals_users']} users with 10 goals and {s['goals_days']} days of "
        "entries each (3 meals, 4 glasses of water, an activity and a weigh-in a day).",
        "",
        "| server | req/s | p50 ms | p99 ms | CPU µs/request |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, label in (("service", "this service (one statement)"),
                        ("baseline", "baseline: ORM objects summed in Python per goal")):
        g = goals[name]
        lines.append(f"| {label} | {g['rps']:,.1f} | {g['p50_ms']:.2f} | {g['p99_ms']:.2f} | "
                     f"{g['cpu_us'] or 0:,.0f} |")
    lines += [
        "",
        f"Service / baseline: {speedup:.1f}x (target: at least {MIN_GOALS_SPEEDUP}x: "
        f"{'met' if speedup >= MIN_GOALS_SPEEDUP else 'not met'}).",
        "",
        f"GET /weights/trend for the last year, {s['trend_users']} users with a weigh-in a day "
        "for one year and for five years:",
        "",
        "| history | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for name in TREND_YEARS:
        t = trend[name]
        lines.append(f"| {name} | {t['rps']:,.0f} | {t['p50_ms']:.2f} | {t['p99_ms']:.2f} |")
    lines += ["", f"p99 5 years / 1 year: {growth:.2f} (target: within {MAX_P99_GROWTH}x: "
                  f"{'met' if growth <= MAX_P99_GROWTH else 'not met'})."]
    return "\n".join(lines)
