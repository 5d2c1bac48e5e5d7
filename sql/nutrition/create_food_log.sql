-- create_food_log: a new food log of an active user, and its day moved by it, in one statement. Its
-- local_date is eaten_at (default now) in the profile's time zone (UTC without a profile), computed
-- once, here; its totals are the sums of its items' numbers (jsonb numerics: exact). Its day's row
-- in daily_nutrition gains its totals, its meal's calories and one log, and takes the profile's
-- targets when the day has no entries yet (INSERT ... ON CONFLICT DO UPDATE adds to the locked row,
-- so concurrent writers add up). Returns the log, or no row when the user is gone or deactivated.
-- Served by user_context (users_pkey, profiles_pkey) and daily_nutrition_pkey.
WITH me AS (
    SELECT c.user_id, c.time_zone, c.targets FROM user_context AS c WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
written AS (
    INSERT INTO food_logs (user_id, meal_type, eaten_at, local_date, time_zone, source, recipe_id,
                           image_url, confidence_score, detected_items, user_corrections, items,
                           total_calories, total_protein, total_carbs, total_fat, total_fiber)
    SELECT me.user_id, :'meal_type'::text, e.eaten_at, (e.eaten_at AT TIME ZONE me.time_zone)::date,
           me.time_zone, :'source'::text, :'recipe_id'::bigint, :'image_url'::text,
           :'confidence_score'::float8, :'detected_items'::jsonb, :'user_corrections'::jsonb,
           :'items'::jsonb, t.calories, t.protein_g, t.carbs_g, t.fat_g, t.fiber_g
    FROM me
    CROSS JOIN (SELECT coalesce(:'eaten_at'::timestamptz, now()) AS eaten_at) AS e
    CROSS JOIN (
        SELECT sum(i.calories) AS calories, sum(i.protein_g) AS protein_g,
               sum(i.carbs_g) AS carbs_g, sum(i.fat_g) AS fat_g,
               coalesce(sum(i.fiber_g), 0) AS fiber_g
        FROM jsonb_to_recordset(:'items'::jsonb)
            AS i (calories numeric, protein_g numeric, carbs_g numeric, fat_g numeric,
                  fiber_g numeric)
    ) AS t
    RETURNING id, meal_type, eaten_at, local_date, time_zone, source, recipe_id, image_url,
              confidence_score, detected_items, user_corrections, items, total_calories,
              total_protein, total_carbs, total_fat, total_fiber, created_at, updated_at, version
),
added AS (
    INSERT INTO daily_nutrition AS d (user_id, date, calories, protein_g, carbs_g, fat_g, fiber_g,
                                      breakfast_calories, lunch_calories, dinner_calories,
                                      snack_calories, food_logs, targets)
    SELECT me.user_id, w.local_date, w.total_calories, w.total_protein, w.total_carbs,
           w.total_fat, w.total_fiber,
           CASE WHEN w.meal_type = 'breakfast' THEN w.total_calories ELSE 0 END,
           CASE WHEN w.meal_type = 'lunch' THEN w.total_calories ELSE 0 END,
           CASE WHEN w.meal_type = 'dinner' THEN w.total_calories ELSE 0 END,
           CASE WHEN w.meal_type = 'snack' THEN w.total_calories ELSE 0 END,
           1, me.targets
    FROM written AS w
    CROSS JOIN me
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
)
SELECT w.id, w.meal_type, w.eaten_at, w.local_date, w.time_zone, w.source, w.recipe_id,
       w.image_url, w.confidence_score, w.detected_items, w.user_corrections, w.items,
       w.total_calories::float8 AS total_calories, w.total_protein::float8 AS total_protein,
       w.total_carbs::float8 AS total_carbs, w.total_fat::float8 AS total_fat,
       w.total_fiber::float8 AS total_fiber, w.created_at, w.updated_at, w.version
FROM written AS w;
