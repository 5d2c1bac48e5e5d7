-- list_weights: a page of an active user's weigh-ins, newest first (by local date, then
-- measured_at, as list_food_logs), strictly after the keyset position (after_local_date,
-- after_measured_at, after_id; the first page passes 'infinity', 'infinity' and 0), of local
-- dates from_date..to_date (inclusive; NULL: unbounded). No row when the user is gone or
-- deactivated, one row of NULLs when the page is empty. The outer ORDER BY sorts only the page's
-- rows. Served by users_pkey (id) and weight_logs_user_local_date_idx (user_id, local_date DESC,
-- measured_at DESC, id DESC): the range and the keyset position are where its walk starts and
-- stops.
SELECT w.id, w.weight_kg, w.body_fat_percentage, w.muscle_mass_kg, w.measured_at, w.local_date,
       w.time_zone, w.notes, w.created_at, w.updated_at, w.version
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.weight_kg::float8 AS weight_kg,
           p.body_fat_percentage::float8 AS body_fat_percentage,
           p.muscle_mass_kg::float8 AS muscle_mass_kg, p.measured_at, p.local_date, p.time_zone,
           p.notes, p.created_at, p.updated_at, p.version
    FROM weight_logs AS p
    WHERE p.user_id = :'user_id'
      AND (p.local_date, p.measured_at, p.id)
          < (:'after_local_date'::date, :'after_measured_at'::timestamptz, :'after_id'::bigint)
      AND p.local_date >= coalesce(:'from_date'::date, '-infinity'::date)
      AND p.local_date <= coalesce(:'to_date'::date, 'infinity'::date)
    ORDER BY p.local_date DESC, p.measured_at DESC, p.id DESC
    LIMIT :'limit'
) AS w ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY w.local_date DESC, w.measured_at DESC, w.id DESC;
