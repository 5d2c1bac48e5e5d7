"""What distributing by ``user_id`` (Citus) needs, checked statically on the migrated schema and
the SQL files: every user-owned table's keys, unique constraints, indexes and foreign keys lead
with ``user_id``, and every statement of the API filters on it. The schema was built this way;
these tests keep it so (README: Running in production, the road past one primary)."""

from __future__ import annotations

import re

import psycopg
import pytest

from app.modules import MODULES, load_queries

# Tables without user_id, and what they would be on Citus.
NOT_USER_OWNED = {
    "users": "distributed by id, co-located with the user_id tables (its unique email needs a "
             "lookup table of its own there: Citus enforces only keys that hold the "
             "distribution column)",
    "tags": "a reference table (tag names are shared by every user)",
    "time_zones": "a reference table (the zone names PostgreSQL knows)",
    "activity_mets": "a reference table (the Compendium's MET values)",
    "login_failures": "a reference or local table (counts emails no account has)",
    "achievements": "a reference table (the catalogue a migration keeps)",
    "engagement_sources": "a reference table (what each kind of entry earns)",
}
# Indexes of user-owned tables that lead with something else: housekeeping that walks all users
# by time (each worker, hourly), never a request.
HOUSEKEEPING_INDEXES = {"idempotency_keys_created_idx", "login_addresses_last_login_idx",
                        "sessions_expires_idx", "subscriptions_cancelled_ends_idx",
                        "billing_events_received_idx"}
# Keys of user-owned tables that lead with something else, and what they would be on Citus.
NOT_LED_BY_USER_ID = {
    "billing_events_pkey": "the payment provider's events, keyed by their body's hash before the "
                           "user is known: a local table of the coordinator (a few events per "
                           "user a month)",
    "subscriptions_ls_subscription_key": "the provider's subscription id is unique across users: "
                                         "a lookup table of its own (id -> user_id), as the "
                                         "users' email would need",
}
# Statements of the API that do not filter on the caller's user_id, and why.
NOT_FILTERED = {
    "accounts/create_user": "registration: the user does not exist yet",
    "accounts/get_login": "login finds the account by its email",
    "accounts/record_registration_attempt": "counts by client address, before any account",
    "accounts/prune_login_failures": "housekeeping across users",
    "accounts/prune_login_addresses": "housekeeping across users",
    "accounts/prune_expired_sessions": "housekeeping across users",
    "accounts/sign_in_with_google": "finds the account by its Google id or email, before a session",
    "billing/store_event": "the provider's event, stored before its user is known",
    "billing/settle_event": "the provider's event, by its hash",
    "billing/lock_subscriber": "the user named by the event, or the owner of its subscription",
    "billing/sync_user_tiers": "the users an event or the housekeeping changed, by their ids",
    "billing/lock_lapsed_users": "housekeeping across users",
    "billing/prune_billing_events": "housekeeping across users",
    "idempotency/prune_expired_keys": "housekeeping across users",
    "recipes/use_custom_plans": "SET LOCAL, no table",
    "health/ready": "no table of the service's (yoyo's list of applied migrations)",
    "health/session_settings": "no table",
    "health/replica_lag": "no table",
}

_TABLES = """
SELECT c.relname, EXISTS (SELECT FROM pg_attribute AS a
                           WHERE a.attrelid = c.oid AND a.attname = 'user_id' AND a.attnum > 0)
FROM pg_class AS c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname NOT LIKE '%yoyo%'
"""
_FIRST = "(SELECT attname FROM pg_attribute WHERE attrelid = {rel} AND attnum = {num})"
_CONSTRAINTS = f"""
SELECT con.conrelid::regclass::text, con.conname, con.contype,
       {_FIRST.format(rel="con.conrelid", num="con.conkey[1]")},
       con.confrelid::regclass::text, {_FIRST.format(rel="con.confrelid", num="con.confkey[1]")}
FROM pg_constraint AS con
WHERE con.connamespace = 'public'::regnamespace AND con.contype IN ('p', 'u', 'f', 'x')
"""
_INDEXES = f"""
SELECT c.relname, i.relname, {_FIRST.format(rel="c.oid", num="x.indkey[0]")}
FROM pg_index AS x JOIN pg_class AS c ON c.oid = x.indrelid
     JOIN pg_class AS i ON i.oid = x.indexrelid
WHERE c.relnamespace = 'public'::regnamespace
"""


@pytest.fixture
def catalog(database_url):
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(_TABLES).fetchall()
        owned = {name for name, has in tables if has}
        others = {name for name, has in tables if not has}
        yield (owned, others, conn.execute(_CONSTRAINTS).fetchall(),
               conn.execute(_INDEXES).fetchall())


def test_every_table_is_user_owned_or_named_with_its_place_on_citus(catalog):
    owned, others, _, _ = catalog
    assert owned
    assert others == set(NOT_USER_OWNED), "a table without user_id: say what it is on Citus"


def test_keys_and_unique_constraints_of_user_owned_tables_lead_with_user_id(catalog):
    owned, _, constraints, _ = catalog
    wrong = [(table, name) for table, name, kind, first, _, _ in constraints
             if table in owned and kind in "pux" and first != "user_id"]
    assert {name for _, name in wrong} == set(NOT_LED_BY_USER_ID)


def test_indexes_of_user_owned_tables_lead_with_user_id(catalog):
    owned, _, _, indexes = catalog
    wrong = {index for table, index, first in indexes if table in owned and first != "user_id"}
    assert wrong == HOUSEKEEPING_INDEXES | set(NOT_LED_BY_USER_ID)


def test_foreign_keys_join_on_user_id_or_reach_a_reference_table(catalog):
    owned, _, constraints, _ = catalog
    for table, name, kind, first, target, target_first in constraints:
        if kind != "f" or table not in owned:
            continue
        if target == "users":
            assert (first, target_first) == ("user_id", "id"), name
        elif target in owned:
            assert (first, target_first) == ("user_id", "user_id"), name  # co-located
        else:
            assert target in NOT_USER_OWNED and target != "users", name


_FILTER = re.compile(r"(?:\buser_id|\bu\.id|\bid)\s*=\s*:'user_id'|"
                     r"\buser_id\s*=\s*ANY|VALUES\s*\(\s*:'user_id'|SELECT\s+:'user_id'", re.I)


def test_every_statement_of_the_api_filters_on_user_id():
    bound = load_queries()
    queries = {q.name: bound[q.name] for m in MODULES for q in m.queries}
    assert set(NOT_FILTERED) <= set(queries), set(NOT_FILTERED) - set(queries)
    for name, query in queries.items():
        if name in NOT_FILTERED:
            continue
        assert query.path is not None
        text = query.path.read_text()
        assert "user_id" in query.params and _FILTER.search(text), (
            f"{name} does not filter on :'user_id'; if it must not, add it to NOT_FILTERED "
            "with the reason")
