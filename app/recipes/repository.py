"""Recipes data access: one method per use case, one statement each, except replacing a recipe's
tags (two statements in one transaction: see ``set_tags``), a change that waited for another
writer (see ``update``) and searching (see ``list_recipes``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from app.db.queries import sql
from app.db.repository import Repository
from app.kit.errors import AccountGone, AppError, ErrorDetails, InvalidInput, not_found
from app.kit.limits import INFINITY, MAX_INTEGER
from app.kit.pages import Keyset, Page
from app.recipes.models import (
    HistoryEntry,
    Recipe,
    RecipeChange,
    RecipeCreate,
    RecipeUpdate,
    TagCount,
)

Sort = Literal["newest", "calories", "total_time"]

_FILTERS = ("tag", "ingredient", "cuisine", "difficulty", "max_calories", "max_total_time", "q",
            "favorite")

_create = sql("recipes/create_recipe", "user_id", "recipe", row=Recipe)
_get = sql("recipes/get_recipe", "user_id", "recipe_id", row=Recipe, replica=True)
_version = sql("recipes/get_recipe_version", "user_id", "recipe_id")
_update = sql("recipes/update_recipe", "user_id", "recipe_id", "changes", "if_match",
              row=RecipeChange)
_delete = sql("recipes/delete_recipe", "user_id", "recipe_id", "if_match")
_lists = {
    "newest": sql("recipes/list_recipes_newest", "user_id", "after_created_at", "after_id",
                  "limit", *_FILTERS, row=Recipe, replica=True),
    "calories": sql("recipes/list_recipes_by_calories", "user_id", "after_calories", "after_id",
                    "limit", *_FILTERS, row=Recipe, replica=True),
    "total_time": sql("recipes/list_recipes_by_total_time", "user_id", "after_total_time",
                      "after_id", "limit", *_FILTERS, row=Recipe, replica=True),
}
_OTHER_FILTERS = tuple(f for f in _FILTERS if f != "favorite")
_favorite_lists = {
    "newest": sql("recipes/list_favorite_recipes_newest", "user_id", "after_created_at",
                  "after_id", "limit", *_OTHER_FILTERS, row=Recipe, replica=True),
    "calories": sql("recipes/list_favorite_recipes_by_calories", "user_id", "after_calories",
                    "after_id", "limit", *_OTHER_FILTERS, row=Recipe, replica=True),
    "total_time": sql("recipes/list_favorite_recipes_by_total_time", "user_id",
                      "after_total_time", "after_id", "limit", *_OTHER_FILTERS, row=Recipe,
                      replica=True),
}
_use_custom_plans = sql("recipes/use_custom_plans")
# The filters that an index of their own serves: trigrams (q), GIN containment (ingredient) and
# recipe_tags (tag); favorite=true starts from favorite_recipes instead. See ``list``.
_INDEXED_FILTERS = ("tag", "ingredient", "q")
_lock_for_tags = sql("recipes/lock_recipe_for_tags", "user_id", "recipe_id", "tags")
_set_tags = sql("recipes/set_recipe_tags", "user_id", "recipe_id", "tags", "if_match", row=Recipe)
_list_tags = sql("recipes/list_tags", "user_id", "after_name", "limit", row=TagCount, replica=True)
_add_favorite = sql("recipes/add_favorite", "user_id", "recipe_id")
_remove_favorite = sql("recipes/remove_favorite", "user_id", "recipe_id")
_create_history = sql(
    "recipes/create_history", "user_id", "recipe_id", "ingredients_used", "preferences_applied",
    row=HistoryEntry,
)
_list_history = sql(
    "recipes/list_history", "user_id", "recipe_id", "after_generated_at", "after_id", "limit",
    row=HistoryEntry, replica=True,
)

CONSTRAINTS: dict[str, AppError] = {
    **{name: InvalidInput(rule, extra=ErrorDetails(field=field)) for name, field, rule in [
        ("recipes_name_length", "name", "name must be 1-200 characters, not blank"),
        ("recipes_cuisine_type_length", "cuisine_type",
         "cuisine_type must be 1-50 characters, not blank"),
        ("recipes_cuisine_type_not_blank", "cuisine_type",
         "cuisine_type must be 1-50 characters, not blank"),
        ("recipes_recipe_json_object", "recipe_json",
         "recipe_json must be an object with ingredients and instructions lists"),
        ("recipes_recipe_json_size", "recipe_json", "recipe_json is too large"),
        ("tags_name_format", "", "tags must be 1-50 characters, not blank"),
    ]},
    # The account was deleted while the recipe was written; the recipe, while a row of it was.
    "recipes_user_fkey": AccountGone(),
    **{name: not_found("recipe")() for name in (
        "recipe_tags_recipe_fkey", "favorite_recipes_recipe_fkey", "recipe_history_recipe_fkey")},
}


def _calories(recipe: Recipe) -> tuple[float, int]:
    calories = recipe.calories_per_serving
    return (float("inf") if calories is None else calories, recipe.id)


def _total_time(recipe: Recipe) -> tuple[int, int]:
    # recipes_user_total_time_idx sorts a recipe without a total time as the largest integer.
    return (MAX_INTEGER if recipe.total_time is None else recipe.total_time, recipe.id)


# Each order's keyset: what its cursors hold, the position before the first row, the statements'
# parameters for a position, and a recipe's position (NULLs sort last).
ORDERS: dict[Sort, Keyset[Recipe, Any]] = {
    "newest": Keyset("recipes:newest", tuple[datetime, int], (INFINITY, 0),
                     ("after_created_at", "after_id"), lambda r: (r.created_at, r.id)),
    "calories": Keyset("recipes:calories", tuple[float, int], (float("-inf"), 0),
                       ("after_calories", "after_id"), _calories),
    "total_time": Keyset("recipes:total_time", tuple[int, int], (-1, 0),
                         ("after_total_time", "after_id"), _total_time),
}
_TAGS: Keyset[TagCount, tuple[str]] = Keyset("tags", tuple[str], ("",), ("after_name",), lambda t: (t.name,))
_HISTORY: Keyset[HistoryEntry, tuple[datetime, int]] = Keyset("recipe-history", tuple[datetime, int], (INFINITY, 0),
                  ("after_generated_at", "after_id"), lambda h: (h.generated_at, h.id))


class RecipeRepository(Repository):
    __slots__ = ()

    async def create(self, *, user_id: int, data: RecipeCreate) -> Recipe | None:
        return await self.one(_create, user_id=user_id, recipe=data)

    async def get(self, *, user_id: int, recipe_id: int) -> Recipe | None:
        return await self.one(_get, user_id=user_id, recipe_id=recipe_id)

    async def version(self, *, user_id: int, recipe_id: int) -> int | None:
        version: int | None = await self.value(_version, user_id=user_id, recipe_id=recipe_id)
        return version

    async def update(
        self, *, user_id: int, recipe_id: int, changes: RecipeUpdate, if_match: list[int] | None
    ) -> Recipe | None:
        """Fields not sent (omitted from ``changes``' JSON) stay as they are. When the change
        waited for another writer's, the recipe is read again, so that its tags are those of its
        version."""
        changed = await self.one(_update, user_id=user_id, recipe_id=recipe_id,
                                 changes=changes, if_match=if_match)
        if changed is None:
            return None
        if not changed.read_current:
            return await self.get(user_id=user_id, recipe_id=recipe_id)
        return changed.recipe()

    async def delete(self, *, user_id: int, recipe_id: int, if_match: list[int] | None) -> bool:
        return await self.execute(
            _delete, user_id=user_id, recipe_id=recipe_id, if_match=if_match
        ) == 1

    async def list_recipes(
        self, *, user_id: int, sort: Sort, cursor: str | None, limit: int,
        filters: dict[str, Any],
    ) -> Page[Recipe]:
        """A page of recipes matching the non-None ``filters``, in ``sort`` order; AccountGone
        when the account is gone or deactivated. On the pool: a search takes a connection of its
        own.

        Without q, ingredient, tag or favorite=true this is one statement in one round trip, soon
        on the generic plan PostgreSQL caches for a prepared statement: it walks the sort's index
        and stops at the end of the page, the right plan for any account.

        A search needs its own index (trigrams, GIN containment, recipe_tags, favorite_recipes)
        only for an account with many recipes, and a generic plan is built for the average
        account, which has few: it walks the sort's index and filters, reading every recipe of a
        large account. A statement of its own per search does not help, its generic plan does the
        same (q on the plan tests' seeded account of 5005 recipes: 3.4 ms, against 0.7 ms planned
        for its values). So a search runs in a transaction after ``use_custom_plans`` (SET LOCAL
        plan_cache_mode = force_custom_plan) and is planned for its user and values every time.
        Measured through this repository, newest first, on the plan tests' tables: an account of
        50,000 recipes searched in 1.1-4.4 ms instead of 15-43 ms, one of 5005 in 0.7-1.0 ms
        instead of 1.1-3.4 ms, one of 5 in 0.5-0.9 ms instead of 0.1-0.2 ms (three more round
        trips, about 0.2 ms, and planning, about 0.3 ms): a fixed price instead of one that grows
        with the account. Set for the whole pool, the setting would cost every hot path its cached
        plan (pgbench: about 40% of the tasks hot path's throughput).
        """
        keyset = ORDERS[sort]
        scope = tuple(sorted(filters.items()))
        if filters["favorite"]:
            query = _favorite_lists[sort]
            values = {name: filters[name] for name in _OTHER_FILTERS}
        else:
            query = _lists[sort]
            values = dict(filters)
            if all(filters[name] is None for name in _INDEXED_FILTERS):
                return await self.page(query, keyset, cursor=cursor, limit=limit, scope=scope,
                                       user_id=user_id, **values)
        async with self.read_transaction() as search:
            await search.execute(_use_custom_plans)
            return await search.page(query, keyset, cursor=cursor, limit=limit, scope=scope,
                                     user_id=user_id, **values)

    async def set_tags(
        self, *, user_id: int, recipe_id: int, tags: list[str], if_match: list[int] | None
    ) -> Recipe | None:
        """Run on a connection inside a transaction: lock the recipe and add unknown names to the
        vocabulary, then (in a statement that starts once the lock is held) replace the recipe's
        links; None (and the caller rolls back) when the recipe is missing or, with
        ``if_match``, at another version."""
        if await self.value(_lock_for_tags, user_id=user_id, recipe_id=recipe_id,
                            tags=tags) is None:
            return None
        return await self.one(_set_tags, user_id=user_id, recipe_id=recipe_id, tags=tags,
                              if_match=if_match)

    async def tags(self, *, user_id: int, cursor: str | None, limit: int) -> Page[TagCount]:
        """AccountGone when the account is gone or deactivated."""
        return await self.page(_list_tags, _TAGS, cursor=cursor, limit=limit, user_id=user_id)

    async def favorite(self, *, user_id: int, recipe_id: int, on: bool) -> int | None:
        """Mark or unmark: the recipe's id, or None when it does not exist (or is someone
        else's)."""
        query = _add_favorite if on else _remove_favorite
        recipe: int | None = await self.value(query, user_id=user_id, recipe_id=recipe_id)
        return recipe

    async def add_history(
        self, *, user_id: int, recipe_id: int, ingredients_used: list[str],
        preferences_applied: dict[str, Any],
    ) -> HistoryEntry | None:
        return await self.one(_create_history, user_id=user_id, recipe_id=recipe_id,
                              ingredients_used=ingredients_used,
                              preferences_applied=preferences_applied)

    async def history(
        self, *, user_id: int, recipe_id: int, cursor: str | None, limit: int
    ) -> Page[HistoryEntry]:
        """The recipe's history, newest first; an empty page also when the recipe is missing
        (or someone else's) or the account is gone."""
        return await self.page(_list_history, _HISTORY, cursor=cursor, limit=limit,
                               scope=(recipe_id,), user_row=False, user_id=user_id,
                               recipe_id=recipe_id)
