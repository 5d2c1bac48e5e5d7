-- 0042_goals: goals (the seed's goals): a weight to reach once, or a daily, weekly or monthly
-- amount to stay under (calories) or to reach (protein, water, active minutes, steps, meals).
-- Their current value and progress are never stored: the statements that read goals compute them
-- from the entries' per-day rows (daily_nutrition) and the weigh-ins. A once goal's completion is
-- stored, by a trigger on weigh-ins, in the transaction of the write that reaches it.
-- depends: 0041_weights

CREATE TABLE goals (
    user_id      bigint       NOT NULL,
    id           bigint       GENERATED ALWAYS AS IDENTITY,
    goal_type    text         NOT NULL,
    target_value numeric(9,1) NOT NULL,
    period       text         NOT NULL,
    starts_on    date         NOT NULL,
    ends_on      date,
    -- A weight goal's weight when it was set: the latest weigh-in, else the profile's weight.
    start_value  numeric(4,1),
    -- Which way a weight goal goes from its start.
    direction    text         GENERATED ALWAYS AS (
        CASE WHEN goal_type = 'weight_kg' THEN
            CASE WHEN target_value < start_value THEN 'down' ELSE 'up' END
        END
    ) STORED,
    is_completed boolean      NOT NULL DEFAULT false,
    completed_at timestamptz,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    updated_at   timestamptz  NOT NULL DEFAULT now(),
    version      bigint       NOT NULL DEFAULT 1,
    CONSTRAINT goals_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT goals_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT goals_goal_type_valid CHECK (goal_type IN (
        'weight_kg', 'calories_max', 'protein_min_g', 'water_min_ml', 'active_minutes', 'steps',
        'meals_logged'
    )),
    CONSTRAINT goals_period_valid CHECK (period IN ('daily', 'weekly', 'monthly', 'once')),
    -- A weight is reached once; every other goal is an amount per period.
    CONSTRAINT goals_period_fits_type CHECK ((goal_type = 'weight_kg') = (period = 'once')),
    CONSTRAINT goals_target_range CHECK (CASE goal_type
        WHEN 'weight_kg' THEN target_value BETWEEN 25 AND 400
        WHEN 'calories_max' THEN target_value BETWEEN 500 AND 10000
        ELSE target_value BETWEEN 1 AND 10000000 END),
    CONSTRAINT goals_weight_start CHECK ((goal_type = 'weight_kg') = (start_value IS NOT NULL)),
    CONSTRAINT goals_weight_moves CHECK (target_value <> start_value),
    CONSTRAINT goals_dates_ordered CHECK (ends_on >= starts_on),
    CONSTRAINT goals_completion CHECK (
        is_completed = (completed_at IS NOT NULL) AND (period = 'once' OR NOT is_completed)
    )
);

CREATE TRIGGER goals_touch_row BEFORE UPDATE ON goals
    FOR EACH ROW EXECUTE FUNCTION touch_row();

-- A weigh-in written or changed completes each open weight goal it reaches (at or below a target
-- below the start, at or above one above it) on a local date within the goal's dates, with the
-- weigh-in's time as completed_at, in the write's transaction. A goal stays completed whatever
-- comes later. Of concurrent weigh-ins that reach a goal, the one that commits first completes
-- it: the other waits for the goal's row lock, then finds it completed (the UPDATE checks NOT
-- is_completed again on the row it waited for) and leaves it.
CREATE FUNCTION weight_logs_complete_goals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE goals AS g
    SET is_completed = true,
        completed_at = NEW.measured_at
    WHERE g.user_id = NEW.user_id
      AND g.period = 'once'
      AND NOT g.is_completed
      AND NEW.local_date >= g.starts_on
      AND (g.ends_on IS NULL OR NEW.local_date <= g.ends_on)
      AND CASE g.direction WHEN 'down' THEN NEW.weight_kg <= g.target_value
                           ELSE NEW.weight_kg >= g.target_value END;
    RETURN NULL;
END;
$$;

CREATE TRIGGER weight_logs_complete_goals
    AFTER INSERT OR UPDATE OF weight_kg, measured_at ON weight_logs
    FOR EACH ROW EXECUTE FUNCTION weight_logs_complete_goals();

GRANT SELECT, INSERT, UPDATE, DELETE ON goals TO pgapi_service;
