-- Take back what 0007 granted in this database. The role itself is dropped only when no database
-- of the cluster grants it anything any more (pg_shdepend lists those grants for every database):
-- other databases may still use it.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgapi_service') THEN
        REVOKE ALL
            ON users, tasks, recipes, tags, recipe_tags, favorite_recipes, recipe_history,
               conversations, messages, batches, essays, idempotency_keys, recipe_details
            FROM pgapi_service;
        REVOKE ALL ON SCHEMA public FROM pgapi_service;
        IF NOT EXISTS (
            SELECT 1
            FROM pg_shdepend
            WHERE refclassid = 'pg_authid'::regclass
              AND refobjid = 'pgapi_service'::regrole
        ) THEN
            DROP ROLE pgapi_service;
        END IF;
    END IF;
END;
$$;
