"""The served OpenAPI document is one that client developers' tools accept: openapi-spec-validator
finds it valid, and openapi-python-client generates a client from it with no warning, with every
operation and every documented response, which then works against the live service (free-form
JSON documents included)."""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openapi_spec_validator import validate

from app.http.docs import DOCUMENT_PATH
from tests.conftest import app_for
from tests.helpers import PASSWORD, served

pytestmark = pytest.mark.slow

PACKAGE = "pgapi_client"
METHODS = {"get", "put", "post", "delete", "patch", "head"}
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


async def _generate(document_path: Path, into: Path) -> str:
    """Run the generator as a client developer would; its output."""
    # Its formatting step runs ruff, installed beside it.
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    process = await asyncio.create_subprocess_exec(
        str(GENERATOR), "generate", "--path", str(document_path), "--output-path", str(into),
        "--meta", "none", "--fail-on-warning", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 300)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    return text


@pytest.fixture
def importable(tmp_path: Path) -> Iterator[Path]:
    """A folder the generated package can be imported from, for this test only."""
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(tag: str, operation_id: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{_snake(operation_id)}")


def _model(name: str) -> Any:
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


async def test_the_document_validates_and_a_generated_client_covers_it_and_works(
        settings, importable):
    async with served(app_for(settings)) as http:
        response = await http.get(DOCUMENT_PATH)
        document = response.json()
        validate(document)

        path = importable / "openapi.json"
        path.write_bytes(response.content)
        output = await _generate(path, importable / PACKAGE)
        assert "warning" not in output.lower(), output

        # Every operation, with a branch for every status it documents.
        for item in document["paths"].values():
            for method, operation in item.items():
                if method not in METHODS:
                    continue
                module = _api(operation["tags"][0], operation["operationId"])
                source = Path(module.__file__).read_text()
                for status in operation["responses"]:
                    assert f"response.status_code == {status}" in source, (
                        operation["operationId"], status)

        client = importlib.import_module(PACKAGE)
        public = client.Client(base_url=str(http.base_url), raise_on_unexpected_status=True)
        registered = await _api("accounts", "register").asyncio(client=public, body=_model(
            "RegisterRequest")(email="generated@example.com", name="Generated",
                               password=PASSWORD))
        assert registered.user.email == "generated@example.com"
        user = client.AuthenticatedClient(base_url=str(http.base_url),
                                          token=registered.access_token,
                                          raise_on_unexpected_status=True)
        await _calls(user)


async def _calls(user: Any) -> None:
    """A few operations through the generated client, free-form JSON documents among them."""
    document = {
        "ingredients": [{"name": "flour", "quantity": 200, "unit": "g"}, {"name": "salt"}],
        "instructions": ["mix", "bake"],
        "source": {"book": "Bread", "pages": [12, 13], "notes": None, "nested": [[{"a": True}]]},
    }
    recipe = await _api("recipes", "createRecipe").asyncio(
        client=user, body=_model("RecipeCreate").from_dict(
            {"name": "Bread", "recipe_json": document, "servings": 2}))
    assert recipe.recipe_json.to_dict() == document
    read = await _api("recipes", "getRecipe").asyncio_detailed(recipe.id, client=user)
    assert read.status_code == 200
    assert read.headers["etag"] == f'"{recipe.version}"'
    assert read.parsed.created_at.tzinfo is not None

    preferences = {"diet": "vegan", "weights": {"salt": 0.5}, "tags": ["quick"]}
    await _api("recipes", "createRecipeHistory").asyncio(
        recipe.id, client=user, body=_model("HistoryCreate").from_dict(
            {"ingredients_used": ["flour"], "preferences_applied": preferences}))
    history = await _api("recipes", "listRecipeHistory").asyncio(recipe.id, client=user)
    assert [e.preferences_applied.to_dict() for e in history.items] == [preferences]
    assert history.items[0].ingredients_used == ["flour"]

    metadata = {"source": "import", "scores": [1, 2.5], "reviewer": {"id": 7, "flags": []}}
    batch = await _api("essays", "createBatch").asyncio(
        client=user, body=_model("BatchCreate").from_dict({"name": "b", "essays": [
            {"content_id": "e-1", "language": "en", "text": "An essay.", "metadata": metadata}]}))
    assert batch.total == 1
    essays = await _api("essays", "listBatchEssays").asyncio(batch.id, client=user)
    essay = essays.items[0]
    assert essay.metadata.to_dict() == metadata
    moved = await _api("essays", "updateEssay").asyncio(
        essay.id, client=user, body=_model("EssayUpdate").from_dict(
            {"status": "processing", "metadata": {"worker": {"host": "w1"}}}))
    assert moved.status.value == "processing"
    assert moved.metadata.to_dict() == {"worker": {"host": "w1"}}

    missing = await _api("tasks", "getTask").asyncio(999_999, client=user)
    assert missing.status_code == 404  # an ErrorBody, parsed
