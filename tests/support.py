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
