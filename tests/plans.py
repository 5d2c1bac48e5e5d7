"""EXPLAIN helpers for the plan tests: the real query text, literal arguments, the plan's nodes;
and a traced pool, for the plans PostgreSQL really executes for a repository."""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import asyncpg

from app.db.pool import Database, init_connection
from app.modules import load_queries


def _nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


async def plan(conn, name: str, /, **values) -> list[dict]:
    """Every node of the plan PostgreSQL chooses for the named query with these arguments. A
    statement that checks the caller's session gets session 1 unless told: the check is an
    InitPlan, the same whatever the id, and EXPLAIN does not run it."""
    query = load_queries()[name]
    if query.for_caller:
        values.setdefault("session_id", 1)
    raw = await conn.fetchval("EXPLAIN (FORMAT JSON) " + query.sql, *query.args(values))
    return list(_nodes(json.loads(raw)[0]["Plan"]))


PLAN_MODES = ("force_custom_plan", "force_generic_plan")


async def custom_and_generic(conn, name: str, /, **values) -> list[list[dict]]:
    """The custom plan (for these values) and the generic plan (the one a pooled connection
    settles on) of the named statement."""
    found = []
    for mode in PLAN_MODES:
        await conn.execute(f"SET plan_cache_mode = {mode}")
        found.append(await plan(conn, name, **values))
    return found


def seq_scans(nodes: list[dict], tables: set[str]) -> list[str]:
    """The tables among ``tables`` that the plan reads whole."""
    return [n["Relation Name"] for n in nodes
            if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in tables]


def index_names(nodes: list[dict]) -> set[str]:
    return {n["Index Name"] for n in nodes if "Index Name" in n}


def reads(nodes: list[dict], relation: str) -> list[tuple[str, str | None]]:
    """How the plan reads a table: the node type and index (None for none) of each scan of it."""
    return [(n["Node Type"], n.get("Index Name")) for n in nodes
            if n.get("Relation Name") == relation]


def page_of_active_user(nodes: list[dict], index: str) -> bool:
    """Whether the plan has a list query's shape: at most a sort of the page's rows on top, then one
    users_pkey probe as the outer side of the top nested loop (so it runs once), and the page a
    LIMIT over an ordered scan of ``index``, directly or as the outer side of nested loops that look
    up something per row (so no sort below the LIMIT, and no more rows read than the page needs)."""
    top = nodes[0]
    if top["Node Type"] == "Sort":
        top = _gated(top["Plans"])
    top = _gated([top])
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


def _gated(plans: list[dict]) -> dict:
    """The node under the Result that gates a plan on its session check (a one-time filter on
    the InitPlan that probes sessions_pkey once), or the one node of ``plans`` when there is
    none."""
    (node,) = [p for p in plans if p.get("Parent Relationship") != "InitPlan"]
    if node["Node Type"] == "Result" and "One-Time Filter" in node:
        (node,) = [p for p in node["Plans"] if p.get("Parent Relationship") != "InitPlan"]
    return node


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


class Trace:
    """What one connection ran, from PostgreSQL's own log messages sent to the client: the text
    of each statement (log_statement = all) and the nodes of each plan executed (auto_explain)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.plans: list[list[dict]] = []

    def clear(self) -> None:
        self.statements.clear()
        self.plans.clear()

    def collect(self, _conn: object, message: asyncpg.PostgresLogMessage) -> None:
        text = message.message
        if text.startswith("duration: ") and "plan:\n" in text:
            self.plans.append(list(_nodes(json.loads(text.split("plan:\n", 1)[1])["Plan"])))
        elif text.startswith(("statement: ", "execute ")):
            self.statements.append(text.split(": ", 1)[1])


@asynccontextmanager
async def traced_database(database_url: str, plan_cache_mode: str = "auto"
                          ) -> AsyncIterator[tuple[Database, Trace]]:
    """The service's ``Database`` over a pool of one connection that is traced. With
    ``plan_cache_mode`` force_generic_plan every prepared statement runs the generic plan that a
    pooled connection settles on for a statement it runs often (PostgreSQL's choice after five
    runs whenever that plan does not look costlier), built for the average user. Loading
    auto_explain needs a superuser, as the owner of the tests' databases is."""
    trace = Trace()

    async def init(conn: asyncpg.Connection) -> None:
        await init_connection(conn)
        await conn.execute("LOAD 'auto_explain'")

    async def setup(conn: asyncpg.Connection) -> None:
        """On each acquire: the pool drops a connection's listeners when it is released."""
        conn.add_log_listener(trace.collect)

    async def keep_session(conn: asyncpg.Connection) -> None:
        """Keep the settings (the default reset runs RESET ALL)."""

    settings = {"auto_explain.log_min_duration": "0", "auto_explain.log_format": "json",
                "log_statement": "all", "client_min_messages": "log",
                "plan_cache_mode": plan_cache_mode}
    with warnings.catch_warnings():
        # asyncpg warns about a listener left on a connection going back to its pool: it is
        # meant to stay until then.
        warnings.filterwarnings("ignore", ".* is being released to the pool but has 1 active log",
                                asyncpg.InterfaceWarning)
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1, init=init,
                                         setup=setup, reset=keep_session,
                                         server_settings=settings)
        db = Database(pool, acquire_timeout=5.0)
        try:
            yield db, trace
        finally:
            await db.close()
            await pool.close()
