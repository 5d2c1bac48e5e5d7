"""Recipes over HTTP: /recipes (with their tags, favorite flag and history) and /tags."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter, QueryParameter

from app.http.auth import AUTH_DEPENDENCIES, UserId
from app.kit.errors import AccountGone, InvalidInput, NotFound
from app.http.etag import ETAG_HEADER, IfMatch, if_match_versions, missing_or_stale, with_etag
from app.idempotency.keys import IdempotencyKey, created
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.recipes.models import (
    MAX_TAGS,
    Difficulty,
    HistoryCreate,
    HistoryEntry,
    HistoryPage,
    Recipe,
    RecipeCreate,
    RecipePage,
    RecipeUpdate,
    TagPage,
    Tags,
)
from app.recipes.repository import Sort, sort_key
from app.http.validation import MAX_BIGINT, NO_NUL

RecipeId = Annotated[int, PathParameter(ge=1, le=MAX_BIGINT, description="The recipe's id.")]


def _text_filter(description: str, max_length: int = 100):
    return Annotated[
        str | None,
        QueryParameter(min_length=1, max_length=max_length, pattern=NO_NUL,
                       description=description),
    ]


TagFilter = _text_filter("Only recipes with this tag (any letter case).", 50)
IngredientFilter = _text_filter(
    "Only recipes whose document lists this ingredient by name (any letter case)."
)
CuisineFilter = _text_filter("Only recipes of this cuisine_type (any letter case).", 50)
SearchFilter = _text_filter("Only recipes whose name contains this text (any letter case).")
DifficultyFilter = Annotated[Difficulty | None, QueryParameter(description="Only this difficulty.")]
MaxCalories = Annotated[
    float | None, QueryParameter(ge=0, le=100000, description="At most this many calories per serving.")
]
MaxTotalTime = Annotated[
    int | None,
    QueryParameter(ge=0, le=20160, description="At most this many minutes of prep + cook time."),
]
FavoriteFilter = Annotated[
    bool | None, QueryParameter(description="Only favorites (true) or only the others (false).")
]
SortOrder = Annotated[
    Sort,
    QueryParameter(description="newest first; fewest calories first; quickest first "
                               "(recipes without the value come last)."),
]

_CURSOR_TYPES: dict[str, Any] = {
    "newest": tuple[datetime, int],
    "calories": tuple[float, int],
    "total_time": tuple[int, int],
}


def _not_found() -> NotFound:
    return NotFound("recipe not found")


class RecipeController(Controller):
    path = "/recipes"
    tags = ["recipes"]
    dependencies = AUTH_DEPENDENCIES
    security = [{"bearer": []}]

    @post("/", operation_id="createRecipe", responses=errors(401, 409, 422),
          response_headers=ETAG_HEADER)
    async def create_recipe(
        self, data: JSONBody[RecipeCreate], user_id: UserId, state: State,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Recipe]:
        """Create a recipe from its document and its structured columns; the name is trimmed."""
        result = await created(
            state.db, idempotency_key, "createRecipe", data, Recipe, user_id=user_id,
            create=lambda db: state.recipes.on(db).create(user_id=user_id, data=data),
        )
        if result is None:
            raise AccountGone()
        status, recipe = result
        return with_etag(recipe, recipe.version, status)

    @get("/", operation_id="listRecipes", responses=errors(401))
    async def list_recipes(
        self,
        user_id: UserId,
        state: State,
        tag: TagFilter = None,
        ingredient: IngredientFilter = None,
        cuisine: CuisineFilter = None,
        difficulty: DifficultyFilter = None,
        max_calories: MaxCalories = None,
        max_total_time: MaxTotalTime = None,
        q: SearchFilter = None,
        favorite: FavoriteFilter = None,
        sort: SortOrder = "newest",
        limit: Limit = 20,
        cursor: Cursor = None,
    ) -> RecipePage:
        """The caller's recipes matching every filter given, a page at a time (keyset
        pagination in the chosen order); a cursor only continues the list it came from."""
        filters = {
            "tag": tag.strip().lower() if tag is not None else None,
            "ingredient": ingredient, "cuisine": cuisine, "difficulty": difficulty,
            "max_calories": max_calories, "max_total_time": max_total_time, "q": q,
            "favorite": favorite,
        }
        scope = f"recipes:{sort}:{sorted(filters.items())!r}"
        after = None
        if cursor is not None:
            after = state.cursors.decode(scope, cursor, _CURSOR_TYPES[sort])
        rows = await state.recipes.list(user_id=user_id, sort=sort, after=after, limit=limit + 1,
                                        filters=filters)
        if rows is None:
            raise AccountGone()
        next_cursor = state.cursors.next_page(scope, rows, limit, lambda r: sort_key(sort, r))
        return RecipePage(items=rows, next_cursor=next_cursor)

    @get("/{recipe_id:int}", operation_id="getRecipe", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_recipe(self, recipe_id: RecipeId, user_id: UserId, state: State
                         ) -> Response[Recipe]:
        """One recipe with its tags and favorite flag."""
        recipe = await state.recipes.get(user_id=user_id, recipe_id=recipe_id)
        if recipe is None:
            raise _not_found()
        return with_etag(recipe, recipe.version)

    @patch("/{recipe_id:int}", operation_id="updateRecipe", responses=errors(401, 404, 412),
           response_headers=ETAG_HEADER)
    async def update_recipe(
        self, recipe_id: RecipeId, data: JSONBody[RecipeUpdate], user_id: UserId, state: State,
        if_match: IfMatch = None,
    ) -> Response[Recipe]:
        """Change the fields sent (null clears an optional one; recipe_json is replaced whole);
        with If-Match, only at that version (else 412 with the current ETag)."""
        versions = if_match_versions(if_match)
        recipe = await state.recipes.update(user_id=user_id, recipe_id=recipe_id, changes=data,
                                            if_match=versions)
        if recipe is None:
            raise await self._missing_or_stale(state, user_id, recipe_id, versions)
        return with_etag(recipe, recipe.version)

    @delete("/{recipe_id:int}", operation_id="deleteRecipe", responses=errors(401, 404, 412))
    async def delete_recipe(
        self, recipe_id: RecipeId, user_id: UserId, state: State, if_match: IfMatch = None
    ) -> None:
        """Delete a recipe with its tag links, favorite mark and history; with If-Match, only at
        that version."""
        versions = if_match_versions(if_match)
        if not await state.recipes.delete(user_id=user_id, recipe_id=recipe_id,
                                          if_match=versions):
            raise await self._missing_or_stale(state, user_id, recipe_id, versions)

    @put("/{recipe_id:int}/tags", operation_id="setRecipeTags", responses=errors(401, 404, 412),
         response_headers=ETAG_HEADER)
    async def set_tags(
        self, recipe_id: RecipeId, data: JSONBody[Tags], user_id: UserId, state: State,
        if_match: IfMatch = None,
    ) -> Response[Recipe]:
        """Replace the recipe's tags with these (lowercased, trimmed, duplicates dropped),
        creating unknown tags, in one transaction; the recipe's version goes up."""
        if len(data) > MAX_TAGS:
            raise InvalidInput(f"a recipe has at most {MAX_TAGS} tags", extra={"field": "body"})
        versions = if_match_versions(if_match)
        names = sorted({name.strip().lower() for name in data})
        async with state.db.transaction() as conn:
            recipe = await state.recipes.on(conn).set_tags(
                user_id=user_id, recipe_id=recipe_id, tags=names, if_match=versions
            )
            if recipe is None:
                raise await self._missing_or_stale(state, user_id, recipe_id, versions)
        return with_etag(recipe, recipe.version)

    @put("/{recipe_id:int}/favorite", operation_id="addFavorite", status_code=204,
         responses=errors(401, 404))
    async def add_favorite(self, recipe_id: RecipeId, user_id: UserId, state: State) -> None:
        """Mark the recipe as a favorite; doing it again changes nothing."""
        if not await state.recipes.favorite(user_id=user_id, recipe_id=recipe_id, on=True):
            raise _not_found()

    @delete("/{recipe_id:int}/favorite", operation_id="removeFavorite",
            responses=errors(401, 404))
    async def remove_favorite(self, recipe_id: RecipeId, user_id: UserId, state: State) -> None:
        """Unmark the recipe as a favorite; doing it again changes nothing."""
        if not await state.recipes.favorite(user_id=user_id, recipe_id=recipe_id, on=False):
            raise _not_found()

    @post("/{recipe_id:int}/history", operation_id="createRecipeHistory",
          responses=errors(401, 404, 409, 422))
    async def add_history(
        self, recipe_id: RecipeId, data: JSONBody[HistoryCreate], user_id: UserId, state: State,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[HistoryEntry]:
        """Record that the recipe was generated or cooked, with what."""
        result = await created(
            state.db, idempotency_key, f"createRecipeHistory:{recipe_id}", data, HistoryEntry,
            user_id=user_id,
            create=lambda db: state.recipes.on(db).add_history(
                user_id=user_id, recipe_id=recipe_id, ingredients_used=data.ingredients_used,
                preferences_applied=data.preferences_applied,
            ),
        )
        if result is None:
            raise _not_found()
        status, entry = result
        return Response(entry, status_code=status)

    @get("/{recipe_id:int}/history", operation_id="listRecipeHistory",
         responses=errors(401, 404))
    async def list_history(
        self, recipe_id: RecipeId, user_id: UserId, state: State, limit: Limit = 20,
        cursor: Cursor = None,
    ) -> HistoryPage:
        """The recipe's history, newest first, a page at a time."""
        scope = f"recipe-history:{recipe_id}"
        after = None
        if cursor is not None:
            after = state.cursors.decode(scope, cursor, tuple[datetime, int])
        rows = await state.recipes.history(user_id=user_id, recipe_id=recipe_id, after=after,
                                           limit=limit + 1)
        if not rows and await state.recipes.version(user_id=user_id, recipe_id=recipe_id) is None:
            raise _not_found()
        next_cursor = state.cursors.next_page(scope, rows, limit,
                                              lambda h: (h.generated_at, h.id))
        return HistoryPage(items=rows, next_cursor=next_cursor)

    @staticmethod
    async def _missing_or_stale(state: State, user_id: int, recipe_id: int,
                                versions: list[int] | None):
        return await missing_or_stale(
            versions, lambda: state.recipes.version(user_id=user_id, recipe_id=recipe_id),
            _not_found(),
        )


class TagController(Controller):
    path = "/tags"
    tags = ["recipes"]
    dependencies = AUTH_DEPENDENCIES
    security = [{"bearer": []}]

    @get("/", operation_id="listTags", responses=errors(401))
    async def list_tags(
        self, user_id: UserId, state: State, limit: Annotated[
            int, QueryParameter(ge=1, le=500, description="Page size, 1-500.")] = 100,
        cursor: Cursor = None,
    ) -> TagPage:
        """The tags on the caller's recipes, by name, each with how many of them carry it."""
        after = ""
        if cursor is not None:
            (after,) = state.cursors.decode("tags", cursor, tuple[str])
        rows = await state.recipes.tags(user_id=user_id, after_name=after, limit=limit + 1)
        if rows is None:
            raise AccountGone()
        next_cursor = state.cursors.next_page("tags", rows, limit, lambda t: (t.name,))
        return TagPage(items=rows, next_cursor=next_cursor)
