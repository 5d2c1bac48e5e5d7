-- get_weight: one weigh-in of an active user, or no row.
-- Served by weight_logs_pkey (user_id, id) and users_pkey (id).
SELECT w.id, w.weight_kg::float8 AS weight_kg, w.body_fat_percentage::float8 AS body_fat_percentage,
       w.muscle_mass_kg::float8 AS muscle_mass_kg, w.measured_at, w.local_date, w.time_zone,
       w.notes, w.created_at, w.updated_at, w.version
FROM weight_logs AS w
JOIN users AS u ON u.id = w.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE w.user_id = :'user_id'
  AND w.id = :'weight_id';
