"""Recipe Structs: the recipe, its JSON document, what a client may send, tags, history, pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import UNSET, UnsetType

from app.http.openapi import schema_ref
from app.http.validation import (Timestamp, Title, check_document, check_shape, json_object,
                                 text)

MAX_DOCUMENT_BYTES = 65536
# The most a recipe's or a history entry's request body may be: its document's bound with room for
# the other fields, whitespace and escapes. Larger bodies are refused before they are decoded.
MAX_BODY_BYTES = 4 * MAX_DOCUMENT_BYTES

Description = Annotated[str, text(2000, description="Up to 2000 characters.")]
Cuisine = Annotated[str, text(50, min_length=1, blank=False, description="1-50 characters, e.g. italian.")]
Difficulty = Literal["easy", "medium", "hard"]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=10080, description="Minutes, 0-10080.")]
Servings = Annotated[int, msgspec.Meta(ge=1, le=1000)]
Grams = Annotated[float, msgspec.Meta(ge=0, le=100000)]
Score = Annotated[float, msgspec.Meta(ge=0, le=1)]
Url = Annotated[str, text(2048, min_length=1)]
TagName = Annotated[str, text(50, min_length=1, blank=False,
               description="1-50 characters; stored lowercase and trimmed.")]
MAX_TAGS = 20
Tags = Annotated[
    list[TagName], msgspec.Meta(max_length=MAX_TAGS, description=f"Up to {MAX_TAGS} tags.")
]


class Ingredient(msgspec.Struct):
    name: Annotated[str, text(100, min_length=1, blank=False)]
    quantity: float | Annotated[str, text(50)] | None = None
    unit: Annotated[str, text(30)] | None = None


class RecipeDocument(msgspec.Struct):
    """The part of a recipe document the service relies on; other keys are kept as sent."""

    ingredients: Annotated[list[Ingredient], msgspec.Meta(max_length=200)]
    instructions: Annotated[list[Annotated[str, text(4000, min_length=1)]], msgspec.Meta(max_length=200)]


Document = Annotated[dict[str, Any], json_object(
    "The recipe document: `ingredients` (a list of {name, quantity?, unit?}), `instructions` (a "
    "list of steps, in order), and any other keys; at most 64 KiB as compact JSON.",
    extra_schema=schema_ref(RecipeDocument),
)]


class Recipe(msgspec.Struct):
    id: int
    name: str
    description: str | None
    cuisine_type: str | None
    difficulty: Difficulty | None
    prep_time: int | None
    cook_time: int | None
    total_time: int | None
    servings: int | None
    calories_per_serving: float | None
    protein_per_serving: float | None
    carbs_per_serving: float | None
    fat_per_serving: float | None
    confidence_score: float | None
    image_url: str | None
    recipe_json: dict[str, Any]
    tags: list[str]
    favorite: bool
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class RecipeChange(Recipe):
    """A recipe as update_recipe returns it: with whether its tags were read at the version it
    changed (see sql/recipes/update_recipe.sql)."""

    read_current: bool

    def recipe(self) -> Recipe:
        return Recipe(*msgspec.structs.astuple(self)[:-1])


class RecipeCreate(msgspec.Struct, forbid_unknown_fields=True):
    max_body_bytes: ClassVar[int] = MAX_BODY_BYTES

    name: Title
    recipe_json: Document
    description: Description | None = None
    cuisine_type: Cuisine | None = None
    difficulty: Difficulty | None = None
    prep_time: Minutes | None = None
    cook_time: Minutes | None = None
    servings: Servings | None = None
    calories_per_serving: Grams | None = None
    protein_per_serving: Grams | None = None
    carbs_per_serving: Grams | None = None
    fat_per_serving: Grams | None = None
    confidence_score: Score | None = None
    image_url: Url | None = None

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        check_document(self.recipe_json, "recipe_json", MAX_DOCUMENT_BYTES)
        check_shape(self.recipe_json, RecipeDocument, "recipe_json")


class RecipeUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Fields not sent stay as they are; null clears an optional field."""

    max_body_bytes: ClassVar[int] = MAX_BODY_BYTES

    name: Title | UnsetType = UNSET
    recipe_json: Document | UnsetType = UNSET
    description: Description | None | UnsetType = UNSET
    cuisine_type: Cuisine | None | UnsetType = UNSET
    difficulty: Difficulty | None | UnsetType = UNSET
    prep_time: Minutes | None | UnsetType = UNSET
    cook_time: Minutes | None | UnsetType = UNSET
    servings: Servings | None | UnsetType = UNSET
    calories_per_serving: Grams | None | UnsetType = UNSET
    protein_per_serving: Grams | None | UnsetType = UNSET
    carbs_per_serving: Grams | None | UnsetType = UNSET
    fat_per_serving: Grams | None | UnsetType = UNSET
    confidence_score: Score | None | UnsetType = UNSET
    image_url: Url | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.name is not UNSET:
            self.name = self.name.strip()
        if self.recipe_json is not UNSET:
            check_document(self.recipe_json, "recipe_json", MAX_DOCUMENT_BYTES)
            check_shape(self.recipe_json, RecipeDocument, "recipe_json")



class TagCount(msgspec.Struct):
    name: str
    recipe_count: int



class HistoryEntry(msgspec.Struct):
    id: int
    recipe_id: int
    generated_at: Timestamp
    ingredients_used: list[str]
    preferences_applied: dict[str, Any]


class HistoryCreate(msgspec.Struct, forbid_unknown_fields=True):
    max_body_bytes: ClassVar[int] = MAX_BODY_BYTES

    ingredients_used: Annotated[list[Annotated[str, text(100, min_length=1)]], msgspec.Meta(max_length=200)]
    preferences_applied: Annotated[dict[str, Any], json_object("Any JSON object; at most 16 KiB.")] = msgspec.field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        check_document(self.preferences_applied, "preferences_applied", 16384)

