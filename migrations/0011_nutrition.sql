-- 0011_nutrition: the food diary (the seed's food_logs), water, and one row of totals per user and
-- local date (the seed's daily_nutrition), which every write of a food log or water entry moves in
-- the same statement.
-- depends: 0010_profiles

-- A meal: when it was eaten (eaten_at) and, computed once when it is written, the date that was in
-- the user's time zone then (local_date, with the zone it was computed in): it never moves when
-- the user later changes zone. Its items are a JSON array of {name, grams, calories, protein_g,
-- carbs_g, fat_g, fiber_g} (numbers are jsonb numerics, so exact), and its totals are summed from
-- them in SQL by the statement that writes them.
CREATE TABLE food_logs (
    user_id          bigint           NOT NULL,
    id               bigint           GENERATED ALWAYS AS IDENTITY,
    meal_type        text             NOT NULL,
    eaten_at         timestamptz      NOT NULL,
    local_date       date             NOT NULL,
    time_zone        text             NOT NULL,
    source           text             NOT NULL DEFAULT 'manual',
    recipe_id        bigint,
    image_url        text,
    confidence_score double precision,
    detected_items   jsonb,
    user_corrections jsonb,
    items            jsonb            NOT NULL,
    total_calories   numeric(10,2)    NOT NULL,
    total_protein    numeric(10,2)    NOT NULL,
    total_carbs      numeric(10,2)    NOT NULL,
    total_fat        numeric(10,2)    NOT NULL,
    total_fiber      numeric(10,2)    NOT NULL,
    created_at       timestamptz      NOT NULL DEFAULT now(),
    updated_at       timestamptz      NOT NULL DEFAULT now(),
    version          bigint           NOT NULL DEFAULT 1,
    CONSTRAINT food_logs_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT food_logs_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    -- A log keeps its meal when the recipe it came from is deleted.
    CONSTRAINT food_logs_recipe_fkey FOREIGN KEY (user_id, recipe_id)
        REFERENCES recipes (user_id, id) ON DELETE SET NULL (recipe_id),
    CONSTRAINT food_logs_meal_type_valid CHECK (
        meal_type IN ('breakfast', 'lunch', 'dinner', 'snack')
    ),
    CONSTRAINT food_logs_source_valid CHECK (source IN ('manual', 'photo', 'barcode', 'recipe')),
    CONSTRAINT food_logs_image_url_length CHECK (char_length(image_url) BETWEEN 1 AND 2048),
    CONSTRAINT food_logs_confidence_score_range CHECK (confidence_score BETWEEN 0 AND 1),
    -- The API bounds each document at 64 KiB as compact JSON; jsonb's text form adds spaces.
    CONSTRAINT food_logs_documents_size CHECK (
        octet_length(detected_items::text) <= 262144
        AND octet_length(user_corrections::text) <= 262144
    ),
    CONSTRAINT food_logs_items_count CHECK (
        jsonb_typeof(items) = 'array' AND jsonb_array_length(items) BETWEEN 1 AND 100
    ),
    CONSTRAINT food_logs_items_shape CHECK (NOT jsonb_path_exists(items,
        '$[*] ? (@.type() != "object" || !exists(@.name) || !exists(@.calories)
                 || !exists(@.protein_g) || !exists(@.carbs_g) || !exists(@.fat_g))')),
    CONSTRAINT food_logs_items_not_negative CHECK (
        NOT jsonb_path_exists(items, '$[*].* ? (@.type() == "number" && @ < 0)')
    ),
    CONSTRAINT food_logs_totals_not_negative CHECK (
        total_calories >= 0 AND total_protein >= 0 AND total_carbs >= 0 AND total_fat >= 0
        AND total_fiber >= 0
    )
);

-- list_food_logs: newest first by local date, then eaten_at, keyset on (local_date, eaten_at,
-- id), a from/to range of local dates bounding the walk; get_day: one local date's logs, in the
-- order they were eaten (the same index backwards). The order is that of eaten_at, except that a
-- user who changed zones keeps each day's meals together.
CREATE INDEX food_logs_user_local_date_idx
    ON food_logs (user_id, local_date DESC, eaten_at DESC, id DESC);
-- list_food_logs_by_meal: the same order, of one meal_type.
CREATE INDEX food_logs_user_meal_local_date_idx
    ON food_logs (user_id, meal_type, local_date DESC, eaten_at DESC, id DESC);

CREATE TRIGGER food_logs_touch_row BEFORE UPDATE ON food_logs
    FOR EACH ROW EXECUTE FUNCTION touch_row();

-- A glass of water, dated like a meal.
CREATE TABLE water_logs (
    user_id    bigint      NOT NULL,
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    ml         integer     NOT NULL,
    drunk_at   timestamptz NOT NULL,
    local_date date        NOT NULL,
    time_zone  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT water_logs_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT water_logs_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT water_logs_ml_range CHECK (ml BETWEEN 1 AND 5000)
);

-- list_water and get_day, as food_logs_user_local_date_idx.
CREATE INDEX water_logs_user_local_date_idx
    ON water_logs (user_id, local_date DESC, drunk_at DESC, id DESC);

-- A day's targets: the profile's targets and water target as they were when its first entry was
-- written.
CREATE TYPE day_targets AS (
    calories  integer,
    protein_g integer,
    carbs_g   integer,
    fat_g     integer,
    water_ml  integer
);

-- One row per user and local date that ever had an entry: the sums of its food logs (in total and
-- per meal) and water, how many of each, and the targets of the user's profile as they were when
-- the day's first entry was written (NULL without a profile). Every statement that writes a food
-- log or a water entry adds its change here in the same statement (INSERT ... ON CONFLICT DO
-- UPDATE adding to the locked row, so concurrent writers add up), so a day always equals the sum
-- of its entries; tests/nutrition/test_daily_totals.py checks that after random sequences of
-- writes. A day whose entries are all deleted keeps its row, with zeros; its next entry takes the
-- targets again. Later domains add their own per-day columns (activity: calories burned, active
-- minutes) with their own writers, in the same way.
CREATE TABLE daily_nutrition (
    user_id            bigint        NOT NULL,
    date               date          NOT NULL,
    calories           numeric(12,2) NOT NULL DEFAULT 0,
    protein_g          numeric(12,2) NOT NULL DEFAULT 0,
    carbs_g            numeric(12,2) NOT NULL DEFAULT 0,
    fat_g              numeric(12,2) NOT NULL DEFAULT 0,
    fiber_g            numeric(12,2) NOT NULL DEFAULT 0,
    breakfast_calories numeric(12,2) NOT NULL DEFAULT 0,
    lunch_calories     numeric(12,2) NOT NULL DEFAULT 0,
    dinner_calories    numeric(12,2) NOT NULL DEFAULT 0,
    snack_calories     numeric(12,2) NOT NULL DEFAULT 0,
    food_logs          integer       NOT NULL DEFAULT 0,
    water_ml           integer       NOT NULL DEFAULT 0,
    water_entries      integer       NOT NULL DEFAULT 0,
    targets            day_targets,
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    -- get_days (a range of dates), get_day, and every writer's upsert.
    CONSTRAINT daily_nutrition_pkey PRIMARY KEY (user_id, date),
    CONSTRAINT daily_nutrition_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
        ON DELETE CASCADE,
    CONSTRAINT daily_nutrition_not_negative CHECK (
        calories >= 0 AND protein_g >= 0 AND carbs_g >= 0 AND fat_g >= 0 AND fiber_g >= 0
        AND breakfast_calories >= 0 AND lunch_calories >= 0 AND dinner_calories >= 0
        AND snack_calories >= 0 AND food_logs >= 0 AND water_ml >= 0 AND water_entries >= 0
    )
);

-- Each active user's context for dating entries and starting days: their time zone (UTC without a
-- profile), their local today and when their next local day starts, their daily targets as a day
-- takes them (NULL without a profile), and their subscription tier. Every statement that writes
-- an entry, reads days or meters a quota starts from it (WHERE user_id = ...): no row means the
-- account is gone or deactivated.
CREATE VIEW user_context AS
SELECT u.id AS user_id, z.time_zone, (now() AT TIME ZONE z.time_zone)::date AS today,
       ((now() AT TIME ZONE z.time_zone)::date + 1)::timestamp AT TIME ZONE z.time_zone
           AS tomorrow_starts_at,
       CASE WHEN p.user_id IS NOT NULL THEN
           ROW(p.target_calories, p.target_protein_g, p.target_carbs_g, p.target_fat_g,
               p.water_target_ml)::day_targets
       END AS targets,
       u.subscription_tier
FROM users AS u
LEFT JOIN profiles AS p ON p.user_id = u.id
CROSS JOIN LATERAL (SELECT coalesce(p.time_zone, 'UTC') AS time_zone) AS z
WHERE u.is_active;

GRANT SELECT, INSERT, UPDATE, DELETE ON food_logs, water_logs, daily_nutrition TO pgapi_service;
GRANT SELECT ON user_context TO pgapi_service;
