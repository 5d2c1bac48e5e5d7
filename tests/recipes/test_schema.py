"""The recipes schema refuses what the API refuses, even from code that skips the API's
validation, and the migrations that add such rules roll back."""

from __future__ import annotations

import asyncpg
import pytest

from app.db import migrations
from app.db.errors import ErrorTranslator
from app.db.repository import Context
from app.kit.errors import ErrorDetails, InvalidInput
from app.kit.pages import Cursors
from app.recipes.models import RecipeCreate, RecipeUpdate
from app.recipes.repository import CONSTRAINTS, RecipeRepository
from tests.helpers import session_of

pytestmark = pytest.mark.own_database

DOCUMENT = {"ingredients": [{"name": "Leek"}], "instructions": ["Boil"]}
CUISINE_RULE = "recipes_cuisine_type_not_blank"


async def _user(conn) -> int:
    return await conn.fetchval("INSERT INTO users (email, name, password_hash) "
                               "VALUES ('cook@example.com', 'Cook', 'x') RETURNING id")


async def _rules(conn) -> set[str]:
    return {r["conname"] for r in await conn.fetch(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'recipes'::regclass")}


@pytest.mark.parametrize("cuisine", [" ", " \t\n "])
async def test_a_blank_cuisine_written_in_sql_is_refused_by_its_rule(owner_conn, cuisine):
    user_id = await _user(owner_conn)
    with pytest.raises(asyncpg.CheckViolationError) as refused:
        await owner_conn.execute(
            "INSERT INTO recipes (user_id, name, recipe_json, cuisine_type) VALUES ($1, 'Soup', "
            "$2, $3)", user_id, DOCUMENT, cuisine)
    assert refused.value.constraint_name == CUISINE_RULE
    assert await owner_conn.fetchval("SELECT count(*) FROM recipes") == 0


async def test_a_blank_cuisine_that_skipped_validation_is_a_400_naming_the_field(owner_conn):
    """Struct constructors do not validate: this is what a bug in Python could pass on. The rule is
    named as the field it guards, not as the constraint."""
    user_id = await _user(owner_conn)
    recipes = RecipeRepository(owner_conn, Context(None, ErrorTranslator(CONSTRAINTS), Cursors("s"))
                               ).acting_for(await session_of(owner_conn, user_id))
    with pytest.raises(InvalidInput, match="cuisine_type") as refused:
        await recipes.create(user_id=user_id, data=RecipeCreate(
            name="Soup", recipe_json=DOCUMENT, cuisine_type="   "))
    assert refused.value.extra == ErrorDetails(field="cuisine_type")
    recipe = await recipes.create(user_id=user_id, data=RecipeCreate(
        name="Soup", recipe_json=DOCUMENT, cuisine_type="Thai"))
    with pytest.raises(InvalidInput, match="cuisine_type"):
        await recipes.update(user_id=user_id, recipe_id=recipe.id,
                             changes=RecipeUpdate(cuisine_type="\t"), if_match=None)
    assert (await recipes.get(user_id=user_id, recipe_id=recipe.id)).cuisine_type == "Thai"


async def test_the_cuisine_rule_rolls_back_and_applies_again(database_url, owner_conn):
    assert CUISINE_RULE in await _rules(owner_conn)
    undone: list[str] = []
    while "0009_recipes_cuisine_not_blank" not in undone:
        undone += migrations.rollback(database_url, count=1)
    rules = await _rules(owner_conn)
    assert CUISINE_RULE not in rules
    assert "recipes_cuisine_type_length" in rules
    assert migrations.apply(database_url) == undone[::-1]
    assert CUISINE_RULE in await _rules(owner_conn)
