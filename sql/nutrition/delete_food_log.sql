-- delete_food_log: remove one food log of an active user (with if_match, only at one of those
-- versions), and take what it was off its day, in one statement (DELETE ... RETURNING gives the row
-- as locked). Returns the deleted log, or no row. Served by food_logs_pkey (user_id, id),
-- user_context (users_pkey, profiles_pkey) and daily_nutrition_pkey.
WITH me AS (
    SELECT c.user_id, c.time_zone, c.targets FROM user_context AS c WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
written AS (
    DELETE FROM food_logs AS f
    USING me
    WHERE f.user_id = me.user_id
      AND f.id = :'food_log_id'
      AND (:'if_match'::bigint[] IS NULL OR f.version = ANY (:'if_match'::bigint[]))
    RETURNING f.user_id, f.id, f.meal_type, f.eaten_at, f.local_date, f.time_zone, f.source,
              f.recipe_id, f.image_url, f.confidence_score, f.detected_items, f.user_corrections,
              f.items, f.total_calories, f.total_protein, f.total_carbs, f.total_fat,
              f.total_fiber, f.created_at, f.updated_at, f.version
),
taken AS (
    UPDATE daily_nutrition AS d
    SET calories = d.calories - w.total_calories,
        protein_g = d.protein_g - w.total_protein,
        carbs_g = d.carbs_g - w.total_carbs,
        fat_g = d.fat_g - w.total_fat,
        fiber_g = d.fiber_g - w.total_fiber,
        breakfast_calories = d.breakfast_calories
            - CASE WHEN w.meal_type = 'breakfast' THEN w.total_calories ELSE 0 END,
        lunch_calories = d.lunch_calories
            - CASE WHEN w.meal_type = 'lunch' THEN w.total_calories ELSE 0 END,
        dinner_calories = d.dinner_calories
            - CASE WHEN w.meal_type = 'dinner' THEN w.total_calories ELSE 0 END,
        snack_calories = d.snack_calories
            - CASE WHEN w.meal_type = 'snack' THEN w.total_calories ELSE 0 END,
        food_logs = d.food_logs - 1,
        updated_at = now()
    FROM written AS w
    WHERE d.user_id = w.user_id
      AND d.date = w.local_date
)
SELECT w.id, w.meal_type, w.eaten_at, w.local_date, w.time_zone, w.source, w.recipe_id,
       w.image_url, w.confidence_score, w.detected_items, w.user_corrections, w.items,
       w.total_calories::float8 AS total_calories, w.total_protein::float8 AS total_protein,
       w.total_carbs::float8 AS total_carbs, w.total_fat::float8 AS total_fat,
       w.total_fiber::float8 AS total_fiber, w.created_at, w.updated_at, w.version
FROM written AS w;
