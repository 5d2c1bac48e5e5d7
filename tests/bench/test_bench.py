"""The benchmark's own logic, fast: the pgbench scripts made from sql/ run in pgbench and do what
the service does, the bench SQL runs, BENCHMARKS.md sections are replaced in place, and profile
samples are charged to the right part of the request. (The benchmarks themselves are not run
here: timings belong in BENCHMARKS.md, not in the suite.)"""

from __future__ import annotations

import asyncio
import random
import subprocess

import asyncpg
import pytest

from app.cli.seed import seed
from app.db.embedded import pg_bin_dir
from bench.__main__ import update_section
from bench.compare import ENDPOINTS
from bench.profile import charge
from bench.stack import BenchError, Dataset, fetch, pgbench_script, with_sessions


@pytest.fixture
def dataset(database_url) -> Dataset:
    user_ids = asyncio.run(seed(database_url, users=3, tasks_per_user=30, password="password1",
                                prefix="bench-test", argon2=(1, 1024, 1),
                                rng=random.Random(1)))
    blocks = fetch(database_url, "task_blocks", user_ids=user_ids)
    return with_sessions(Dataset(database_url, user_ids, [b["first_task"] for b in blocks], 30,
                                 []))


def _count(url: str, sql: str) -> int:
    async def run() -> int:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()
    return asyncio.run(run())


def test_seeded_users_have_consecutive_task_ids_as_pgbench_needs(dataset):
    assert dataset.linear()
    assert dataset.size()[0] == 90
    assert Dataset(dataset.url, dataset.user_ids[::-1], dataset.first_task[::-1], 30,
                   []).linear() is False


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.mode)
def test_each_pgbench_script_runs_the_services_statement(dataset, endpoint, tmp_path):
    script = pgbench_script(endpoint.sql, dataset, tmp_path, endpoint.nulls)
    text = script.read_text()
    assert ":'" not in text and "\\set user_id" in text
    tasks_before = _count(dataset.url, "SELECT count(*) FROM tasks")
    completed_before = _count(dataset.url, "SELECT count(*) FROM tasks WHERE completed")
    defines = [a for k, v in endpoint.strings.items() for a in ("-D", f"{k}={v}")]
    done = subprocess.run([str(pg_bin_dir() / "pgbench"), "-n", "-M", "prepared", "-t", "20",
                           "-f", str(script), *defines, dataset.url],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "number of failed transactions: 0" in done.stdout
    if endpoint.mode == "create":
        assert _count(dataset.url, "SELECT count(*) FROM tasks") == tasks_before + 20
    if endpoint.mode == "update":
        assert _count(dataset.url, "SELECT count(*) FROM tasks WHERE completed") > completed_before


def test_list_paths_carry_a_cursor_to_the_requested_page(dataset):
    assert dataset.list_paths(1) == ["/tasks?limit=20"] * 3
    deeper = dataset.list_paths(2)
    assert all(p.startswith("/tasks?limit=20&cursor=") for p in deeper)
    with pytest.raises(BenchError, match="fewer than"):
        dataset.list_paths(3)  # 30 tasks each: there is no third page of 20


def test_a_benchmarks_section_is_replaced_and_the_rest_kept():
    text = "# B\n<!-- bench:compare:start -->\nold\n<!-- bench:compare:end -->\nkept\n"
    assert update_section(text, "compare", "new") == (
        "# B\n<!-- bench:compare:start -->\nnew\n<!-- bench:compare:end -->\nkept\n")
    with pytest.raises(BenchError, match="no <!-- bench:growth:start -->"):
        update_section(text, "growth", "x")


@pytest.mark.parametrize("stack, part", [
    (["Runner.run (asyncio/runners.py:118)", "x (litestar/routes/http.py:1)",
      "Tokens.user_id (app/accounts/tokens.py:42)", "decode (jwt/api_jwt.py:1)"], "authentication"),
    (["Runner.run (asyncio/runners.py:118)", "Database._acquire (app/db/pool.py:1)",
      "Pool._acquire (asyncpg/pool.py:1)"], "pool acquire/release"),
    (["Runner.run (asyncio/runners.py:118)", "Repository.one (app/db/repository.py:43)",
      "Connection.fetchrow (asyncpg/connection.py:775)"], "query (asyncpg)"),
    (["Runner.run (asyncio/runners.py:118)", "a (litestar/routes/http.py:1)",
      "b (litestar/_kwargs/kwargs_model.py:1)"], "framework (Litestar)"),
    (["Runner.run (asyncio/runners.py:118)",
      "send (uvicorn/protocols/http/httptools_impl.py:524)"], "HTTP server (uvicorn)"),
    (["Runner.run (asyncio/runners.py:118)"], "event loop"),
])
def test_profile_samples_are_charged_to_their_part(stack, part):
    assert charge(stack) == part


def test_the_diary_seed_writes_logs_their_days_and_counters_as_the_service_would(dataset):
    logs = fetch(dataset.url, "seed_diary", user_ids=dataset.user_ids, days=3,
                 logs_per_day=5)[0]["logs"]
    size = fetch(dataset.url, "diary_size")[0]
    assert size["logs"] == logs and 3 * 11 <= logs <= 3 * 15  # today's only up to now
    assert _count(dataset.url, "SELECT count(*) FROM profiles") == 3
    assert _count(dataset.url, "SELECT count(*) FROM usage_counters WHERE used = 0") == 9
    assert _count(dataset.url, """
        SELECT count(*) FROM daily_nutrition AS d
        FULL JOIN (SELECT user_id, local_date, sum(total_calories) AS calories,
                          sum(total_fiber) AS fiber, count(*) AS logs,
                          coalesce(sum(total_calories) FILTER (WHERE meal_type = 'lunch'), 0)
                              AS lunch
                   FROM food_logs GROUP BY user_id, local_date) AS f
            ON (f.user_id, f.local_date) = (d.user_id, d.date)
        WHERE (d.calories, d.fiber_g, d.food_logs, d.lunch_calories)
              IS DISTINCT FROM (f.calories, f.fiber, f.logs, f.lunch)
           OR (d.targets).calories IS NULL""") == 0
