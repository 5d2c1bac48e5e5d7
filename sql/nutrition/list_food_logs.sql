-- list_food_logs: a page of an active user's food logs, newest first (by local date, then eaten_at:
-- the order they were eaten, except that a user who changed zones keeps each day's meals
-- together), strictly after the keyset position (after_local_date, after_eaten_at, after_id; the
-- first page passes 'infinity', 'infinity' and 0), of local dates from_date..to_date (inclusive;
-- NULL: unbounded); list_food_logs_by_meal lists one meal_type. No row when the user is gone or
-- deactivated, one row of NULLs when the page is empty. The outer ORDER BY sorts only the page's
-- rows. Served by users_pkey (id) and food_logs_user_local_date_idx (user_id, local_date DESC,
-- eaten_at DESC, id DESC): the range and the keyset position are where its walk starts and stops.
SELECT f.id, f.meal_type, f.eaten_at, f.local_date, f.time_zone, f.source, f.recipe_id,
       f.image_url, f.confidence_score, f.detected_items, f.user_corrections, f.items,
       f.total_calories, f.total_protein, f.total_carbs, f.total_fat, f.total_fiber,
       f.created_at, f.updated_at, f.version
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.meal_type, p.eaten_at, p.local_date, p.time_zone, p.source, p.recipe_id,
           p.image_url, p.confidence_score, p.detected_items, p.user_corrections, p.items,
           p.total_calories::float8 AS total_calories, p.total_protein::float8 AS total_protein,
           p.total_carbs::float8 AS total_carbs, p.total_fat::float8 AS total_fat,
           p.total_fiber::float8 AS total_fiber, p.created_at, p.updated_at, p.version
    FROM food_logs AS p
    WHERE p.user_id = :'user_id'
      AND (p.local_date, p.eaten_at, p.id)
          < (:'after_local_date'::date, :'after_eaten_at'::timestamptz, :'after_id'::bigint)
      AND p.local_date >= coalesce(:'from_date'::date, '-infinity'::date)
      AND p.local_date <= coalesce(:'to_date'::date, 'infinity'::date)
    ORDER BY p.local_date DESC, p.eaten_at DESC, p.id DESC
    LIMIT :'limit'
) AS f ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY f.local_date DESC, f.eaten_at DESC, f.id DESC;
