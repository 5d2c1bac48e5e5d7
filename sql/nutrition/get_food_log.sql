-- get_food_log: one food log of an active user, or no row.
-- Served by food_logs_pkey (user_id, id) and users_pkey (id).
SELECT f.id, f.meal_type, f.eaten_at, f.local_date, f.time_zone, f.source, f.recipe_id,
       f.image_url, f.confidence_score, f.detected_items, f.user_corrections, f.items,
       f.total_calories::float8 AS total_calories, f.total_protein::float8 AS total_protein,
       f.total_carbs::float8 AS total_carbs, f.total_fat::float8 AS total_fat,
       f.total_fiber::float8 AS total_fiber, f.created_at, f.updated_at, f.version
FROM food_logs AS f
JOIN users AS u ON u.id = f.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE f.user_id = :'user_id'
  AND f.id = :'food_log_id';
