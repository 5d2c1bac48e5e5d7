"""What the report reads, recorded inside the Locust process from Locust's own numbers.

``python -m app loadtest`` turns it on by setting ``PGAPI_LOADTEST_REPORT`` to the CSV prefix it
also gives ``--csv``; it needs a single-process run (Locust's ``LocalRunner``). It writes:

- ``<prefix>_per_second.csv``, one row per second of the run, appended as each second ends and
  completed once the last user has stopped: the users at the start of the second, the requests
  and failures that completed in it (Locust's own per-second counts, ``num_reqs_per_sec`` and
  ``num_fail_per_sec``, of the measured actions and of setup apart), and the p50/p95/p99 of the
  actions that completed in it (Locust's own bucketing and percentile functions);
- ``<prefix>_stats.csv``, ``_failures.csv`` and ``_exceptions.csv`` rewritten with Locust's own
  writer once the last user has stopped: Locust's periodic writer leaves them as they were up to
  a second before the end, missing the last requests (locustio/locust#1806, #2299);
- ``<prefix>_totals.csv``: in the columns of ``_stats.csv``, an ``Actions`` row (every entry but
  setup, merged with Locust's ``StatsEntry.extend``) and a ``Setup`` row.
"""

from __future__ import annotations

import csv
import logging
import time
from collections import defaultdict

import gevent  # type: ignore[import-untyped]  # no type information published
from locust.env import Environment
from locust.runners import LocalRunner
from locust.stats import (
    PERCENTILES_TO_REPORT,
    StatsCSV,
    StatsEntry,
    bucket_response_time,
    calculate_response_time_percentile,
)

from app.loadtest.report import ACTIONS_ROW, PER_SECOND_COLUMNS, SETUP_ROW, is_setup

SECOND_PERCENTILES = (0.5, 0.95, 0.99)


class Recorder:
    def __init__(self, environment: Environment, prefix: str):
        self.environment, self.prefix = environment, prefix
        self.times: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.users: dict[int, int] = {}
        self.last_users = 0
        self.next_second: int | None = None
        self.ticker: gevent.Greenlet | None = None
        self.file = open(f"{prefix}_per_second.csv", "w", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow(PER_SECOND_COLUMNS)
        self.file.flush()
        events = environment.events
        events.test_start.add_listener(self.on_test_start)  # type: ignore[no-untyped-call]
        events.request.add_listener(self.on_request)  # type: ignore[no-untyped-call]
        events.quit.add_listener(self.on_quit)  # type: ignore[no-untyped-call]

    def on_test_start(self, **_kwargs: object) -> None:
        self.next_second = int(self.environment.stats.start_time)
        self.ticker = gevent.spawn(self.tick)

    def on_request(self, name: str, response_time: float | None, **_kwargs: object) -> None:
        if response_time is not None and not is_setup(name):
            self.times[int(time.time())][bucket_response_time(response_time)] += 1

    def tick(self) -> None:
        """Just after each second begins: note the users, write the seconds that have ended.
        Runs until ``on_quit`` kills it."""
        while True:
            now = time.time()
            runner = self.environment.runner
            self.users.setdefault(int(now), runner.user_count if runner else self.last_users)
            self.write_until(int(now))
            gevent.sleep(1.001 - now % 1)

    def write_until(self, end: int) -> None:
        """The rows of the seconds before ``end`` not written yet."""
        if self.next_second is None:
            return
        entries = list(self.environment.stats.entries.values())
        for second in range(self.next_second, end):
            self.last_users = self.users.pop(second, self.last_users)
            counts = [0, 0, 0, 0]
            for entry in entries:
                column = 2 if is_setup(entry.name) else 0
                counts[column] += entry.num_reqs_per_sec.get(second, 0)
                counts[column + 1] += entry.num_fail_per_sec.get(second, 0)
            times = self.times.pop(second, {})
            measured = sum(times.values())
            percentiles = [calculate_response_time_percentile(times, measured, p) if measured
                           else "N/A" for p in SECOND_PERCENTILES]
            self.writer.writerow([second, self.last_users, *counts, *percentiles])
        self.next_second = max(self.next_second, end)
        self.file.flush()

    def on_quit(self, **_kwargs: object) -> None:
        """Every user has stopped: the last seconds, and Locust's final statistics."""
        if self.ticker is not None:
            self.ticker.kill()
        stats = self.environment.stats
        if stats.last_request_timestamp is not None:
            self.write_until(int(stats.last_request_timestamp) + 1)
        self.file.close()
        final = StatsCSV(self.environment, PERCENTILES_TO_REPORT)
        for suffix, write in [("stats", final.requests_csv), ("failures", final.failures_csv),
                              ("exceptions", final.exceptions_csv)]:
            with open(f"{self.prefix}_{suffix}.csv", "w", newline="") as f:
                write(csv.writer(f))
        actions = StatsEntry(stats, ACTIONS_ROW, "")
        setup = StatsEntry(stats, SETUP_ROW, "")
        for entry in stats.entries.values():
            (setup if is_setup(entry.name) else actions).extend(entry)
        with open(f"{self.prefix}_totals.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(final.requests_csv_columns)
            for entry in (actions, setup):
                writer.writerow(_row(final, entry))


def _row(final: StatsCSV, entry: StatsEntry) -> list[object]:
    """``entry`` as Locust writes a row of ``_stats.csv``."""
    percentiles = final.percentiles_na if not entry.num_requests else [
        int(entry.get_response_time_percentile(p) or 0) for p in PERCENTILES_TO_REPORT]
    return [entry.method, entry.name, entry.num_requests, entry.num_failures,
            entry.median_response_time, entry.avg_response_time, entry.min_response_time or 0,
            entry.max_response_time, entry.avg_content_length, entry.total_rps,
            entry.total_fail_per_sec, *percentiles]


def install(environment: Environment, prefix: str) -> None:
    """Record for the report when ``environment`` runs in this one process."""
    if isinstance(environment.runner, LocalRunner):
        Recorder(environment, prefix)
    else:
        logging.getLogger(__name__).warning(
            "PGAPI_LOADTEST_REPORT is ignored: the report is recorded by a single-process run")
