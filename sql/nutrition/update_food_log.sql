-- update_food_log: change the fields of an active user's food log that were sent, and move its
-- days, in one statement. A NULL keeps the column, except that the optional fields are replaced
-- (even by NULL) when their _sent flag is true; new items replace the old ones and their totals;
-- a new eaten_at moves the log to its local date in the profile's current time zone (the old
-- date otherwise never changes). With if_match, only a log at one of those versions changes.
-- The old day loses what the log was (RETURNING old.*: the row as locked, not as first seen) and
-- the new day gains what it is, as one delta per date (the same row cannot be upserted twice in
-- one statement). Returns the log, or no row. Served by food_logs_pkey (user_id, id), user_context
-- (users_pkey, profiles_pkey) and daily_nutrition_pkey.
WITH me AS (
    SELECT c.user_id, c.time_zone, c.targets FROM user_context AS c WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
written AS (
    UPDATE food_logs AS f
    SET meal_type = coalesce(:'meal_type'::text, f.meal_type),
        eaten_at = coalesce(:'eaten_at'::timestamptz, f.eaten_at),
        local_date = coalesce((:'eaten_at'::timestamptz AT TIME ZONE me.time_zone)::date,
                              f.local_date),
        time_zone = CASE WHEN :'eaten_at'::timestamptz IS NULL THEN f.time_zone
                         ELSE me.time_zone END,
        source = coalesce(:'source'::text, f.source),
        recipe_id = CASE WHEN :'recipe_id_sent'::boolean THEN :'recipe_id'::bigint
                         ELSE f.recipe_id END,
        image_url = CASE WHEN :'image_url_sent'::boolean THEN :'image_url'::text
                         ELSE f.image_url END,
        confidence_score = CASE WHEN :'confidence_score_sent'::boolean
                                THEN :'confidence_score'::float8 ELSE f.confidence_score END,
        detected_items = CASE WHEN :'detected_items_sent'::boolean
                              THEN :'detected_items'::jsonb ELSE f.detected_items END,
        user_corrections = CASE WHEN :'user_corrections_sent'::boolean
                                THEN :'user_corrections'::jsonb ELSE f.user_corrections END,
        items = coalesce(:'items'::jsonb, f.items),
        total_calories = coalesce(t.calories, f.total_calories),
        total_protein = coalesce(t.protein_g, f.total_protein),
        total_carbs = coalesce(t.carbs_g, f.total_carbs),
        total_fat = coalesce(t.fat_g, f.total_fat),
        total_fiber = CASE WHEN :'items'::jsonb IS NULL THEN f.total_fiber
                           ELSE coalesce(t.fiber_g, 0) END
    FROM me
    CROSS JOIN (
        SELECT sum(i.calories) AS calories, sum(i.protein_g) AS protein_g,
               sum(i.carbs_g) AS carbs_g, sum(i.fat_g) AS fat_g, sum(i.fiber_g) AS fiber_g
        FROM jsonb_to_recordset(:'items'::jsonb)
            AS i (calories numeric, protein_g numeric, carbs_g numeric, fat_g numeric,
                  fiber_g numeric)
    ) AS t
    WHERE f.user_id = me.user_id
      AND f.id = :'food_log_id'
      AND (:'if_match'::bigint[] IS NULL OR f.version = ANY (:'if_match'::bigint[]))
    RETURNING f.id, f.meal_type, f.eaten_at, f.local_date, f.time_zone, f.source, f.recipe_id,
              f.image_url, f.confidence_score, f.detected_items, f.user_corrections, f.items,
              f.total_calories, f.total_protein, f.total_carbs, f.total_fat, f.total_fiber,
              f.created_at, f.updated_at, f.version, old.local_date AS old_date,
              old.meal_type AS old_meal_type, old.total_calories AS old_calories,
              old.total_protein AS old_protein, old.total_carbs AS old_carbs,
              old.total_fat AS old_fat, old.total_fiber AS old_fiber
),
moves AS (
    SELECT w.old_date AS date, w.old_meal_type AS meal_type, -w.old_calories AS calories,
           -w.old_protein AS protein_g, -w.old_carbs AS carbs_g, -w.old_fat AS fat_g,
           -w.old_fiber AS fiber_g, -1 AS food_logs
    FROM written AS w
    UNION ALL
    SELECT w.local_date, w.meal_type, w.total_calories, w.total_protein, w.total_carbs,
           w.total_fat, w.total_fiber, 1
    FROM written AS w
),
deltas AS (
    SELECT m.date, sum(m.calories) AS calories, sum(m.protein_g) AS protein_g,
           sum(m.carbs_g) AS carbs_g, sum(m.fat_g) AS fat_g, sum(m.fiber_g) AS fiber_g,
           coalesce(sum(m.calories) FILTER (WHERE m.meal_type = 'breakfast'), 0) AS breakfast,
           coalesce(sum(m.calories) FILTER (WHERE m.meal_type = 'lunch'), 0) AS lunch,
           coalesce(sum(m.calories) FILTER (WHERE m.meal_type = 'dinner'), 0) AS dinner,
           coalesce(sum(m.calories) FILTER (WHERE m.meal_type = 'snack'), 0) AS snack,
           sum(m.food_logs) AS food_logs
    FROM moves AS m
    GROUP BY m.date
),
-- A day gaining the log may have no row yet: upsert it (its numbers are all positive then: a CHECK
-- holds for the row an INSERT proposes, even when it ends as the UPDATE). The day it leaves, or
-- one it changes in place, has its row: update it.
added AS (
    INSERT INTO daily_nutrition AS d (user_id, date, calories, protein_g, carbs_g, fat_g, fiber_g,
                                      breakfast_calories, lunch_calories, dinner_calories,
                                      snack_calories, food_logs, targets)
    SELECT me.user_id, x.date, x.calories, x.protein_g, x.carbs_g, x.fat_g, x.fiber_g,
           x.breakfast, x.lunch, x.dinner, x.snack, x.food_logs, me.targets
    FROM deltas AS x
    CROSS JOIN me
    WHERE x.food_logs > 0
    ON CONFLICT (user_id, date) DO UPDATE
    SET calories = d.calories + excluded.calories,
        protein_g = d.protein_g + excluded.protein_g,
        carbs_g = d.carbs_g + excluded.carbs_g,
        fat_g = d.fat_g + excluded.fat_g,
        fiber_g = d.fiber_g + excluded.fiber_g,
        breakfast_calories = d.breakfast_calories + excluded.breakfast_calories,
        lunch_calories = d.lunch_calories + excluded.lunch_calories,
        dinner_calories = d.dinner_calories + excluded.dinner_calories,
        snack_calories = d.snack_calories + excluded.snack_calories,
        food_logs = d.food_logs + excluded.food_logs,
        targets = CASE WHEN d.food_logs + d.water_entries = 0 THEN excluded.targets
                       ELSE d.targets END,
        updated_at = now()
),
changed AS (
    UPDATE daily_nutrition AS d
    SET calories = d.calories + x.calories,
        protein_g = d.protein_g + x.protein_g,
        carbs_g = d.carbs_g + x.carbs_g,
        fat_g = d.fat_g + x.fat_g,
        fiber_g = d.fiber_g + x.fiber_g,
        breakfast_calories = d.breakfast_calories + x.breakfast,
        lunch_calories = d.lunch_calories + x.lunch,
        dinner_calories = d.dinner_calories + x.dinner,
        snack_calories = d.snack_calories + x.snack,
        food_logs = d.food_logs + x.food_logs,
        updated_at = now()
    FROM deltas AS x
    CROSS JOIN me
    WHERE d.user_id = me.user_id
      AND d.date = x.date
      AND x.food_logs <= 0
)
SELECT w.id, w.meal_type, w.eaten_at, w.local_date, w.time_zone, w.source, w.recipe_id,
       w.image_url, w.confidence_score, w.detected_items, w.user_corrections, w.items,
       w.total_calories::float8 AS total_calories, w.total_protein::float8 AS total_protein,
       w.total_carbs::float8 AS total_carbs, w.total_fat::float8 AS total_fat,
       w.total_fiber::float8 AS total_fiber, w.created_at, w.updated_at, w.version
FROM written AS w;
