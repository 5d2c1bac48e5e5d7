"""Driver errors into domain errors: constraint names are the schema's, never the API's. Every
constraint of the migrated schema, violated, is translated by the app's translator into an error
that does not name it; a foreign key to ``users`` (the account deleted while a row of it was
written) is a 401, one to a parent row the parent's 404."""

from __future__ import annotations

import asyncpg
import msgspec
import pytest

from app.db.errors import ErrorTranslator
from app.kit.errors import AccountGone, InvalidInput, NotFound, Unauthorized
from app.modules import MODULES

# What violating each kind of constraint raises.
_ERRORS = {"u": asyncpg.UniqueViolationError, "p": asyncpg.UniqueViolationError,
           "f": asyncpg.ForeignKeyViolationError, "c": asyncpg.CheckViolationError,
           "x": asyncpg.ExclusionViolationError}
_PARENTS = {"recipes": "recipe", "conversations": "conversation", "batches": "batch"}
# Tables of the values a column may take (migrations fill them).
_REFERENCE_TABLES = {"time_zones", "activity_mets"}
# Written only by the database's own functions, from its catalogue: never from a request's values.
_INTERNAL = {"user_achievements_achievement_fkey"}


@pytest.fixture
async def constraints(database_url) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(
            "SELECT c.conname, c.contype::text AS contype, c.confrelid::regclass::text AS referenced "
            "FROM pg_constraint AS c JOIN pg_namespace AS n ON n.oid = c.connamespace "
            "WHERE n.nspname = 'public' AND c.contype IN ('u', 'p', 'f', 'c', 'x') "
            "AND c.conrelid::regclass::text NOT LIKE '%yoyo%'")
    finally:
        await conn.close()


def _translator() -> ErrorTranslator:
    return ErrorTranslator({k: v for m in MODULES for k, v in m.constraints.items()})


async def test_no_translated_constraint_violation_names_its_constraint(constraints):
    translator = _translator()
    assert len(constraints) > 40
    for row in constraints:
        error = _ERRORS[row["contype"]]("violated")
        error.constraint_name = row["conname"]
        translated = translator.translate(error)
        assert translated is not None, row["conname"]
        said = translated.detail + msgspec.json.encode(translated.extra).decode()
        assert row["conname"] not in said and "constraint" not in said, (row["conname"], said)


async def test_a_foreign_key_to_an_account_is_a_401_and_one_to_a_parent_its_404(constraints):
    translator = _translator()
    foreign = [row for row in constraints if row["contype"] == "f"]
    assert foreign
    for row in foreign:
        if row["conname"] in _INTERNAL:
            continue
        error = asyncpg.ForeignKeyViolationError("violated")
        error.constraint_name = row["conname"]
        translated = translator.translate(error)
        if row["referenced"] == "users":
            assert isinstance(translated, Unauthorized), row["conname"]
            if row["conname"] != "login_addresses_user_fkey":  # a login: as if never there
                assert isinstance(translated, AccountGone), row["conname"]
        elif row["referenced"] == "sessions":  # a session ended meanwhile
            assert isinstance(translated, Unauthorized), row["conname"]
        elif row["referenced"] in _REFERENCE_TABLES:  # a value that is not one of the known ones
            assert isinstance(translated, InvalidInput) and translated.extra, row["conname"]
        elif row["referenced"] != "tags":  # the vocabulary is never deleted from
            assert isinstance(translated, NotFound), row["conname"]
            assert translated.detail == f"{_PARENTS[row['referenced']]} not found"
