"""Recipes data access: one method per use case, one statement each, except replacing a recipe's
tags (two statements in one transaction: see ``set_tags``) and searching (see ``list``)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from app.db.errors import register_constraint
from app.db.queries import sql
from app.db.repository import Repository
from app.kit.errors import InvalidInput
from app.recipes.models import HistoryEntry, Recipe, RecipeCreate, RecipeUpdate, TagCount

Sort = Literal["newest", "calories", "total_time"]

_FILTERS = ("tag", "ingredient", "cuisine", "difficulty", "max_calories", "max_total_time", "q",
            "favorite")

_create = sql("recipes/create_recipe", "user_id", "recipe", row=Recipe)
_get = sql("recipes/get_recipe", "user_id", "recipe_id", row=Recipe)
_version = sql("recipes/get_recipe_version", "user_id", "recipe_id")
_update = sql("recipes/update_recipe", "user_id", "recipe_id", "changes", "if_match", row=Recipe)
_delete = sql("recipes/delete_recipe", "user_id", "recipe_id", "if_match")
_lists = {
    "newest": sql("recipes/list_recipes_newest", "user_id", "after_created_at", "after_id",
                  "limit", *_FILTERS, row=Recipe),
    "calories": sql("recipes/list_recipes_by_calories", "user_id", "after_calories", "after_id",
                    "limit", *_FILTERS, row=Recipe),
    "total_time": sql("recipes/list_recipes_by_total_time", "user_id", "after_total_time",
                      "after_id", "limit", *_FILTERS, row=Recipe),
}
_OTHER_FILTERS = tuple(f for f in _FILTERS if f != "favorite")
_favorite_lists = {
    "newest": sql("recipes/list_favorite_recipes_newest", "user_id", "after_created_at",
                  "after_id", "limit", *_OTHER_FILTERS, row=Recipe),
    "calories": sql("recipes/list_favorite_recipes_by_calories", "user_id", "after_calories",
                    "after_id", "limit", *_OTHER_FILTERS, row=Recipe),
    "total_time": sql("recipes/list_favorite_recipes_by_total_time", "user_id",
                      "after_total_time", "after_id", "limit", *_OTHER_FILTERS, row=Recipe),
}
_use_custom_plans = sql("recipes/use_custom_plans")
# The filters that an index of their own serves: trigrams (q), GIN containment (ingredient) and
# recipe_tags (tag); favorite=true starts from favorite_recipes instead. See ``list``.
_INDEXED_FILTERS = ("tag", "ingredient", "q")
_ensure_tags = sql("recipes/ensure_tags", "tags")
_set_tags = sql("recipes/set_recipe_tags", "user_id", "recipe_id", "tags", "if_match", row=Recipe)
_list_tags = sql("recipes/list_tags", "user_id", "after_name", "limit", row=TagCount)
_add_favorite = sql("recipes/add_favorite", "user_id", "recipe_id")
_remove_favorite = sql("recipes/remove_favorite", "user_id", "recipe_id")
_create_history = sql(
    "recipes/create_history", "user_id", "recipe_id", "ingredients_used", "preferences_applied",
    row=HistoryEntry,
)
_list_history = sql(
    "recipes/list_history", "user_id", "recipe_id", "after_generated_at", "after_id", "limit",
    row=HistoryEntry,
)

# The keyset position before the first row of each order.
_INFINITY = datetime.max.replace(tzinfo=timezone.utc)
FIRST_POSITION: dict[str, tuple[Any, int]] = {
    "newest": (_INFINITY, 0),
    "calories": (float("-inf"), 0),
    "total_time": (-1, 0),
}
_POSITION_NAME = {"newest": "after_created_at", "calories": "after_calories",
                  "total_time": "after_total_time"}

for _name, _rule in [
    ("recipes_name_length", "name must be 1-200 characters, not blank"),
    ("recipes_cuisine_type_length", "cuisine_type must be 1-50 characters, not blank"),
    ("recipes_cuisine_type_not_blank", "cuisine_type must be 1-50 characters, not blank"),
    ("recipes_recipe_json_object",
     "recipe_json must be an object with ingredients and instructions lists"),
    ("recipes_recipe_json_size", "recipe_json is too large"),
    ("tags_name_format", "tags must be 1-50 characters, not blank"),
]:
    register_constraint(_name, InvalidInput(_rule))


def sort_key(sort: Sort, recipe: Recipe) -> tuple[Any, int]:
    """The keyset position of ``recipe`` in the ``sort`` order (NULLs sort last)."""
    if sort == "calories":
        calories = recipe.calories_per_serving
        return (float("inf") if calories is None else calories, recipe.id)
    if sort == "total_time":
        return (2147483647 if recipe.total_time is None else recipe.total_time, recipe.id)
    return (recipe.created_at, recipe.id)


class RecipeRepository(Repository):
    __slots__ = ()

    async def create(self, *, user_id: int, data: RecipeCreate) -> Recipe | None:
        return await self.one(_create, user_id=user_id, recipe=data)

    async def get(self, *, user_id: int, recipe_id: int) -> Recipe | None:
        return await self.one(_get, user_id=user_id, recipe_id=recipe_id)

    async def version(self, *, user_id: int, recipe_id: int) -> int | None:
        return await self.value(_version, user_id=user_id, recipe_id=recipe_id)

    async def update(
        self, *, user_id: int, recipe_id: int, changes: RecipeUpdate, if_match: list[int] | None
    ) -> Recipe | None:
        """Fields not sent (omitted from ``changes``' JSON) stay as they are."""
        return await self.one(_update, user_id=user_id, recipe_id=recipe_id,
                              changes=changes, if_match=if_match)

    async def delete(self, *, user_id: int, recipe_id: int, if_match: list[int] | None) -> bool:
        return await self.execute(
            _delete, user_id=user_id, recipe_id=recipe_id, if_match=if_match
        ) == 1

    async def list(
        self, *, user_id: int, sort: Sort, after: tuple[Any, int] | None, limit: int,
        filters: dict[str, Any],
    ) -> list[Recipe] | None:
        """Up to ``limit`` recipes matching the non-None ``filters``, in ``sort`` order; None when
        the account is gone or deactivated. On the pool: a search takes a connection of its own.

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
        position, after_id = after if after is not None else FIRST_POSITION[sort]
        values = {"user_id": user_id, "after_id": after_id, "limit": limit,
                  _POSITION_NAME[sort]: position}
        if filters["favorite"]:
            query = _favorite_lists[sort]
            values.update((name, filters[name]) for name in _OTHER_FILTERS)
        else:
            query = _lists[sort]
            values.update(filters)
            if all(filters[name] is None for name in _INDEXED_FILTERS):
                return await self.page(query, **values)
        async with self.db.transaction() as conn:
            search = self.on(conn)
            await search.execute(_use_custom_plans)
            return await search.page(query, **values)

    async def set_tags(
        self, *, user_id: int, recipe_id: int, tags: list[str], if_match: list[int] | None
    ) -> Recipe | None:
        """Run on a connection inside a transaction: add unknown names to the vocabulary, then
        replace the recipe's links; None (and the caller rolls back) when the recipe is missing."""
        await self.execute(_ensure_tags, tags=tags)
        return await self.one(_set_tags, user_id=user_id, recipe_id=recipe_id, tags=tags,
                              if_match=if_match)

    async def tags(self, *, user_id: int, after_name: str, limit: int) -> list[TagCount] | None:
        """None when the account is gone or deactivated."""
        return await self.page(_list_tags, user_id=user_id, after_name=after_name, limit=limit)

    async def favorite(self, *, user_id: int, recipe_id: int, on: bool) -> bool:
        """Mark or unmark; False when the recipe does not exist (or is someone else's)."""
        query = _add_favorite if on else _remove_favorite
        return await self.value(query, user_id=user_id, recipe_id=recipe_id) is not None

    async def add_history(
        self, *, user_id: int, recipe_id: int, ingredients_used: list[str],
        preferences_applied: dict[str, Any],
    ) -> HistoryEntry | None:
        return await self.one(_create_history, user_id=user_id, recipe_id=recipe_id,
                              ingredients_used=ingredients_used,
                              preferences_applied=preferences_applied)

    async def history(
        self, *, user_id: int, recipe_id: int, after: tuple[datetime, int] | None, limit: int
    ) -> list[HistoryEntry]:
        after_generated_at, after_id = after if after is not None else (_INFINITY, 0)
        return await self.all(_list_history, user_id=user_id, recipe_id=recipe_id,
                              after_generated_at=after_generated_at, after_id=after_id,
                              limit=limit)
