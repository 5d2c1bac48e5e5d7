-- get_day: one local date of an active user: its totals (zeros without entries) and targets (as
-- get_days), and its food logs, water entries and activities, each as a JSON array in the order
-- they were eaten, drunk or started, in one statement. No row when the user is gone or
-- deactivated. Served by user_context (users_pkey, profiles_pkey), daily_nutrition_pkey (user_id,
-- date), food_logs_user_local_date_idx, water_logs_user_local_date_idx and
-- activity_logs_user_local_date_idx (user_id, local_date DESC, ...), backwards.
SELECT :'date'::date AS date,
       coalesce(d.calories, 0)::float8 AS calories, coalesce(d.protein_g, 0)::float8 AS protein_g,
       coalesce(d.carbs_g, 0)::float8 AS carbs_g, coalesce(d.fat_g, 0)::float8 AS fat_g,
       coalesce(d.fiber_g, 0)::float8 AS fiber_g, coalesce(d.water_ml, 0) AS water_ml,
       coalesce(d.food_logs, 0) AS food_logs, coalesce(d.water_entries, 0) AS water_entries,
       coalesce(d.breakfast_calories, 0)::float8 AS breakfast_calories,
       coalesce(d.lunch_calories, 0)::float8 AS lunch_calories,
       coalesce(d.dinner_calories, 0)::float8 AS dinner_calories,
       coalesce(d.snack_calories, 0)::float8 AS snack_calories,
       coalesce(d.calories_burned, 0) AS calories_burned,
       coalesce(d.active_minutes, 0) AS active_minutes, coalesce(d.steps, 0) AS steps,
       coalesce(d.activities, 0) AS activities,
       (t.targets).calories AS target_calories, (t.targets).protein_g AS target_protein_g,
       (t.targets).carbs_g AS target_carbs_g, (t.targets).fat_g AS target_fat_g,
       (t.targets).water_ml AS target_water_ml,
       ((t.targets).calories - coalesce(d.calories, 0) + coalesce(d.calories_burned, 0))::float8
           AS remaining_calories,
       (SELECT coalesce(jsonb_agg(to_jsonb(f) ORDER BY f.eaten_at, f.id), '[]'::jsonb)
        FROM (SELECT f.id, f.meal_type, f.eaten_at, f.local_date, f.time_zone, f.source,
                     f.recipe_id, f.image_url, f.confidence_score, f.detected_items,
                     f.user_corrections, f.items, f.total_calories, f.total_protein,
                     f.total_carbs, f.total_fat, f.total_fiber, f.created_at, f.updated_at,
                     f.version
              FROM food_logs AS f
              WHERE f.user_id = me.user_id
                AND f.local_date = :'date'::date) AS f) AS logs,
       (SELECT coalesce(jsonb_agg(to_jsonb(w) ORDER BY w.drunk_at, w.id), '[]'::jsonb)
        FROM (SELECT w.id, w.ml, w.drunk_at, w.local_date, w.time_zone, w.created_at
              FROM water_logs AS w
              WHERE w.user_id = me.user_id
                AND w.local_date = :'date'::date) AS w) AS water,
       (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.started_at, a.id), '[]'::jsonb)
        FROM (SELECT a.id, a.activity_type, a.intensity, a.started_at, a.local_date,
                     a.time_zone, a.duration_min, a.distance_km, a.calories_burned,
                     a.calories_source, a.heart_rate_avg, a.steps, a.notes, a.created_at,
                     a.updated_at, a.version
              FROM activity_logs AS a
              WHERE a.user_id = me.user_id
                AND a.local_date = :'date'::date) AS a) AS activity_list
FROM user_context AS me
LEFT JOIN daily_nutrition AS d ON d.user_id = me.user_id AND d.date = :'date'::date
CROSS JOIN LATERAL (
    SELECT CASE WHEN d.food_logs + d.water_entries > 0 THEN d.targets ELSE me.targets END
               AS targets
) AS t
WHERE me.user_id = :'user_id'
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
