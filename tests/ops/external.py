"""The servers an operator puts around the service, started for real: PgBouncer (Debian's
package: ``.ci/run`` installs it; the same runner as ``python -m bench pgbouncer``) and a
PostgreSQL primary with a streaming standby, made with the embedded server's own binaries
(``initdb``, ``pg_basebackup -R``). Everything listens on 127.0.0.1 and is stopped by the context
manager that started it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app.db.embedded import pg_bin_dir
from bench.pgbouncer import owned, run_as, wait_for
from bench.pgbouncer import pgbouncer as bench_pgbouncer
from bench.pgbouncer import pgbouncer_binary as bench_pgbouncer_binary
from tests.support import free_port

def pgbouncer_binary() -> str:
    found = bench_pgbouncer_binary()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is not installed: .ci/run installs Debian's package")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    return found


@contextmanager
def pgbouncer(folder: Path, **options: Any) -> Iterator[int]:
    """bench.pgbouncer's PgBouncer (transaction mode, 127.0.0.1), or a skip (a failure in CI)
    where it is not installed."""
    pgbouncer_binary()
    with bench_pgbouncer(folder, **options) as port:
        yield port


class Cluster:
    """A PostgreSQL server of the embedded binaries on 127.0.0.1 (trust for local addresses)."""

    def __init__(self, data: Path, port: int):
        self.data, self.port = data, port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _bin(self, name: str, *args: str, timeout: float = 60) -> None:
        subprocess.run([str(pg_bin_dir() / name), *args], check=True, timeout=timeout,
                       user=run_as(), capture_output=True)

    def start(self) -> None:
        self._bin("pg_ctl", "-D", str(self.data), "-l", str(self.data.with_suffix(".log")),
                  "-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                  "-c unix_socket_directories='' -c fsync=off",
                  "-w", "-t", "30", "start")
        wait_for(self.url)

    def stop(self) -> None:
        self._bin("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def url_for(self, dbname: str, user: str = "postgres", password: str = "") -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}"


@contextmanager
def primary_and_standby(folder: Path) -> Iterator[tuple[Cluster, Cluster]]:
    """A primary and a streaming standby of it (``pg_basebackup -R``), both started."""
    folder = owned(folder)
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
