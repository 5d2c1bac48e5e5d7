-- list_food_logs: a page of an active user's food logs, newest eaten first, strictly after the
-- keyset position (after_eaten_at, after_id; the first page passes 'infinity' and 0), of local
-- dates from..to (inclusive; NULL: unbounded) and of one meal_type (NULL: all). A local date is
-- that of eaten_at in some real zone, less than a day from UTC, so the dates from..to hold only
-- instants after from - 1 day and before to + 2 days (UTC): those bounds make the walk of the
-- index start and stop at the range, also on the generic plan (they are computed from the
-- parameters before the scan). No row when the user is gone or deactivated, one row of NULLs
-- when the page is empty. Served by users_pkey (id) and food_logs_user_eaten_idx (user_id,
-- eaten_at DESC, id DESC).
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
      AND (p.eaten_at, p.id) < (:'after_eaten_at'::timestamptz, :'after_id'::bigint)
      AND p.eaten_at > coalesce((:'from_date'::date - 1)::timestamp AT TIME ZONE 'UTC',
                                '-infinity'::timestamptz)
      AND p.eaten_at < coalesce((:'to_date'::date + 2)::timestamp AT TIME ZONE 'UTC',
                                'infinity'::timestamptz)
      AND (:'from_date'::date IS NULL OR p.local_date >= :'from_date'::date)
      AND (:'to_date'::date IS NULL OR p.local_date <= :'to_date'::date)
      AND (:'meal_type'::text IS NULL OR p.meal_type = :'meal_type'::text)
    ORDER BY p.eaten_at DESC, p.id DESC
    LIMIT :'limit'
) AS f ON true
WHERE u.id = :'user_id'
  AND u.is_active
ORDER BY f.eaten_at DESC, f.id DESC;
