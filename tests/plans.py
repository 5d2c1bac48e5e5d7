"""EXPLAIN helpers for the plan tests: the real query text, literal arguments, the plan's nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator

from app.db.queries import load_queries


def _nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


async def plan(conn, name: str, **values) -> list[dict]:
    """Every node of the plan PostgreSQL chooses for the named query with these arguments."""
    query = load_queries()[name]
    raw = await conn.fetchval("EXPLAIN (FORMAT JSON) " + query.sql, *query.args(values))
    return list(_nodes(json.loads(raw)[0]["Plan"]))


def index_names(nodes: list[dict]) -> set[str]:
    return {n["Index Name"] for n in nodes if "Index Name" in n}
