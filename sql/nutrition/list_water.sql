-- list_water: a page of an active user's water entries, newest first (by local date, then
-- drunk_at, as list_food_logs), strictly after the keyset position (after_local_date,
-- after_drunk_at, after_id; the first page passes 'infinity', 'infinity' and 0), of local dates
-- from_date..to_date (inclusive; NULL: unbounded). No row when the user is gone or deactivated,
-- one row of NULLs when the page is empty. Served by users_pkey (id) and
-- water_logs_user_local_date_idx (user_id, local_date DESC, drunk_at DESC, id DESC).
SELECT w.id, w.ml, w.drunk_at, w.local_date, w.time_zone, w.created_at
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.ml, p.drunk_at, p.local_date, p.time_zone, p.created_at
    FROM water_logs AS p
    WHERE p.user_id = :'user_id'
      AND (p.local_date, p.drunk_at, p.id)
          < (:'after_local_date'::date, :'after_drunk_at'::timestamptz, :'after_id'::bigint)
      AND p.local_date >= coalesce(:'from_date'::date, '-infinity'::date)
      AND p.local_date <= coalesce(:'to_date'::date, 'infinity'::date)
    ORDER BY p.local_date DESC, p.drunk_at DESC, p.id DESC
    LIMIT :'limit'
) AS w ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY w.local_date DESC, w.drunk_at DESC, w.id DESC;
