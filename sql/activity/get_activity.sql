-- get_activity: one activity of an active user, or no row.
-- Served by activity_logs_pkey (user_id, id) and users_pkey (id).
SELECT a.id, a.activity_type, a.intensity, a.started_at, a.local_date, a.time_zone,
       a.duration_min, a.distance_km::float8 AS distance_km, a.calories_burned,
       a.calories_source, a.heart_rate_avg, a.steps, a.notes, a.created_at, a.updated_at,
       a.version
FROM activity_logs AS a
JOIN users AS u ON u.id = a.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE a.user_id = :'user_id'
  AND a.id = :'activity_id';
