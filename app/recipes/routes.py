"""Recipes over HTTP: /recipes (with their tags, favorite flag and history) and /tags."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, creates, found, with_etag
from app.http.openapi import errors
from app.http.pagination import Cursor, Limit
from app.http.params import path_id
from app.http.validation import NO_NUL
from app.idempotency.keys import IdempotencyKey, created
from app.kit.errors import AccountGone, not_found
from app.kit.pages import Page
from app.recipes.models import (
    Difficulty,
    HistoryCreate,
    HistoryEntry,
    Recipe,
    RecipeCreate,
    RecipeUpdate,
    TagCount,
    Tags,
)
from app.recipes.repository import RecipeRepository, Sort

Recipes = NamedDependency[RecipeRepository]
RecipeId = Annotated[int, path_id("recipe")]


def _text_filter(description: str, max_length: int = 100) -> Any:
    return QueryParameter(min_length=1, max_length=max_length, pattern=NO_NUL,
                          description=description)


TagFilter: TypeAlias = Annotated[
    str | None, _text_filter("Only recipes with this tag (any letter case).", 50)
]
IngredientFilter: TypeAlias = Annotated[str | None, _text_filter(
    "Only recipes whose document lists this ingredient by name (any letter case)."
)]
CuisineFilter: TypeAlias = Annotated[
    str | None, _text_filter("Only recipes of this cuisine_type (any letter case).", 50)
]
SearchFilter: TypeAlias = Annotated[
    str | None, _text_filter("Only recipes whose name contains this text (any letter case).")
]
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

_not_found = not_found("recipe")


class RecipeController(UserController):
    path = "/recipes"
    tags = ["recipes"]

    @creates("createRecipe")
    async def create_recipe(
        self, data: JSONBody[RecipeCreate], user_id: UserId, recipes: Recipes,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Recipe]:
        """Create a recipe from its document and its structured columns; the name is trimmed."""
        status, recipe = await created(
            recipes, idempotency_key, "createRecipe", data, Recipe, user_id=user_id,
            create=lambda repo: repo.create(user_id=user_id, data=data), missing=AccountGone,
        )
        return with_etag(recipe, status)

    @get("/", operation_id="listRecipes", responses=errors(401))
    async def list_recipes(
        self,
        user_id: UserId,
        recipes: Recipes,
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
    ) -> Page[Recipe]:
        """The caller's recipes matching every filter given, a page at a time (keyset
        pagination in the chosen order); a cursor only continues the list it came from."""
        filters = {
            "tag": tag.strip().lower() if tag is not None else None,
            "ingredient": ingredient, "cuisine": cuisine, "difficulty": difficulty,
            "max_calories": max_calories, "max_total_time": max_total_time, "q": q,
            "favorite": favorite,
        }
        return await recipes.list_recipes(user_id=user_id, sort=sort, cursor=cursor, limit=limit,
                                  filters=filters)

    @get("/{recipe_id:int}", operation_id="getRecipe", responses=errors(401, 404),
         response_headers=ETAG_HEADER)
    async def get_recipe(self, recipe_id: RecipeId, user_id: UserId, recipes: Recipes
                         ) -> Response[Recipe]:
        """One recipe with its tags and favorite flag."""
        return with_etag(found(await recipes.get(user_id=user_id, recipe_id=recipe_id),
                               _not_found))

    @patch("/{recipe_id:int}", operation_id="updateRecipe", responses=errors(401, 404, 412),
           response_headers=ETAG_HEADER)
    async def update_recipe(
        self, recipe_id: RecipeId, data: JSONBody[RecipeUpdate], user_id: UserId,
        recipes: Recipes, if_match: IfMatch = None,
    ) -> Response[Recipe]:
        """Change the fields sent (null clears an optional one; recipe_json is replaced whole);
        with If-Match, only at that version (else 412 with the current ETag)."""
        recipe = await conditionally(
            if_match,
            lambda versions: recipes.update(user_id=user_id, recipe_id=recipe_id, changes=data,
                                            if_match=versions),
            lambda: recipes.version(user_id=user_id, recipe_id=recipe_id), _not_found,
        )
        return with_etag(recipe)

    @delete("/{recipe_id:int}", operation_id="deleteRecipe", responses=errors(401, 404, 412))
    async def delete_recipe(
        self, recipe_id: RecipeId, user_id: UserId, recipes: Recipes,
        if_match: IfMatch = None,
    ) -> None:
        """Delete a recipe with its tag links, favorite mark and history; with If-Match, only at
        that version."""
        await conditionally(
            if_match,
            lambda versions: recipes.delete(user_id=user_id, recipe_id=recipe_id,
                                            if_match=versions),
            lambda: recipes.version(user_id=user_id, recipe_id=recipe_id), _not_found,
        )

    @put("/{recipe_id:int}/tags", operation_id="setRecipeTags", responses=errors(401, 404, 412),
         response_headers=ETAG_HEADER)
    async def set_tags(
        self, recipe_id: RecipeId, data: JSONBody[Tags], user_id: UserId,
        recipes: Recipes, if_match: IfMatch = None,
    ) -> Response[Recipe]:
        """Replace the recipe's tags with these (lowercased, trimmed, duplicates dropped),
        creating unknown tags, in one transaction; the recipe's version goes up."""
        names = sorted({name.strip().lower() for name in data})
        async with recipes.transaction() as tx:
            recipe = await conditionally(
                if_match,
                lambda versions: tx.set_tags(user_id=user_id, recipe_id=recipe_id, tags=names,
                                             if_match=versions),
                lambda: recipes.version(user_id=user_id, recipe_id=recipe_id), _not_found,
            )
        return with_etag(recipe)

    @put("/{recipe_id:int}/favorite", operation_id="addFavorite", status_code=204,
         responses=errors(401, 404))
    async def add_favorite(self, recipe_id: RecipeId, user_id: UserId, recipes: Recipes) -> None:
        """Mark the recipe as a favorite; doing it again changes nothing."""
        found(await recipes.favorite(user_id=user_id, recipe_id=recipe_id, on=True), _not_found)

    @delete("/{recipe_id:int}/favorite", operation_id="removeFavorite", responses=errors(401, 404))
    async def remove_favorite(self, recipe_id: RecipeId, user_id: UserId, recipes: Recipes
                              ) -> None:
        """Unmark the recipe as a favorite; doing it again changes nothing."""
        found(await recipes.favorite(user_id=user_id, recipe_id=recipe_id, on=False), _not_found)

    @post("/{recipe_id:int}/history", operation_id="createRecipeHistory",
          responses=errors(401, 404, 409, 422))
    async def add_history(
        self, recipe_id: RecipeId, data: JSONBody[HistoryCreate], user_id: UserId,
        recipes: Recipes, idempotency_key: IdempotencyKey = None,
    ) -> Response[HistoryEntry]:
        """Record that the recipe was generated or cooked, with what."""
        status, entry = await created(
            recipes, idempotency_key, f"createRecipeHistory:{recipe_id}", data, HistoryEntry,
            user_id=user_id, missing=_not_found,
            create=lambda repo: repo.add_history(
                user_id=user_id, recipe_id=recipe_id, ingredients_used=data.ingredients_used,
                preferences_applied=data.preferences_applied,
            ),
        )
        return Response(entry, status_code=status)

    @get("/{recipe_id:int}/history", operation_id="listRecipeHistory",
         responses=errors(401, 404))
    async def list_history(
        self, recipe_id: RecipeId, user_id: UserId, recipes: Recipes,
        limit: Limit = 20, cursor: Cursor = None,
    ) -> Page[HistoryEntry]:
        """The recipe's history, newest first, a page at a time."""
        page = await recipes.history(user_id=user_id, recipe_id=recipe_id, cursor=cursor,
                                     limit=limit)
        if not page.items and await recipes.version(user_id=user_id,
                                                    recipe_id=recipe_id) is None:
            raise _not_found()
        return page


class TagController(UserController):
    path = "/tags"
    tags = ["recipes"]

    @get("/", operation_id="listTags", responses=errors(401))
    async def list_tags(
        self, user_id: UserId, recipes: Recipes, limit: Annotated[
            int, QueryParameter(ge=1, le=500, description="Page size, 1-500.")] = 100,
        cursor: Cursor = None,
    ) -> Page[TagCount]:
        """The tags on the caller's recipes, by name, each with how many of them carry it."""
        return await recipes.tags(user_id=user_id, cursor=cursor, limit=limit)
