-- 0007_service_role: pgapi_service, the group role the service's login role belongs to. It owns
-- nothing and may only use the service's rows: SELECT, INSERT, UPDATE and DELETE on its tables,
-- SELECT on its view. No TRUNCATE, no DDL, no CREATE in the schema, nothing on yoyo's tables; the
-- identity columns need no grant on their sequences. Grants are explicit, table by table: every
-- later migration that creates a table or view grants it here too (tests/db/test_privileges.py
-- fails on one that does not), so nothing is granted by accident (ALTER DEFAULT PRIVILEGES would
-- also cover a table yoyo or a tool creates).
-- Roles belong to the whole cluster: the role may exist already, made by an administrator or by
-- this migration in another database of the cluster; then it is used as it is, and the migrating
-- role needs no CREATEROLE.
-- depends: 0003_recipes 0004_chat 0005_essays 0006_idempotency

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgapi_service') THEN
        CREATE ROLE pgapi_service NOLOGIN;
    END IF;
EXCEPTION
    -- Another database of the cluster created it at the same moment.
    WHEN duplicate_object OR unique_violation THEN NULL;
END;
$$;

GRANT USAGE ON SCHEMA public TO pgapi_service;

GRANT SELECT, INSERT, UPDATE, DELETE
    ON users, tasks, recipes, tags, recipe_tags, favorite_recipes, recipe_history, conversations,
       messages, batches, essays, idempotency_keys
    TO pgapi_service;

GRANT SELECT ON recipe_details TO pgapi_service;
