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


def below_limit(nodes: list[dict]) -> list[dict]:
    """The main path under the first Limit: how a page's rows are found, without what is done to
    the page afterwards (such as ordering its few rows again)."""
    limit = next(n for n in nodes if n["Node Type"] == "Limit")
    return main_path(list(_nodes(limit)))
