-- list_water: a page of an active user's water entries, newest first, strictly after the keyset
-- position (after_drunk_at, after_id; the first page passes 'infinity' and 0), of local dates
-- from..to (inclusive; NULL: unbounded), bounded in drunk_at as list_food_logs is in eaten_at.
-- No row when the user is gone or deactivated, one row of NULLs when the page is empty. Served
-- by users_pkey (id) and water_logs_user_drunk_idx (user_id, drunk_at DESC, id DESC).
SELECT w.id, w.ml, w.drunk_at, w.local_date, w.time_zone, w.created_at
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.ml, p.drunk_at, p.local_date, p.time_zone, p.created_at
    FROM water_logs AS p
    WHERE p.user_id = :'user_id'
      AND (p.drunk_at, p.id) < (:'after_drunk_at'::timestamptz, :'after_id'::bigint)
      AND p.drunk_at > coalesce((:'from_date'::date - 1)::timestamp AT TIME ZONE 'UTC',
                                '-infinity'::timestamptz)
      AND p.drunk_at < coalesce((:'to_date'::date + 2)::timestamp AT TIME ZONE 'UTC',
                                'infinity'::timestamptz)
      AND (:'from_date'::date IS NULL OR p.local_date >= :'from_date'::date)
      AND (:'to_date'::date IS NULL OR p.local_date <= :'to_date'::date)
    ORDER BY p.drunk_at DESC, p.id DESC
    LIMIT :'limit'
) AS w ON true
WHERE u.id = :'user_id'
  AND u.is_active
ORDER BY w.drunk_at DESC, w.id DESC;
