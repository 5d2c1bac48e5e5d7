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


def reads(nodes: list[dict], relation: str) -> list[tuple[str, str | None]]:
    """How the plan reads a table: the node type and index (None for none) of each scan of it."""
    return [(n["Node Type"], n.get("Index Name")) for n in nodes
            if n.get("Relation Name") == relation]


def page_of_active_user(nodes: list[dict], index: str) -> bool:
    """Whether the plan has a list query's shape: one users_pkey probe as the outer side of the
    top nested loop (so it runs once), and the page a LIMIT over an ordered scan of ``index``,
    directly or as the outer side of nested loops that look up something per row (so no sort, and
    no more rows read than the page needs)."""
    top = nodes[0]
    if top["Node Type"] != "Nested Loop" or len(top["Plans"]) != 2:
        return False
    outer, inner = top["Plans"]
    if (outer["Node Type"], outer.get("Index Name")) != ("Index Scan", "users_pkey"):
        return False
    if inner["Node Type"] != "Limit":
        return False
    rows = inner["Plans"][0]
    while rows["Node Type"] == "Nested Loop":
        rows = rows["Plans"][0]
    return rows.get("Index Name") == index


def main_path(nodes: list[dict]) -> list[dict]:
    """The nodes that produce the rows, without those of per-row subqueries (SubPlan, InitPlan)."""
    skipped: list[dict] = []
    for node in nodes:
        if node.get("Parent Relationship") in ("SubPlan", "InitPlan"):
            skipped.extend(_nodes(node))
    return [n for n in nodes if not any(n is s for s in skipped)]


def describe(nodes: list[dict]) -> str:
    """A one-line summary of a plan, for assertion messages."""
    return " > ".join(
        f"{n['Node Type']}({n.get('Index Name') or n.get('Relation Name') or ''})" for n in nodes
    )
