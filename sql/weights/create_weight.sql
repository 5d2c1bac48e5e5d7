-- create_weight: a new weigh-in of an active user. Its local_date is measured_at (default now)
-- in the profile's time zone (UTC without a profile), computed once, here. The
-- weight_logs_sync_profile trigger makes the latest weigh-in the profile's weight (and its
-- targets follow) in this statement's transaction. Returns the weigh-in, or no row when the user
-- is gone or deactivated. Served by user_context (users_pkey, profiles_pkey).
INSERT INTO weight_logs (user_id, weight_kg, body_fat_percentage, muscle_mass_kg, measured_at,
                         local_date, time_zone, notes)
SELECT me.user_id, :'weight_kg'::numeric, :'body_fat_percentage'::numeric,
       :'muscle_mass_kg'::numeric, m.measured_at, (m.measured_at AT TIME ZONE me.time_zone)::date,
       me.time_zone, :'notes'::text
FROM user_context AS me
CROSS JOIN (SELECT coalesce(:'measured_at'::timestamptz, now()) AS measured_at) AS m
WHERE me.user_id = :'user_id'
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING id, weight_kg::float8 AS weight_kg, body_fat_percentage::float8 AS body_fat_percentage,
          muscle_mass_kg::float8 AS muscle_mass_kg, measured_at, local_date, time_zone, notes,
          created_at, updated_at, version;
