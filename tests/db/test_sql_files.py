"""Every .sql file is proved, not claimed: it prepares against the migrated schema with the row
shape its Struct expects, and it runs verbatim in psql with -v values."""

from __future__ import annotations

import subprocess

import asyncpg
import pytest

from app.db.embedded import pg_bin_dir
from app.db.queries import SQL_ROOT, parse, verify_queries
from app.modules import load_queries

# A valid psql -v value for every parameter name used in sql/.
SAMPLE_VALUES: dict[str, str] = {
    "user_id": "1",
    "task_id": "1",
    "email": "psql@example.com",
    "name": "From psql",
    "password_hash": "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    "preferred_language": "en",
    "title": "A task from psql",
    "description": "described",
    "description_sent": "true",
    "completed": "false",
    "after_created_at": "infinity",
    "after_id": "0",
    "limit": "21",
    "if_match": "{1,2}",
    "conversation_id": "1",
    "title_sent": "true",
    "after_updated_at": "infinity",
    "role": "user",
    "content": "Hello from psql",
    "before_created_at": "infinity",
    "before_id": "0",
    "recipe_id": "1",
    "recipe": '{"name": "Soup from psql", "recipe_json": {"ingredients": [{"name": "Leek"}], '
              '"instructions": ["Boil"]}, "calories_per_serving": 120}',
    "changes": '{"name": "Renamed in psql", "description": null}',
    "after_calories": "-Infinity",
    "after_total_time": "-1",
    "tag": "soup",
    "ingredient": "leek",
    "cuisine": "french",
    "difficulty": "easy",
    "max_calories": "500",
    "max_total_time": "60",
    "q": "sou",
    "favorite": "false",
    "tags": "{soup,quick}",
    "after_name": "",
    "ingredients_used": '["leek", "potato"]',
    "preferences_applied": '{"vegetarian": true}',
    "after_generated_at": "infinity",
    "emails": "{seed-psql-1@seed.example,seed-psql-2@seed.example}",
    "names": "{\"Seed 1\",\"Seed 2\"}",
    "batch_id": "1",
    "content_ids": "{psql-essay-1,psql-essay-2}",
    "languages": "{en,pt}",
    "texts": "{\"An essay\",NULL}",
    "metadatas": "{\"{\\\"source\\\": \\\"psql\\\"}\",NULL}",
    "essay_id": "1",
    "status": "processing",
    "metadata": '{"score": 3}',
    "metadata_sent": "true",
    "idempotency_key": "psql-key-1",
    "status_code": "201",
    "response": '{"id": 1}',
    "request_hash": "\\x" + "ab" * 32,
    "ttl_seconds": "86400",
    "batch_size": "1000",
    "address": "203.0.113.7",
    "attempt_id": "1",
    "window_seconds": "300",
    "per_account_address": "5",
    "per_account": "20",
    "per_address": "50",
    "trusted_seconds": "2592000",
    "session_id": "1",
    "token_hash": "\\x" + "cd" * 32,
    "new_token_hash": "\\x" + "ef" * 32,
    "user_agent": "psql",
    "ended_session_id": "1",
    "google_id": "psql-google-1",
    "new_password_hash": "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    "database": "psql_database",
    "login_role": "psql_login_role",
    "group_role": "pgapi_service",
    "migrations": "{0001_users,0002_tasks}",
    "data": '{"source": "psql"}',
    "notification_id": "1",
    "is_read": "true",
    "before": "1",
    "body_sha256": "\\x" + "cd" * 32,
    "body": "\\x7b7d",
    "event_name": "subscription_updated",
    "ls_subscription_id": "1",
    "outcome": "received",
    "ls_customer_id": "2",
    "ls_order_id": "3",
    "ls_variant_id": "4",
    "product_name": "NutriProfile",
    "variant_name": "Monthly",
    "tier": "premium",
    "trial_ends_at": "2026-07-01T00:00:00Z",
    "renews_at": "2026-07-01T00:00:00Z",
    "ends_at": "2026-08-01T00:00:00Z",
    "test_mode": "true",
    "ls_created_at": "2026-06-01T00:00:00Z",
    "ls_updated_at": "2026-06-02T00:00:00Z",
    "payment": "failed",
    "billing_reason": "renewal",
    "invoice_updated_at": "2026-06-03T00:00:00Z",
    "user_ids": "{1}",
    "retention_days": "90",
    "birth_date": "1990-05-01",
    "gender": "female",
    "height_cm": "165.5",
    "weight_kg": "60",
    "activity_level": "light",
    "fitness_goal": "lose",
    "diet_type": "vegetarian",
    "diet_type_sent": "true",
    "allergies": "{peanuts}",
    "health_conditions": "{}",
    "medications": "{}",
    "time_zone": "Europe/Lisbon",
    "water_target_ml": "2500",
    "calories_override": "1800",
    "protein_g_override": "120",
    "carbs_g_override": "150",
    "fat_g_override": "60",
    "targets_sent": "true",
    "meal_type": "lunch",
    "eaten_at": "2026-06-30T20:00:00Z",
    "source": "recipe",
    "recipe_id_sent": "true",
    "image_url": "https://example.com/soup.jpg",
    "image_url_sent": "true",
    "confidence_score": "0.9",
    "confidence_score_sent": "true",
    "detected_items": '[{"label": "soup", "score": 0.9}]',
    "detected_items_sent": "true",
    "user_corrections": '{"renamed": "Leek soup"}',
    "user_corrections_sent": "true",
    "items": '[{"name": "Leek soup", "grams": 300, "calories": 120.5, "protein_g": 3, '
             '"carbs_g": 20, "fat_g": 2.5, "fiber_g": 4}]',
    "food_log_id": "1",
    "after_local_date": "infinity",
    "after_eaten_at": "infinity",
    "from_date": "2026-06-01",
    "to_date": "2026-07-31",
    "ml": "250",
    "drunk_at": "2026-06-30T21:00:00Z",
    "water_id": "1",
    "after_drunk_at": "infinity",
    "date": "2026-07-01",
    "kind": "coach_messages",
    "kinds": "{vision_analyses,recipe_generations,coach_messages}",
    "streak_kinds": "{food_logging,activity,water_goal}",
    "usage_kinds": "{vision_analyses,recipe_generations,coach_messages}",
    "limits": '{"free": {"vision_analyses": 3, "recipe_generations": 2, "coach_messages": 10}}',
    "activity_type": "running",
    "intensity": "moderate",
    "started_at": "2026-06-30T18:00:00Z",
    "duration_min": "45",
    "distance_km": "7.5",
    "distance_km_sent": "true",
    "calories_burned": "420",
    "calories_burned_sent": "true",
    "heart_rate_avg": "150",
    "heart_rate_avg_sent": "true",
    "steps": "8000",
    "steps_sent": "true",
    "notes": "Along the river",
    "notes_sent": "true",
    "activity_id": "1",
    "after_started_at": "infinity",
    "body_fat_percentage": "18.5",
    "body_fat_percentage_sent": "true",
    "muscle_mass_kg": "32",
    "muscle_mass_kg_sent": "true",
    "measured_at": "2026-06-30T07:00:00Z",
    "weight_id": "1",
    "after_measured_at": "infinity",
    "goal_type": "steps",
    "target_value": "70000",
    "period": "weekly",
    "starts_on": "2026-06-01",
    "ends_on": "2026-12-31",
    "ends_on_sent": "true",
    "goal_id": "1",
    "active": "true",
}

# Values for one file only: both of these store an idempotency key, so they need different ones.
FILE_VALUES: dict[str, dict[str, str]] = {
    "idempotency/store_response": {"idempotency_key": "psql-key-2"},
    "billing/apply_subscription_event": {"status": "on_trial"},
    "notifications/create_notification": {"kind": "subscription_changed"},
}

ALL_FILES = sorted(SQL_ROOT.glob("*/*.sql"))


# Folders whose rows the files of other folders refer to (a food log to its recipe).
_REFERRED = ("recipes",)


def _order(path) -> tuple[bool, str, bool, str, str]:
    # Create the user and its session first, then what others refer to, and delete things last,
    # so the files in between find rows.
    name, folder = path.stem, path.parent.name
    first = {"create_user": "0", "start_session": "1"}
    return (name.startswith(("delete", "end_", "revoke")), first.get(name, "2"),
            folder not in _REFERRED, folder, name)


async def test_every_declared_query_prepares_with_its_row_shape(database_url):
    queries = load_queries()
    assert {q.path for q in queries.values()} == set(ALL_FILES)
    conn = await asyncpg.connect(database_url)
    try:
        await verify_queries(conn, queries.values())
    finally:
        await conn.close()


def test_every_sql_file_runs_verbatim_in_psql(database_url):
    psql = str(pg_bin_dir() / "psql")
    missing = {
        name for path in ALL_FILES for name in parse(path.read_text(), origin=str(path))[1]
    } - set(SAMPLE_VALUES)
    assert not missing, f"add psql sample values for {sorted(missing)}"
    for path in sorted(ALL_FILES, key=_order):
        _, names = parse(path.read_text(), origin=str(path))
        args = [psql, database_url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path)]
        for name in names:
            value = FILE_VALUES.get(f"{path.parent.name}/{path.stem}", {}).get(name)
            args[1:1] = ["-v", f"{name}={value or SAMPLE_VALUES[name]}"]
        result = subprocess.run(args, capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{path}: {result.stderr}"


def test_psql_form_and_asyncpg_form_return_the_same_rows(database_url):
    """The rewritten $n statement and the psql file agree on a real row."""
    psql = str(pg_bin_dir() / "psql")
    base = [psql, database_url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    user = subprocess.run(
        [*base, "-v", "email=same@example.com", "-v", "name=Same", "-v", "attempt_id=0",
         "-v", f"password_hash={SAMPLE_VALUES['password_hash']}",
         "-f", str(SQL_ROOT / "accounts/create_user.sql")],
        capture_output=True, text=True, check=True,
    ).stdout.split("|")[0]
    session = subprocess.run(
        [*base, "-v", f"user_id={user}", "-v", "token_hash=\\x" + "01" * 32, "-v",
         "user_agent=psql", "-v", "ttl_seconds=60",
         "-f", str(SQL_ROOT / "accounts/start_session.sql")],
        capture_output=True, text=True, check=True,
    ).stdout.split("|")[0]
    shown = subprocess.run(
        [*base, "-v", f"user_id={user}", "-v", f"session_id={session}",
         "-f", str(SQL_ROOT / "accounts/get_user.sql")],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert shown.split("|")[:3] == [user, "same@example.com", "Same"]


# The statements that read or write a user's rows for no access token: for a client before it has
# a session (sign-ins), for a refresh token, or for the service itself (a notification another
# domain's write causes, the billing webhook's lock on the subscriber).
_NOT_FOR_AN_ACCESS_TOKEN = {"accounts/start_session", "accounts/refresh_session", "accounts/record_login",
                            "notifications/create_notification", "billing/lock_subscriber"}
SESSION_CHECK = ("EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' "
                 "AND ses.id = :'session_id')")


def test_every_statement_for_an_access_token_checks_its_session():
    """A statement that checks that the caller's account is active (itself, or through the
    user_context view) also checks that the token's
    session has not ended (logout, logout-all, a password change, a reused refresh token): a
    statement added without it would let a revoked access token through."""
    unchecked = [
        f"{path.parent.name}/{path.stem}" for path in ALL_FILES
        if ("is_active" in (text := path.read_text()) or "user_context" in text)
        and ":'user_id'" in text
        and SESSION_CHECK not in text
        and f"{path.parent.name}/{path.stem}" not in _NOT_FOR_AN_ACCESS_TOKEN
    ]
    assert not unchecked, f"these statements do not check the session: {unchecked}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT :'a', :'b', :'a'", ("SELECT $1, $2, $1", ("a", "b"))),
        ("SELECT :'doc'::jsonb", ("SELECT $1::jsonb", ("doc",))),
        ("-- :'not' a param\nSELECT 1;", ("-- :'not' a param\nSELECT 1", ())),
        ("SELECT ':''x''' || :'y'", ("SELECT ':''x''' || $1", ("y",))),
        ("SELECT $$ :'z' $$, :'z2'", ("SELECT $$ :'z' $$, $1", ("z2",))),
        ("SELECT a::text FROM t WHERE b = :'b'", ("SELECT a::text FROM t WHERE b = $1", ("b",))),
        ("SELECT ';' FROM t;", ("SELECT ';' FROM t", ())),
    ],
)
def test_parser_rewrites_only_real_parameters(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SELECT :a", "use :'name'"),
        ('SELECT :"a"', "use :'name'"),
        ("SELECT 1; SELECT 2", "one statement"),
        ("-- nothing\n", "no statement"),
    ],
)
def test_parser_rejects_what_psql_would_read_differently(text, problem):
    from app.db.queries import QueryError

    with pytest.raises(QueryError, match=problem):
        parse(text)


def test_declared_parameters_must_match_the_file(tmp_path):
    from app.db.queries import Query, QueryError

    path = tmp_path / "q.sql"
    path.write_text("SELECT :'a', :'b'")
    with pytest.raises(QueryError, match="never passes"):
        Query("t/q", ("a",), None).bind(path.read_text(), path)
    with pytest.raises(QueryError, match="never uses"):
        Query("t/q", ("a", "b", "c"), None).bind(path.read_text(), path)
    query = Query("t/q", ("b", "a"), None)
    query.bind(path.read_text(), path)
    assert query.args({"a": 1, "b": 2}) == [1, 2]
    with pytest.raises(TypeError):
        query.args({"a": 1})


async def test_a_row_struct_that_does_not_match_the_columns_fails_at_startup(database_url, tmp_path):
    import msgspec

    from app.db.queries import Query, QueryError

    class Wrong(msgspec.Struct):
        id: int
        name: str

    path = tmp_path / "q.sql"
    path.write_text("SELECT id, email FROM users WHERE id = :'user_id'")
    query = Query("t/q", ("user_id",), Wrong)
    query.bind(path.read_text(), path)
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(QueryError, match="returns columns"):
            await verify_queries(conn, [query])
    finally:
        await conn.close()


async def test_a_statement_that_checks_a_session_gets_it_from_the_repository(database_url,
                                                                            tmp_path):
    from app.db.queries import Query
    from app.db.repository import Repository

    path = tmp_path / "q.sql"
    path.write_text("SELECT :'user_id'::bigint * 10 + :'session_id'::bigint")
    query = Query("t/q", ("user_id",), None)
    query.bind(path.read_text(), path)
    assert query.for_caller
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(TypeError, match="session"):
            await Repository(conn).value(query, user_id=4)
        assert await Repository(conn).acting_for(2).value(query, user_id=4) == 42
        assert await Repository(conn).acting_for(2).on(conn).value(query, user_id=4) == 42
        assert await Repository(conn).value(query, user_id=4, session_id=3) == 43
    finally:
        await conn.close()
