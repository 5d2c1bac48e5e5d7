"""Every constraint a domain module gives a message to exists in the migrated schema (a unique
index counts: its violation carries the index's name), or is raised by that name from a function
a migration creates: a misspelt name would silently fall back to the
generic "a value breaks the rule" answer."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg

from app.modules import MODULES

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
RAISED = re.compile(r"CONSTRAINT = '([a-z0-9_]+)'")


def _raised_by_functions() -> set[str]:
    return {name for path in MIGRATIONS.glob("*.sql") if not path.name.endswith(".rollback.sql")
            for name in RAISED.findall(path.read_text())}


async def test_every_constraint_with_a_message_exists(database_url):
    conn = await asyncpg.connect(database_url)
    try:
        schema = {r["conname"] for r in await conn.fetch(
            "SELECT c.conname FROM pg_constraint AS c JOIN pg_namespace AS n "
            "ON n.oid = c.connamespace WHERE n.nspname = 'public' "
            "UNION SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND i.indisunique")}
    finally:
        await conn.close()
    known = schema | _raised_by_functions()
    named = {name: module.name for module in MODULES for name in module.constraints}
    assert named, "no module names a constraint"
    assert {name: module for name, module in named.items() if name not in known} == {}
