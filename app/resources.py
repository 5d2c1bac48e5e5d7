"""Where the SQL files and migrations are: beside the code in an installed wheel (app/sql,
app/migrations: setup.py puts them there), else in the source tree (sql/, migrations/ at its
root), so the service runs from any working directory either way."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    installed = _HERE / name
    return installed if installed.is_dir() else _HERE.parent / name


SQL_ROOT = resource_dir("sql")
MIGRATIONS_DIR = resource_dir("migrations")
