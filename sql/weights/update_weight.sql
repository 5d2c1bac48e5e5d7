-- update_weight: change the fields of an active user's weigh-in that were sent (a NULL keeps the
-- column; the optional ones are replaced, even by NULL, when their _sent flag is true); a new
-- measured_at moves it to its local date in the profile's current time zone. With if_match, only
-- a weigh-in at one of those versions changes. weight_logs_sync_profile keeps the profile's
-- weight the latest weigh-in's in this statement's transaction. Returns the weigh-in, or no row.
-- Served by weight_logs_pkey (user_id, id) and user_context (users_pkey, profiles_pkey).
UPDATE weight_logs AS w
SET weight_kg = coalesce(:'weight_kg'::numeric, w.weight_kg),
    body_fat_percentage = CASE WHEN :'body_fat_percentage_sent'::boolean
                               THEN :'body_fat_percentage'::numeric
                               ELSE w.body_fat_percentage END,
    muscle_mass_kg = CASE WHEN :'muscle_mass_kg_sent'::boolean THEN :'muscle_mass_kg'::numeric
                          ELSE w.muscle_mass_kg END,
    measured_at = coalesce(:'measured_at'::timestamptz, w.measured_at),
    local_date = coalesce((:'measured_at'::timestamptz AT TIME ZONE me.time_zone)::date,
                          w.local_date),
    time_zone = CASE WHEN :'measured_at'::timestamptz IS NULL THEN w.time_zone
                     ELSE me.time_zone END,
    notes = CASE WHEN :'notes_sent'::boolean THEN :'notes'::text ELSE w.notes END
FROM user_context AS me
WHERE me.user_id = :'user_id'
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
  AND w.user_id = me.user_id
  AND w.id = :'weight_id'
  AND (:'if_match'::bigint[] IS NULL OR w.version = ANY (:'if_match'::bigint[]))
RETURNING w.id, w.weight_kg::float8 AS weight_kg,
          w.body_fat_percentage::float8 AS body_fat_percentage,
          w.muscle_mass_kg::float8 AS muscle_mass_kg, w.measured_at, w.local_date, w.time_zone,
          w.notes, w.created_at, w.updated_at, w.version;
