"""The recipes domain (recipes, their tags, favorites and history), as the app wires it."""

from __future__ import annotations

from app.db.queries import queries_in
from app.kit.domain import Module
from app.recipes import repository
from app.recipes.models import RecipeDocument
from app.recipes.repository import RecipeRepository
from app.recipes.routes import RecipeController, TagController

module = Module(
    name="recipes",
    controllers=[RecipeController, TagController],
    queries=queries_in(repository),
    constraints=repository.CONSTRAINTS,
    repositories={"recipes": RecipeRepository},
    schemas=[RecipeDocument],
)
