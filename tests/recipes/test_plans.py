"""The recipes queries use the indexes their headers name, on tables big enough for it to matter:
as EXPLAIN shows them, and as the repository really runs them on a pooled connection whose cached
plans are generic (built for the average user, not for the one asking)."""

from __future__ import annotations

from datetime import datetime, timezone

import asyncpg
import pytest

from app.modules import load_queries
from app.recipes.repository import RecipeRepository
from tests.helpers import session_of
from tests.plans import (
    below_limit,
    describe,
    index_names,
    main_path,
    plan,
    traced_database,
)

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

INFINITY = datetime.max.replace(tzinfo=timezone.utc)
SESSION = 1  # the seeded user 7's session, the first of the database
NO_FILTERS = dict(tag=None, ingredient=None, cuisine=None, difficulty=None, max_calories=None,
                  max_total_time=None, q=None, favorite=None)
# Each sort: its list, its favorites list, the index it walks, and its first keyset position.
SORTS = {
    "newest": ("list_recipes_newest", "list_favorite_recipes_newest", "recipes_user_created_idx",
               {"after_created_at": INFINITY}),
    "calories": ("list_recipes_by_calories", "list_favorite_recipes_by_calories",
                 "recipes_user_calories_idx", {"after_calories": float("-inf")}),
    "total_time": ("list_recipes_by_total_time", "list_favorite_recipes_by_total_time",
                   "recipes_user_total_time_idx", {"after_total_time": -1}),
}
SORT_INDEXES = {index for _, _, index, _ in SORTS.values()}


@pytest.fixture
async def seeded(database_url):
    """4000 users with 5 recipes each, 'Dish 1' and 'Dish 3' their favorites and 'Dish 1' cooked
    once; user 7 with 5000 more, of which 20 use saffron, are named 'Saffron risotto' and tagged
    'festive', every 100th is a favorite, and 'Stew 1' was cooked 2000 times; every other recipe is
    tagged 'everyday': analyzed."""
    conn = await asyncpg.connect(database_url)
    await conn.execute(
        "INSERT INTO users (email, name, password_hash) "
        "SELECT 'u' || i || '@example.com', 'User ' || i, 'x' FROM generate_series(1, 4000) AS i"
    )
    await conn.execute(
        "INSERT INTO recipes (user_id, name, recipe_json, calories_per_serving, prep_time, "
        "created_at) "
        "SELECT u.id, 'Dish ' || n, jsonb_build_object('ingredients', "
        "jsonb_build_array(jsonb_build_object('name', 'Onion')), 'instructions', '[]'::jsonb), "
        "n * 10, n, now() - n * interval '1 minute' "
        "FROM users AS u, generate_series(1, 5) AS n"
    )
    await conn.execute(
        "INSERT INTO recipes (user_id, name, recipe_json, calories_per_serving, prep_time, "
        "created_at) "
        "SELECT 7, CASE WHEN n % 250 = 0 THEN 'Saffron risotto ' ELSE 'Stew ' END || n, "
        "jsonb_build_object('ingredients', jsonb_build_array(jsonb_build_object('name', "
        "CASE WHEN n % 250 = 0 THEN 'Saffron' ELSE 'Carrot ' || n END)), 'instructions', "
        "'[]'::jsonb), n % 900, n % 120, now() - n * interval '1 second' "
        "FROM generate_series(1, 5000) AS n"
    )
    await conn.execute("INSERT INTO tags (name) VALUES ('festive'), ('everyday')")
    await conn.execute(
        "INSERT INTO recipe_tags (user_id, recipe_id, tag_id) "
        "SELECT r.user_id, r.id, t.id FROM recipes AS r, tags AS t "
        "WHERE (r.name LIKE 'Saffron%') = (t.name = 'festive')"
    )
    await conn.execute(
        "INSERT INTO favorite_recipes (user_id, recipe_id) "
        "SELECT r.user_id, r.id FROM recipes AS r "
        "WHERE r.name IN ('Dish 1', 'Dish 3') OR (r.user_id = 7 AND r.id % 100 = 0)"
    )
    await conn.execute(
        "INSERT INTO recipe_history (user_id, recipe_id, ingredients_used, preferences_applied, "
        "generated_at) "
        "SELECT r.user_id, r.id, '[]', '{}', now() - n * interval '1 minute' "
        "FROM recipes AS r, generate_series(1, 2000) AS n "
        "WHERE (r.name = 'Dish 1' AND n = 1) OR (r.user_id = 7 AND r.name = 'Stew 1')"
    )
    assert await session_of(conn, 7) == SESSION
    await conn.execute("ANALYZE users; ANALYZE recipes; ANALYZE tags; ANALYZE recipe_tags; "
                       "ANALYZE favorite_recipes; ANALYZE recipe_history")
    try:
        yield conn
    finally:
        await conn.close()


def _scans_a_big_table(nodes: list[dict]) -> bool:
    """A sequential scan of anything but the small tag vocabulary."""
    return any(n["Node Type"] == "Seq Scan" and n["Relation Name"] != "tags" for n in nodes)


def _sorts(nodes: list[dict]) -> bool:
    """Whether the rows are sorted after they are read (a recipe's few tags may be)."""
    return any(n["Node Type"] in ("Sort", "Incremental Sort") for n in main_path(nodes))


async def _list(db, sort: str, **filters) -> list:
    """The rows the statement returns for the first page of user 7's list, as the route asks for
    it: a page of 20, plus the one row after it when there are more (which the repository reads
    to know there is a next page, and drops)."""
    page = await RecipeRepository(db).acting_for(SESSION).list_recipes(
        user_id=7, sort=sort, cursor=None, limit=20, filters={**NO_FILTERS, **filters})
    return [*page.items, *([None] if page.next_cursor is not None else [])]


@pytest.mark.parametrize("sort", SORTS)
async def test_an_unfiltered_list_is_one_statement_settling_on_a_generic_plan(seeded,
                                                                              database_url, sort):
    """Six runs and PostgreSQL reuses a generic plan, which walks the sort's index: the right plan
    for any user, since it stops at the end of the page."""
    name, _, index, _ = SORTS[sort]
    query = load_queries()[f"recipes/{name}"]
    async with traced_database(database_url) as (db, trace):
        for _ in range(6):
            await _list(db, sort)
        trace.clear()
        recipes = await _list(db, sort)
        statements, (nodes,) = list(trace.statements), trace.plans
        trace.clear()
        await _list(db, sort, difficulty="easy", max_total_time=60)
        filtered = list(trace.statements)
        (generic_plans,) = await db.fetchrow(
            "SELECT generic_plans FROM pg_prepared_statements WHERE statement = $1", query.sql)
    assert len(recipes) == 21
    assert statements == filtered == [query.sql]
    assert generic_plans > 0
    assert index in index_names(below_limit(nodes)), describe(nodes)
    assert not _sorts(below_limit(nodes)), describe(nodes)


@pytest.mark.parametrize(("filters", "index", "count"), [
    ({"q": "risott"}, "recipes_user_name_trgm_idx", 20),
    ({"ingredient": "SAFFRON"}, "recipes_user_ingredients_idx", 20),
    ({"tag": "festive"}, "recipe_tags_user_tag_idx", 20),
    ({"favorite": True}, "favorite_recipes_pkey", 21),
], ids=["q", "ingredient", "tag", "favorite"])
async def test_a_search_uses_its_index_even_where_cached_plans_are_generic(
    seeded, database_url, filters, index, count
):
    """The generic plan of a search walks the sort index (right for a user with five recipes,
    it reads all 5005 of user 7's): searches are planned for their values in a transaction."""
    custom_plans = load_queries()["recipes/use_custom_plans"].sql
    async with traced_database(database_url, "force_generic_plan") as (db, trace):
        for sort, (name, favorites, sort_index, _) in SORTS.items():
            query = load_queries()[f"recipes/{favorites if 'favorite' in filters else name}"]
            await _list(db, sort, **filters)
            trace.clear()
            recipes = await _list(db, sort, **filters)
            assert len(recipes) == count
            assert trace.statements[0].startswith("BEGIN")
            assert trace.statements[1:] == [custom_plans, query.sql, "COMMIT;"]
            (nodes,) = trace.plans
            assert index in index_names(nodes), describe(nodes)
            assert sort_index not in index_names(below_limit(nodes)), describe(nodes)


@pytest.mark.parametrize("sort", SORTS)
async def test_favorites_start_from_the_users_favorites(seeded, sort):
    _, favorites, sort_index, first = SORTS[sort]
    nodes = await plan(seeded, f"recipes/{favorites}", user_id=7, after_id=0, limit=21,
                       **first, **{k: v for k, v in NO_FILTERS.items() if k != "favorite"})
    page = below_limit(nodes)
    assert "favorite_recipes_pkey" in index_names(page), describe(nodes)
    assert "recipes_pkey" in index_names(page), describe(nodes)
    assert not index_names(page) & SORT_INDEXES, describe(nodes)
    assert not _scans_a_big_table(nodes), describe(nodes)


async def test_list_tags_reads_the_users_tag_links_by_index(seeded):
    nodes = await plan(seeded, "recipes/list_tags", user_id=7, after_name="", limit=101)
    assert "recipe_tags_user_tag_idx" in index_names(nodes), describe(nodes)
    assert not _scans_a_big_table(nodes), describe(nodes)


async def test_list_history_walks_its_index_without_sorting(seeded):
    stew = await seeded.fetchval("SELECT id FROM recipes WHERE user_id = 7 AND name = 'Stew 1'")
    nodes = await plan(seeded, "recipes/list_history", user_id=7, recipe_id=stew,
                       after_generated_at=INFINITY, after_id=0, limit=21)
    assert "recipe_history_user_recipe_generated_idx" in index_names(nodes), describe(nodes)
    assert not _sorts(nodes), describe(nodes)
    assert not _scans_a_big_table(nodes), describe(nodes)


async def test_get_recipe_reads_its_keys_only(seeded):
    nodes = await plan(seeded, "recipes/get_recipe", user_id=7, recipe_id=6100)
    assert "recipes_pkey" in index_names(nodes), describe(nodes)
    assert not _scans_a_big_table(nodes), describe(nodes)
