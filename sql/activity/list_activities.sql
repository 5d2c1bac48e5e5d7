-- list_activities: a page of an active user's activities, newest first (by local date, then
-- started_at, as list_food_logs), strictly after the keyset position (after_local_date,
-- after_started_at, after_id; the first page passes 'infinity', 'infinity' and 0), of local dates
-- from_date..to_date (inclusive; NULL: unbounded); list_activities_by_type lists one
-- activity_type. No row when the user is gone or deactivated, one row of NULLs when the page is
-- empty. The outer ORDER BY sorts only the page's rows. Served by users_pkey (id) and
-- activity_logs_user_local_date_idx (user_id, local_date DESC, started_at DESC, id DESC): the
-- range and the keyset position are where its walk starts and stops.
SELECT a.id, a.activity_type, a.intensity, a.started_at, a.local_date, a.time_zone,
       a.duration_min, a.distance_km, a.calories_burned, a.calories_source, a.heart_rate_avg,
       a.steps, a.notes, a.created_at, a.updated_at, a.version
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.activity_type, p.intensity, p.started_at, p.local_date, p.time_zone,
           p.duration_min, p.distance_km::float8 AS distance_km, p.calories_burned,
           p.calories_source, p.heart_rate_avg, p.steps, p.notes, p.created_at, p.updated_at,
           p.version
    FROM activity_logs AS p
    WHERE p.user_id = :'user_id'
      AND (p.local_date, p.started_at, p.id)
          < (:'after_local_date'::date, :'after_started_at'::timestamptz, :'after_id'::bigint)
      AND p.local_date >= coalesce(:'from_date'::date, '-infinity'::date)
      AND p.local_date <= coalesce(:'to_date'::date, 'infinity'::date)
    ORDER BY p.local_date DESC, p.started_at DESC, p.id DESC
    LIMIT :'limit'
) AS a ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY a.local_date DESC, a.started_at DESC, a.id DESC;
