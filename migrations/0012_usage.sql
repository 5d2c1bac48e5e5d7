-- 0012_usage: daily quotas (the seed's usage_tracking): how many units of each metered kind a user
-- has reserved on each local date. A reservation is one statement that checks the limit and adds
-- one (INSERT ... ON CONFLICT ... DO UPDATE ... WHERE used < limit), so concurrent reservations
-- never pass the limit together; the limits per subscription tier come from the service's
-- settings, not from this table.
-- depends: 0011_nutrition

CREATE TABLE usage_counters (
    user_id    bigint      NOT NULL,
    local_date date        NOT NULL,
    kind       text        NOT NULL,
    used       integer     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- reserve_usage, release_usage, get_usage (a user's kinds today).
    CONSTRAINT usage_counters_pkey PRIMARY KEY (user_id, local_date, kind),
    CONSTRAINT usage_counters_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
        ON DELETE CASCADE,
    CONSTRAINT usage_counters_kind_valid CHECK (
        kind IN ('vision_analyses', 'recipe_generations', 'coach_messages')
    ),
    CONSTRAINT usage_counters_used_not_negative CHECK (used >= 0)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON usage_counters TO pgapi_service;
